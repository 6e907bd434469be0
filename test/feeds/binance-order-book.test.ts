import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type BinanceDepthDiff,
  type BinanceLevel,
  createRoute,
  OrderBook,
  PriceLevels,
} from '../../src/feeds/binance/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { CollectingSink } from './binance-harness.ts';

function setup(options: { emitSnapshots?: boolean } = {}) {
  const registry = new SymbolRegistry();
  const id = registry.register('BINANCE', 'BTCUSDT', { priceScale: 2, sizeScale: 3 });
  const route = createRoute('btcusdt@depth@100ms', 'depthDiff', 'BTCUSDT', id, 2, {
    priceScale: 2,
    sizeScale: 3,
  });
  const requests: number[] = [];
  const book = new OrderBook(route, (b) => requests.push(b.lastUpdateId), options);
  const sink = new CollectingSink(registry);
  return { book, sink, requests };
}

const diff = (U: number, u: number, b: BinanceLevel[] = [], a: BinanceLevel[] = []): BinanceDepthDiff => ({
  e: 'depthUpdate',
  E: 1_700_000_000_000 + u,
  s: 'BTCUSDT',
  U,
  u,
  b,
  a,
});

const SNAPSHOT = {
  lastUpdateId: 100,
  bids: [
    ['100.00', '1.000'],
    ['99.00', '2.000'],
  ] as BinanceLevel[],
  asks: [
    ['101.00', '1.500'],
    ['102.00', '3.000'],
  ] as BinanceLevel[],
};

describe('OrderBook: snapshot + diff procedure', () => {
  it('buffers until the snapshot, drops diffs with u <= lastUpdateId, applies the bridging one and the rest', () => {
    const { book, sink, requests } = setup();
    assert.equal(book.state, 'awaitingDiff');
    book.onDiff(diff(95, 98, [['100.00', '9.000']]), 1, 0, sink);
    assert.equal(book.state, 'awaitingSnapshot');
    book.onDiff(diff(99, 100, [['100.00', '8.000']]), 1, 0, sink);
    book.onDiff(diff(101, 103, [['100.50', '0.500']], [['101.00', '0']]), 1, 0, sink);
    book.onDiff(diff(104, 104, [], [['101.50', '2.000']]), 1, 0, sink);
    assert.equal(requests.length, 1, 'one snapshot request for the first diff');
    assert.equal(sink.ticks.length, 0, 'nothing written before the snapshot');
    assert.equal(book.applySnapshot(SNAPSHOT, 1, 0, sink), true);
    assert.equal(book.state, 'synced');
    assert.equal(book.lastUpdateId, 104);
    assert.equal(book.counters.diffsDropped, 2);
    assert.equal(book.counters.diffsApplied, 2);
    assert.deepEqual(book.bids.toArray(), [
      [10050, 500],
      [10000, 1000],
      [9900, 2000],
    ]);
    assert.deepEqual(book.asks.toArray(), [
      [10150, 2000],
      [10200, 3000],
    ]);
    assert.deepEqual(
      sink.ticks.map(
        (t) =>
          t.type === 'book' && [t.side, t.price, t.size, t.seq, t.firstUpdateId, t.level, t.flags.join('|')],
      ),
      [
        ['bid', '100.00', '1.000', 100, 0, 1, 'snapshot'],
        ['bid', '99.00', '2.000', 100, 0, 2, 'snapshot'],
        ['ask', '101.00', '1.500', 100, 0, 1, 'snapshot'],
        ['ask', '102.00', '3.000', 100, 0, 2, 'snapshot|final'],
        ['bid', '100.50', '0.500', 103, 101, 0, ''],
        ['ask', '101.00', '0.000', 103, 101, 0, 'final'],
        ['ask', '101.50', '2.000', 104, 104, 0, 'final'],
      ],
    );
  });

  it('accepts a first diff that straddles the snapshot (U <= lastUpdateId+1 <= u)', () => {
    const { book, sink } = setup();
    book.onDiff(diff(98, 102, [['100.00', '4.000']]), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    assert.equal(book.state, 'synced');
    assert.equal(book.lastUpdateId, 102);
    assert.equal(book.bids.sizeAt(10000), 4000);
    assert.equal(book.counters.gaps, 0);
  });

  it('refuses a snapshot older than the first buffered diff and asks for another', () => {
    const { book, sink, requests } = setup();
    book.onDiff(diff(105, 107), 1, 0, sink);
    assert.equal(book.applySnapshot(SNAPSHOT, 1, 0, sink), false);
    assert.equal(book.state, 'awaitingSnapshot');
    assert.equal(book.counters.staleSnapshots, 1);
    assert.equal(requests.length, 2);
    assert.equal(sink.ticks.length, 0);
    assert.equal(book.applySnapshot({ ...SNAPSHOT, lastUpdateId: 106 }, 1, 0, sink), true);
    assert.equal(book.lastUpdateId, 107);
  });

  it('checks U == previous u + 1 on every diff: a gap is counted, flagged and resynced', () => {
    const { book, sink, requests } = setup();
    book.onDiff(diff(101, 101), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    book.onDiff(diff(102, 105, [['100.00', '1.100']]), 1, 0, sink);
    assert.equal(book.counters.gaps, 0);
    sink.clear();
    book.onDiff(diff(107, 110, [['100.00', '1.200']]), 1, 0, sink); // 106 missing
    assert.equal(book.counters.gaps, 1);
    assert.equal(book.state, 'awaitingSnapshot');
    assert.equal(requests.length, 2);
    assert.equal(sink.ticks.length, 0);
    book.onDiff(diff(111, 112, [['99.00', '0']]), 1, 0, sink);
    book.applySnapshot({ ...SNAPSHOT, lastUpdateId: 108 }, 1, 0, sink);
    assert.equal(book.state, 'synced');
    assert.equal(book.lastUpdateId, 112);
    // Snapshot ticks and the first diff applied after it (107-110) carry `gap`; the next does not.
    assert.deepEqual(
      sink.ticks.map((t) => t.type === 'book' && [t.seq, t.flags.includes('gap')]),
      [
        [108, true],
        [108, true],
        [108, true],
        [108, true],
        [110, true],
        [112, false],
      ],
    );
    assert.equal(book.counters.resyncs, 1);
  });

  it('after a snapshot, a first live diff beyond lastUpdateId+1 is a gap', () => {
    const { book, sink } = setup();
    book.onDiff(diff(90, 95), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink); // every buffered diff is older
    assert.equal(book.state, 'synced');
    book.onDiff(diff(103, 104), 1, 0, sink);
    assert.equal(book.counters.gaps, 1);
    assert.equal(book.state, 'awaitingSnapshot');
  });

  it('a gap inside the buffer restarts from that diff and keeps what followed', () => {
    const { book, sink, requests } = setup();
    book.onDiff(diff(101, 102), 1, 0, sink);
    book.onDiff(diff(104, 105), 1, 0, sink);
    book.onDiff(diff(106, 107), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    assert.equal(book.counters.gaps, 1);
    assert.equal(book.bufferedDiffs, 2);
    assert.equal(requests.length, 2);
    book.applySnapshot({ ...SNAPSHOT, lastUpdateId: 104 }, 1, 0, sink);
    assert.equal(book.lastUpdateId, 107);
  });

  it('flags and counts a crossed book', () => {
    const { book, sink } = setup();
    book.onDiff(diff(101, 101), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    sink.clear();
    book.onDiff(diff(102, 102, [['101.00', '0.100']]), 1, 0, sink);
    assert.equal(book.isCrossed, true);
    assert.equal(book.counters.crossed, 1);
    assert.deepEqual(sink.ticks[0]!.flags, ['crossed', 'final']);
    book.onDiff(diff(103, 103, [['101.00', '0']]), 1, 0, sink);
    assert.equal(book.isCrossed, false);
    assert.deepEqual(sink.ticks[1]!.flags, ['final']);
  });

  it('a malformed diff resyncs the book rather than leaving half of it applied', () => {
    const { book, sink } = setup();
    book.onDiff(diff(101, 101), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    assert.throws(() =>
      book.onDiff(
        diff(102, 102, [
          ['100.00', '5.000'],
          ['99.001', '1.000'],
        ]),
        1,
        0,
        sink,
      ),
    );
    assert.equal(book.bids.sizeAt(10000), 1000, 'first level of the bad diff not applied');
    assert.equal(book.counters.badDiffs, 1);
    assert.equal(book.state, 'awaitingSnapshot');
  });

  it('invalidate (lost connection) restarts the procedure and owes a gap flag', () => {
    const { book, sink } = setup({ emitSnapshots: false });
    book.onDiff(diff(101, 101), 1, 0, sink);
    book.applySnapshot(SNAPSHOT, 1, 0, sink);
    assert.equal(sink.ticks.length, 0, 'snapshot not written when emitSnapshots is off');
    book.invalidate();
    assert.equal(book.state, 'awaitingDiff');
    book.onDiff(diff(150, 151, [['100.00', '2.000']]), 1, 0, sink);
    book.applySnapshot({ ...SNAPSHOT, lastUpdateId: 149 }, 1, 0, sink);
    assert.deepEqual(
      sink.ticks.map((t) => t.flags),
      [['gap', 'final']],
    );
  });
});

describe('PriceLevels', () => {
  it('agrees with a Map after any sequence of sets, best level last-in-array first-out', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'bid' | 'ask'>('bid', 'ask'),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: 600,
        }),
        (side, updates) => {
          const levels = new PriceLevels(side);
          const model = new Map<number, number>();
          for (const [price, size] of updates) {
            levels.set(price, size);
            if (size === 0) model.delete(price);
            else model.set(price, size);
          }
          const expected = [...model.entries()].sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
          assert.deepEqual(levels.toArray(), expected);
          assert.equal(levels.count, model.size);
          if (expected.length > 0) assert.equal(levels.bestPrice, expected[0]![0]);
          else assert.ok(Number.isNaN(levels.bestPrice));
        },
      ),
      { numRuns: 200 },
    );
  });
});
