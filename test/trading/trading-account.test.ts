import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type ExecutionUpdate,
  parseExecutionReport,
  PostgresStore,
  SqliteStore,
  TradingAccount,
  type TradingStore,
} from '../../src/trading/index.ts';
import { DATABASE_URL, postgresSkipReason, testSchema } from '../support/postgres.ts';

const ASSETS = () => ({ baseAsset: 'BTC', quoteAsset: 'USDT' });
const dec = (value: number) => value.toFixed(8);

/** An order of 1 BTC bought in three fills at 100, 101, 102, as the exchange reports it. */
function reports(orderId: number, clientOrderId: string, firstTrade: number): ExecutionUpdate[] {
  const base = {
    e: 'executionReport',
    E: 1,
    s: 'BTCUSDT',
    c: clientOrderId,
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '1.00000000',
    p: '110.00000000',
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: '',
    r: 'NONE',
    i: orderId,
    N: null,
    n: '0',
    T: 1,
    t: -1,
    I: 1,
    w: true,
    m: false,
    M: false,
    O: 1,
    Q: '0.00000000',
    W: 1,
    V: 'NONE',
  };
  const updates = [
    parseExecutionReport({
      ...base,
      x: 'NEW',
      X: 'NEW',
      l: dec(0),
      z: dec(0),
      L: dec(0),
      Z: dec(0),
      Y: dec(0),
    }),
  ];
  const parts = [0.3, 0.3, 0.4];
  let filled = 0;
  let quote = 0;
  parts.forEach((part, i) => {
    filled += part;
    quote += part * (100 + i);
    updates.push(
      parseExecutionReport({
        ...base,
        E: 2 + i,
        T: 2 + i,
        x: 'TRADE',
        X: i === 2 ? 'FILLED' : 'PARTIALLY_FILLED',
        t: firstTrade + i,
        l: dec(part),
        L: dec(100 + i),
        z: dec(filled),
        Z: dec(quote),
        Y: dec(part * (100 + i)),
        n: dec(part / 1000),
        N: 'BTC',
      }),
    );
  });
  return updates;
}

function storeTests(name: string, open: () => Promise<TradingStore>, skip: () => string | undefined): void {
  describe(`trading: TradingAccount on ${name}`, () => {
    it('stores before it hands on, hands each fill on once, and a restart resumes where it stopped', async (t) => {
      const reason = skip();
      if (reason !== undefined) {
        t.skip(reason);
        return;
      }
      const store = await open();
      try {
        const handed: number[] = [];
        const account = new TradingAccount('alice', store, ASSETS, {
          fill: (_order, fill) => handed.push(fill.tradeId),
          order: () => undefined,
        });
        const first = reports(7, 'first', 100);
        // Each report twice, the second time in reverse.
        for (const update of [...first, ...[...first].reverse()]) await account.ingest(update);
        assert.deepEqual(handed, [100, 101, 102]);
        assert.equal((await store.fills('alice')).length, 3);
        assert.equal(await store.lastTradeId('alice', 'BTCUSDT'), 102);
        assert.equal((await store.orders('alice'))[0]!.state, 'FILLED');
        assert.equal((await store.unpublishedFills('alice')).length, 0);

        // A second order: its first fill is stored, then the process dies before handing it on.
        const second = reports(8, 'second', 103);
        await account.ingest(second[0]!);
        await store.commit({
          fills: [
            {
              ...second[1]!.fill!,
              time: second[1]!.transactionTime,
              account: 'alice',
              symbol: 'BTCUSDT',
              orderId: 8,
              clientOrderId: 'second',
              side: 'BUY',
            },
          ],
          orders: [],
        });

        const handedAfter: number[] = [];
        const restarted = new TradingAccount('alice', store, ASSETS, {
          fill: (_order, fill) => handedAfter.push(fill.tradeId),
          order: () => undefined,
        });
        await restarted.restore();
        // The stored but unpublished fill is handed on now; the others are not handed on again.
        assert.deepEqual(handedAfter, [103]);
        assert.equal(restarted.lastTradeId('BTCUSDT'), 103);
        // The exchange (reconciliation) repeats everything: only the rest of the second order is new.
        for (const update of [...first, ...second]) await restarted.ingest(update);
        assert.deepEqual(handedAfter, [103, 104, 105]);
        const before = account.book.position('BTCUSDT');
        const after = restarted.book.position('BTCUSDT');
        assert.equal(after.baseQuantity, before.baseQuantity * 2n);
        assert.equal(after.cashFlow, before.cashFlow * 2n);
        assert.equal(restarted.failures, 0);
        assert.deepEqual(
          restarted.book.orders().map((order) => order.state),
          ['FILLED', 'FILLED'],
        );
      } finally {
        await store.close();
      }
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tickwire-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
storeTests(
  'SQLite',
  async () => new SqliteStore(join(dir, 'trading.db')),
  () => undefined,
);

let postgresSkip: string | undefined;
const schema = testSchema('trading');
before(async () => {
  postgresSkip = await postgresSkipReason();
});
after(async () => {
  if (postgresSkip === undefined) await schema.drop();
});
storeTests(
  'PostgreSQL',
  () => PostgresStore.open(DATABASE_URL, schema.schema),
  () => postgresSkip,
);
