/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read many fields of the REST API's JSON answers */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { SignedRest, units } from '../../src/trading/index.ts';
import { TestClient } from '../gateway/harness.ts';
import { writeFileSync } from 'node:fs';

const ACCOUNTS = {
  alice: {
    key: 'alice-key-0123456789',
    apiKey: 'aliceExchangeKey0123456789',
    apiSecret: 'alice-secret-0123456789abcdef',
  },
  bob: {
    key: 'bob-key-0123456789ab',
    apiKey: 'bobExchangeKey0123456789ab',
    apiSecret: 'bob-secret-0123456789abcdef00',
  },
};
const START_BALANCES = { USDT: '1000000', BTC: '10' };

/** A bot whose cycles finish in seconds on the simulator's market: tiny deviation and take profit. */
const FAST_BOT = {
  symbol: 'BTCUSDT',
  baseOrderQuantity: '0.01',
  safetyOrderQuantity: '0.01',
  maxSafetyOrders: 2,
  priceDeviationPercent: 0.01,
  takeProfitPercent: 0.01,
  maxCycles: 3,
};

describe('trading: the platform with its orders API and bots on the embedded simulator', () => {
  let dir: string;
  let platform: Platform;
  const call = async (key: string | undefined, method: string, path: string, body?: unknown) => {
    const response = await fetch(platform.url + path, {
      method,
      headers: { ...(key === undefined ? {} : { 'x-api-key': key }), 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickwire-trading-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        auth: {
          apiKeys: [
            { key: ACCOUNTS.alice.key, account: 'alice' },
            { key: ACCOUNTS.bob.key, account: 'bob' },
            { key: 'carol-key-0123456789', account: 'carol' },
            { key: 'admin-key-0123456789', account: 'admin', admin: true },
          ],
        },
        trading: {
          accounts: (['alice', 'bob'] as const).map((name) => ({
            account: name,
            apiKey: ACCOUNTS[name].apiKey,
            apiSecret: ACCOUNTS[name].apiSecret,
            symbols: ['BTCUSDT', 'ETHUSDT'],
            simBalances: START_BALANCES,
          })),
        },
      }),
    );
    const config = loadConfig({
      file,
      flags: {
        port: '0',
        symbols: 'BTCUSDT,ETHUSDT',
        simRate: '2000',
        workers: '0',
        db: join(dir, 'trading.db'),
        logLevel: 'silent',
      },
    });
    platform = await startPlatform(config, pino({ level: 'silent' }));
  });
  after(async () => {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the orders API per account, with the checks and clear 4xx errors', async () => {
    assert.equal((await call(undefined, 'GET', '/api/v1/orders')).body.error.code, 'UNAUTHORIZED');
    assert.equal(
      (await call('carol-key-0123456789', 'GET', '/api/v1/orders')).body.error.code,
      'NO_TRADING_ACCOUNT',
    );
    const bad = await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', {
      symbol: 'BTCUSDT',
      side: 'HOLD',
      type: 'LIMIT',
      quantity: '-1',
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /side/);
    assert.match(bad.body.error.message, /quantity/);
    assert.equal(
      (await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', '{"symbol":')).body.error.code,
      'BAD_JSON',
    );
    const collar = await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: '1',
    });
    assert.deepEqual([collar.status, collar.body.error.code], [422, 'PRICE_COLLAR']);
    const unknown = await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', {
      symbol: 'XRPUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '1',
    });
    assert.equal(unknown.body.error.code, 'UNKNOWN_SYMBOL');

    // A resting bid 3% under the market: acknowledged, listed, canceled.
    const ticker = (await (
      await fetch(`${platform.simulatorUrl}/api/v3/ticker/price?symbol=BTCUSDT`)
    ).json()) as {
      price: string;
    };
    const last = units(ticker.price);
    const price = ((last * 97n) / 100n / 1_000_000n) * 1_000_000n;
    const placed = await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      quantity: '0.01',
      price: (Number(price) / 1e8).toFixed(2),
    });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal(units(placed.body.order.price), price, 'the order shows its limit price');
    const id = placed.body.order.clientOrderId as string;
    await waitFor(async () =>
      (await call(ACCOUNTS.alice.key, 'GET', '/api/v1/orders?open=true')).body.orders.some(
        (o: any) => o.clientOrderId === id && o.state === 'NEW',
      ),
    );
    assert.equal(
      (await call(ACCOUNTS.bob.key, 'DELETE', `/api/v1/orders/${id}`)).body.error.code,
      'UNKNOWN_ORDER',
    );
    assert.equal((await call(ACCOUNTS.alice.key, 'DELETE', `/api/v1/orders/${id}`)).status, 200);
    await waitFor(async () =>
      (await call(ACCOUNTS.alice.key, 'GET', '/api/v1/orders')).body.orders.some(
        (o: any) => o.clientOrderId === id && o.state === 'CANCELED',
      ),
    );
    assert.equal(
      (await call(ACCOUNTS.alice.key, 'DELETE', `/api/v1/orders/${id}`)).body.error.code,
      'ORDER_NOT_OPEN',
    );
  });

  it('runs a bot through full cycles; its owner sees every event once and in order, another account none', async () => {
    const ws = `${platform.url.replace('http', 'ws')}/ws`;
    const alice = await TestClient.connect(ws);
    const bob = await TestClient.connect(ws);
    await alice.request({ op: 'auth', id: 1, apiKey: ACCOUNTS.alice.key });
    await bob.request({ op: 'auth', id: 1, apiKey: ACCOUNTS.bob.key });
    const subscribed = await alice.request({
      op: 'subscribe',
      id: 2,
      topics: ['orders.alice', 'fills.alice', 'bots.alice.>'],
    });
    assert.equal(subscribed.type, 'subscribed');
    await bob.request({ op: 'subscribe', id: 2, topics: ['orders.bob', 'fills.bob', 'bots.bob.>'] });
    const refused = await bob.request({ op: 'subscribe', id: 3, topics: ['fills.alice'] });
    assert.equal(refused.type, 'error');

    const created = await call(ACCOUNTS.alice.key, 'POST', '/api/v1/bots', FAST_BOT);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const botId = created.body.bot.botId as string;
    assert.equal(
      (await call(ACCOUNTS.bob.key, 'GET', `/api/v1/bots/${botId}`)).body.error.code,
      'UNKNOWN_BOT',
    );
    assert.equal((await call(ACCOUNTS.alice.key, 'POST', `/api/v1/bots/${botId}/start`)).status, 200);
    let bot: Record<string, any> = {};
    await waitFor(async () => {
      bot = (await call(ACCOUNTS.alice.key, 'GET', `/api/v1/bots/${botId}`)).body.bot;
      assert.notEqual(bot.status, 'error', bot.error);
      return bot.status === 'stopped';
    }, 120_000);
    assert.equal(bot.completedCycles, 3);
    assert.deepEqual(
      bot.cycles.map((cycle: any) => cycle.outcome),
      ['take_profit', 'take_profit', 'take_profit'],
    );
    const purposes = new Set(bot.orders.map((order: any) => order.orderType));
    assert.ok(purposes.has('base_order') && purposes.has('take_profit'), [...purposes].join());

    // Every fill of the account, as the exchange records it, reached its owner once.
    const exchange = new SignedRest(platform.simulatorUrl!, ACCOUNTS.alice.apiKey, ACCOUNTS.alice.apiSecret);
    const trades = await exchange.signed<{ id: number; orderId: number; qty: string; price: string }[]>(
      'GET',
      '/api/v3/myTrades',
      { symbol: 'BTCUSDT', limit: 1000 },
    );
    await alice.until(() => alice.data('fills.alice').length >= trades.length, 10_000);
    const fills = alice.data('fills.alice').map((frame) => frame.data as Record<string, any>);
    assert.deepEqual(
      fills.map((fill) => fill.tradeId).sort((a, b) => a - b),
      trades.map((trade) => trade.id).sort((a, b) => a - b),
    );
    for (const fill of fills) {
      const trade = trades.find((t) => t.id === fill.tradeId)!;
      assert.equal(units(fill.price), units(trade.price), 'the fill price is the trade price (L)');
      assert.equal(units(fill.quantity), units(trade.qty));
    }
    const botFills = fills.filter((fill) => fill.botId === botId);
    assert.ok(botFills.some((fill) => fill.orderType === 'base_order'));
    assert.ok(botFills.some((fill) => fill.orderType === 'take_profit'));

    // In order: per order, fills add up and its states only move forward.
    const rank: Record<string, number> = {
      PENDING_NEW: 0,
      NEW: 1,
      PARTIALLY_FILLED: 2,
      PENDING_CANCEL: 2,
      FILLED: 3,
      CANCELED: 3,
      REJECTED: 3,
      EXPIRED: 3,
    };
    const lastState = new Map<string, number>();
    for (const frame of alice.data('orders.alice')) {
      const update = frame.data as Record<string, any>;
      const before = lastState.get(update.clientOrderId) ?? -1;
      assert.ok(rank[update.state]! >= before, `${update.clientOrderId} went back to ${update.state}`);
      lastState.set(update.clientOrderId, rank[update.state]!);
    }
    const cycles = alice.data(`bots.alice.${botId}`).map((frame) => frame.data as Record<string, any>);
    assert.deepEqual(
      cycles.filter((event) => event.type === 'bot_status_update').map((event) => event.status),
      ['created', 'running', 'stopped'],
    );
    const ended = cycles.filter(
      (event) => event.type === 'bot_cycle_update' && event.outcome !== undefined && event.phase === 'idle',
    );
    assert.deepEqual(
      ended.map((event) => event.cycle),
      [1, 2, 3],
    );

    // Nothing of alice's reached bob.
    assert.equal(bob.data().filter((frame) => String(frame.topic).includes('alice')).length, 0);
    assert.equal(bob.data('fills.bob').length, 0);

    // Positions equal the exchange's balances moved, to the unit.
    const account = await exchange.signed<{ balances: { asset: string; free: string; locked: string }[] }>(
      'GET',
      '/api/v3/account',
    );
    const balance = (asset: string) => {
      const row = account.balances.find((entry) => entry.asset === asset)!;
      return units(row.free) + units(row.locked);
    };
    const position = (await call(ACCOUNTS.alice.key, 'GET', '/api/v1/positions')).body.positions.find(
      (p: any) => p.symbol === 'BTCUSDT',
    );
    assert.equal(units(position.quantity), balance('BTC') - units(START_BALANCES.BTC));
    assert.equal(units(position.cashFlow), balance('USDT') - units(START_BALANCES.USDT));

    // Delivery latency was measured per event type.
    const latency = (await (await fetch(`${platform.url}/api/v1/latency`)).json()) as {
      events: Record<string, { count: number }>;
    };
    assert.ok(latency.events.order_fill_notification!.count >= fills.length);
    assert.ok(latency.events.bot_cycle_update!.count > 0);
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    assert.match(
      metrics,
      /tickwire_event_delivery_seconds_bucket\{le="0.01",event_type="order_fill_notification"\}/,
    );
    // And every second on trading.latency (/ws/trading/latency).
    const summary = await new Promise<Record<string, any>>((resolve) => {
      const off = platform.bus.subscribe('trading.latency', (payload) => {
        off();
        resolve(payload as Record<string, any>);
      });
    });
    assert.equal(summary.type, 'latency_summary');
    assert.ok(summary.events.order_fill_notification.count >= fills.length);
    assert.equal(summary.events.order_fill_notification.targetUs, 10_000);
    alice.close();
    bob.close();
  });
  it("runs the analytics engine embedded: an account's P&L follows its fills, for that account (and admins) only", async () => {
    const snapshots: any[] = [];
    const off = platform.bus.subscribe('analytics.alice', (payload) => snapshots.push(payload));
    try {
      const market = { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01' };
      assert.equal((await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', market)).status, 201);
      await waitFor(async () =>
        snapshots.some((snapshot) => snapshot.attribution?.bySymbol?.ETHUSDT !== undefined),
      );
    } finally {
      off();
    }
    const mine = await call(ACCOUNTS.alice.key, 'GET', '/api/v1/analytics/alice');
    assert.equal(mine.status, 200);
    assert.ok(mine.body.snapshot.fills >= 1);
    assert.ok(mine.body.snapshot.positions.some((position: any) => position.symbol === 'ETHUSDT'));
    assert.equal(
      (await call(ACCOUNTS.bob.key, 'GET', '/api/v1/analytics/alice')).body.error.code,
      'FORBIDDEN',
    );
    assert.equal((await call(undefined, 'GET', '/api/v1/analytics/alice')).status, 401);
    assert.equal((await call('admin-key-0123456789', 'GET', '/api/v1/analytics/alice')).status, 200);
  });

  it("refuses every order under the kill switch, and cancels the account's open ones", async () => {
    const market = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' };
    const ticker = (await (
      await fetch(`${platform.simulatorUrl}/api/v3/ticker/price?symbol=BTCUSDT`)
    ).json()) as {
      price: string;
    };
    const bid = (Number(ticker.price) * 0.97).toFixed(2);
    const resting = await call(ACCOUNTS.bob.key, 'POST', '/api/v1/orders', {
      ...market,
      type: 'LIMIT',
      price: bid,
    });
    assert.equal(resting.status, 201);
    const id = resting.body.order.clientOrderId as string;
    const bobHas = async (state: string) =>
      (await call(ACCOUNTS.bob.key, 'GET', '/api/v1/orders')).body.orders.some(
        (o: any) => o.clientOrderId === id && o.state === state,
      );
    await waitFor(() => bobHas('NEW'));

    const kill = (body: unknown, key = 'admin-key-0123456789') =>
      call(key, 'POST', '/api/v1/trading/kill-switch', body);
    assert.equal(
      (await kill({ account: 'bob', engaged: true }, ACCOUNTS.bob.key)).body.error.code,
      'FORBIDDEN',
    );
    assert.deepEqual((await kill({ account: 'bob', engaged: true })).body, {
      global: false,
      accounts: ['bob'],
    });
    const refused = await call(ACCOUNTS.bob.key, 'POST', '/api/v1/orders', market);
    assert.deepEqual([refused.status, refused.body.error.code], [422, 'KILL_SWITCH']);
    assert.equal((await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', market)).status, 201);
    await waitFor(() => bobHas('CANCELED'));

    await kill({ engaged: true });
    assert.equal(
      (await call(ACCOUNTS.alice.key, 'POST', '/api/v1/orders', market)).body.error.code,
      'KILL_SWITCH',
    );
    await kill({ engaged: false });
    await kill({ account: 'bob', engaged: false });
    assert.equal((await call(ACCOUNTS.bob.key, 'POST', '/api/v1/orders', market)).status, 201);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
