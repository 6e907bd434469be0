import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TickwireApi, TickwireApiError } from '../../src/client/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import { eventually } from '../support/eventually.ts';
import { ADMIN_KEY, removeNodeFiles, startNode } from './harness.ts';

/** The code a call is refused with (and its HTTP status), or a failure when it is not refused. */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof TickwireApiError, String(error));
    return `${error.status} ${error.code}`;
  }
  return assert.fail('the call was not refused');
}

describe('TickwireApi against a running node', () => {
  let platform: Platform;
  let anonymous: TickwireApi;
  let trader: TickwireApi;
  let admin: TickwireApi;

  before(async () => {
    platform = await startNode();
    anonymous = new TickwireApi({ url: platform.url });
    trader = new TickwireApi({ url: platform.url, apiKey: platform.trading.demoApiKey! });
    admin = new TickwireApi({ url: platform.url, apiKey: ADMIN_KEY });
  });

  after(async () => {
    await platform.stop();
    removeNodeFiles();
  });

  it('reads the public market data: symbols, ticker, a synced book, candles', async () => {
    const symbols = await anonymous.symbols();
    assert.deepEqual(symbols.map((entry) => entry.symbol).sort(), ['BTCUSDT', 'ETHUSDT']);
    const row = await eventually(async () => (await anonymous.ticker()).find((r) => r.bidPrice !== null));
    assert.ok(Number(row.bidPrice) < Number(row.askPrice));
    const book = await eventually(async () => {
      const depth = await anonymous.depth('BTCUSDT', 3);
      return depth.state === 'synced' && depth;
    });
    assert.ok(book.bids.length === 3 && book.asks.length === 3, JSON.stringify(book));
    assert.ok(Number(book.bids[0]![0]) < Number(book.asks[0]![0]));
    const candles = await anonymous.klines('BTCUSDT', { interval: '1s', limit: 5 });
    assert.ok(candles.length > 0 && candles.length <= 5);
    assert.equal(await refusal(anonymous.depth('NOPE')), '404 UNKNOWN_SYMBOL');
    assert.equal(await refusal(anonymous.klines('BTCUSDT', { interval: '7s' })), '400 BAD_REQUEST');
  });

  it("places, lists and cancels the caller's orders; refusals carry the server's code", async () => {
    assert.equal(await refusal(anonymous.orders()), '401 UNAUTHORIZED');
    const bid = await eventually(
      async () => (await trader.ticker()).find((r) => r.symbol === 'BTCUSDT')?.bidPrice,
    );
    const price = (Number(bid) * 0.99).toFixed(2);
    const order = await eventually(() =>
      trader
        .placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price })
        .catch(() => undefined),
    );
    assert.equal(Number(order.price), Number(price));
    assert.equal(order.orderType, 'manual');
    const open = await trader.orders({ open: true });
    assert.ok(open.some((o) => o.clientOrderId === order.clientOrderId));
    const canceled = await trader.cancelOrder(order.clientOrderId);
    assert.ok(['PENDING_CANCEL', 'CANCELED'].includes(canceled.state), canceled.state);
    assert.equal(await refusal(trader.cancelOrder('no-such-order')), '404 UNKNOWN_ORDER');
    assert.equal(
      await refusal(trader.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '5000' })),
      '422 MAX_ORDER_QUANTITY',
    );
    assert.equal(
      await refusal(trader.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '1' })),
      '400 BAD_REQUEST',
    );
    assert.ok(Array.isArray(await trader.positions()));
    assert.ok(Array.isArray(await trader.fills({ symbol: 'BTCUSDT' })));
  });

  it('creates, starts, pauses, stops and deletes a bot', async () => {
    const bot = await trader.createBot({
      symbol: 'BTCUSDT',
      baseOrderQuantity: '0.001',
      safetyOrderQuantity: '0.001',
      maxSafetyOrders: 1,
      priceDeviationPercent: 2,
    });
    assert.equal(bot.status, 'created');
    assert.equal(bot.config.takeProfitPercent, 1, 'defaults filled in');
    assert.ok((await trader.bots()).some((b) => b.botId === bot.botId));
    const started = await trader.startBot(bot.botId);
    assert.equal(started.status, 'running', started.error);
    assert.equal(await refusal(trader.deleteBot(bot.botId)), '409 BOT_RUNNING');
    assert.equal((await trader.pauseBot(bot.botId)).status, 'paused');
    await trader.stopBot(bot.botId, { closePosition: true });
    await eventually(async () => (await trader.bot(bot.botId)).status === 'stopped');
    assert.ok(Array.isArray((await trader.bot(bot.botId)).orders));
    await trader.deleteBot(bot.botId);
    assert.equal(await refusal(trader.bot(bot.botId)), '404 UNKNOWN_BOT');
  });

  it('reads latency, alerts, the host and health; admins hold the kill switch and the connections', async () => {
    const latency = await anonymous.latency();
    assert.ok(Object.keys(latency.targetsMs).includes('order_fill_notification'));
    const alerts = await anonymous.alerts();
    assert.ok(Array.isArray(alerts.active) && alerts.rules.length > 0);
    // Per-core figures from the second sample on: they are differences between two readings.
    const host = await eventually(async () => {
      const sample = await anonymous.host().catch(() => undefined);
      return sample !== undefined && sample.cpu.cores.length > 0 && sample;
    });
    assert.equal(host.cpu.cores.length, host.host.cores);
    assert.ok(['ok', 'degraded', 'down'].includes((await anonymous.health()).status));

    assert.equal(await refusal(trader.killSwitch()), '403 FORBIDDEN');
    assert.deepEqual(await admin.setKillSwitch({ account: 'demo', engaged: true }), {
      global: false,
      accounts: ['demo'],
    });
    assert.equal(
      await refusal(trader.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' })),
      '422 KILL_SWITCH',
    );
    assert.deepEqual(await admin.setKillSwitch({ account: 'demo', engaged: false }), {
      global: false,
      accounts: [],
    });
    assert.ok(Array.isArray(await admin.connections()));
    assert.equal(await refusal(admin.acknowledgeAlert('no-such-alert')), '404 UNKNOWN_ALERT');
    assert.equal(await refusal(admin.closeConnection('no-such-connection')), '404 UNKNOWN_CONNECTION');
  });

  it('says NETWORK when nothing answers', async () => {
    const nowhere = new TickwireApi({ url: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    assert.equal(await refusal(nowhere.health()), '0 NETWORK');
  });
});
