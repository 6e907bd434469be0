import assert from 'node:assert/strict';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Spot, WebsocketAPI, WebsocketStream } from '@binance/connector';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { waitFor } from './sim-exchange-helpers.ts';

/**
 * Binance's own Node connector (`@binance/connector`) against the simulator, with only its base
 * URLs changed: market data, account and trading over REST, a market stream, the user-data stream,
 * and orders through the WebSocket API.
 */

const API_KEY = 'connectorKey0123456789';
const API_SECRET = 'connectorSecret0123456789';
const quiet = new Console({ stdout: new Writable({ write: (_chunk, _encoding, done) => done() }) });

describe('exchange simulator: Binance connector with only its base URLs changed', () => {
  let sim: ExchangeSimulator;
  let spot: Spot;

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: 5,
      eventsPerSecond: 1_000,
      seed: 21,
      accounts: [{ apiKey: API_KEY, secretKey: API_SECRET, balances: { USDT: '100000', BTC: '1' } }],
    });
    spot = new Spot(API_KEY, API_SECRET, { baseURL: sim.url, logger: quiet });
    await waitFor(() => sim.stats().events > 300, 10_000, 'market events');
  });
  after(async () => {
    await sim.close();
  });

  it('reads market data and trades over REST', async () => {
    const info = (await spot.exchangeInfo({ symbol: 'BTCUSDT' })).data as { symbols: { symbol: string }[] };
    assert.equal(info.symbols[0]!.symbol, 'BTCUSDT');
    const depth = (await spot.depth('BTCUSDT', { limit: 5 })).data as { bids: unknown[]; asks: unknown[] };
    assert.equal(depth.bids.length, 5);
    assert.ok((await spot.trades('BTCUSDT', { limit: 3 })).data.length > 0);
    assert.ok((await spot.klines('BTCUSDT', '1m', { limit: 2 })).data.length > 0);
    const ticker = (await spot.ticker24hr('BTCUSDT')).data;
    assert.equal(ticker.symbol, 'BTCUSDT');

    const placed = (
      await spot.newOrder('BTCUSDT', 'BUY', 'LIMIT', { price: '1000', quantity: '0.01', timeInForce: 'GTC' })
    ).data;
    assert.equal(placed.status, 'NEW');
    const queried = (await spot.getOrder('BTCUSDT', { orderId: placed.orderId as number })).data;
    assert.equal(queried.orderId, placed.orderId);
    assert.equal((await spot.openOrders({ symbol: 'BTCUSDT' })).data.length, 1);
    const canceled = (await spot.cancelOrder('BTCUSDT', { orderId: placed.orderId as number })).data;
    assert.equal(canceled.status, 'CANCELED');
    const market = (await spot.newOrder('BTCUSDT', 'SELL', 'MARKET', { quantity: '0.01' })).data;
    assert.equal(market.status, 'FILLED');
    assert.ok((await spot.myTrades('BTCUSDT')).data.length >= 1);
    const account = (await spot.account()).data as { balances: { asset: string; free: string }[] };
    assert.ok(Number(account.balances.find((balance) => balance.asset === 'BTC')!.free) < 1);
  });

  it('follows a market stream and the user-data stream', async () => {
    const trades: string[] = [];
    const stream = new WebsocketStream({
      wsURL: sim.wsUrl,
      logger: quiet,
      callbacks: { message: (data) => trades.push(data) },
    });
    const events: string[] = [];
    const { listenKey } = (await spot.createListenKey()).data;
    const user = new WebsocketStream({
      wsURL: sim.wsUrl,
      logger: quiet,
      callbacks: { message: (data) => events.push(data) },
    });
    try {
      stream.trade('btcusdt');
      user.userData(listenKey);
      await waitFor(() => trades.some((data) => data.includes('"e":"trade"')), 10_000, 'a trade');
      // The server attaches the listenKey as it accepts the socket, before the client sees it open.
      await waitFor(() => user.isConnected(), 10_000, 'the user-data socket');
      await spot.newOrder('BTCUSDT', 'BUY', 'MARKET', { quantity: '0.001' });
      await waitFor(() => events.some((data) => data.includes('"x":"TRADE"')), 10_000, 'an executionReport');
      await waitFor(
        () => events.some((data) => data.includes('outboundAccountPosition')),
        10_000,
        'a balance update',
      );
    } finally {
      stream.disconnect();
      user.disconnect();
    }
  });

  it('places orders through the WebSocket API', async () => {
    const answers: Record<string, unknown>[] = [];
    const api = new WebsocketAPI(API_KEY, API_SECRET, {
      wsURL: `${sim.wsUrl}/ws-api/v3`,
      logger: quiet,
      callbacks: {
        open: (client: WebsocketAPI) => client.newOrder('BTCUSDT', 'BUY', 'MARKET', { quantity: '0.001' }),
        message: (data) => answers.push(JSON.parse(data) as Record<string, unknown>),
      },
    });
    try {
      await waitFor(() => answers.length > 0, 10_000, 'the order answer');
      assert.equal(answers[0]!.status, 200, JSON.stringify(answers[0]));
      assert.equal((answers[0]!.result as { status: string }).status, 'FILLED');
    } finally {
      api.disconnect();
    }
  });
});
