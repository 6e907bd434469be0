import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import {
  parseExecutionReport,
  SqliteStore,
  TradingAccount,
  TradingPublisher,
} from '../../src/trading/index.ts';
import { dec, executionReport } from './helpers.ts';

describe('trading: publishing to the owner', () => {
  it("publishes each fill once on fills.<account> and each state on orders.<account>, nothing on another's", async () => {
    const bus = new MemoryBus();
    const seen: { topic: string; payload: Record<string, unknown> }[] = [];
    bus.subscribe('fills.>', (payload, topic) =>
      seen.push({ topic, payload: payload as Record<string, unknown> }),
    );
    bus.subscribe('orders.>', (payload, topic) =>
      seen.push({ topic, payload: payload as Record<string, unknown> }),
    );
    const store = new SqliteStore(':memory:');
    const account = new TradingAccount(
      'alice',
      store,
      () => ({ baseAsset: 'BTC', quoteAsset: 'USDT' }),
      new TradingPublisher(bus, 'alice'),
    );
    const updates = [
      executionReport({ o: 'MARKET', p: dec(0) }),
      executionReport({
        E: 5,
        x: 'TRADE',
        X: 'PARTIALLY_FILLED',
        t: 1,
        l: dec(0.4),
        L: dec(100),
        z: dec(0.4),
        Z: dec(40),
        Y: dec(40),
        n: dec(0.0004),
        N: 'BTC',
      }),
      executionReport({
        E: 6,
        x: 'TRADE',
        X: 'FILLED',
        t: 2,
        l: dec(0.6),
        L: dec(101),
        z: dec(1),
        Z: dec(100.6),
        Y: dec(60.6),
        n: dec(0.0006),
        N: 'BTC',
      }),
    ].map(parseExecutionReport);
    for (const update of [...updates, ...updates]) await account.ingest(update);
    const fills = seen.filter((event) => event.topic === 'fills.alice').map((event) => event.payload);
    assert.deepEqual(
      fills.map((fill) => [fill.type, fill.tradeId, fill.price, fill.quantity, fill.eventTime]),
      [
        ['order_fill_notification', 1, '100.00000000', '0.40000000', 5],
        ['order_fill_notification', 2, '101.00000000', '0.60000000', 6],
      ],
    );
    assert.equal(fills[1]!.averagePrice, '100.60000000');
    assert.deepEqual(
      seen.filter((event) => event.topic === 'orders.alice').map((event) => event.payload.state),
      ['NEW', 'PARTIALLY_FILLED', 'FILLED'],
    );
    assert.ok(seen.every((event) => event.topic.endsWith('.alice')));
    await store.close();
  });
});
