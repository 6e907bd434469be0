import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ExecutionUpdate, parseExecutionReport, TrackedOrder } from '../../src/trading/index.ts';
import { dec, executionReport } from './helpers.ts';

const UNIT = 100_000_000n;

/** The reports of an order of 1 BTC filled in `parts` (tenths, the i-th at 100 + i), then maybe canceled. */
function lifecycle(parts: readonly number[], canceled: boolean): ExecutionUpdate[] {
  const updates = [parseExecutionReport(executionReport({}))];
  let filled = 0;
  let quote = 0;
  parts.forEach((tenths, i) => {
    filled += tenths;
    const price = 100 + i;
    quote += (tenths * price) / 10;
    updates.push(
      parseExecutionReport(
        executionReport({
          E: 2 + i,
          T: 2 + i,
          x: 'TRADE',
          X: filled === 10 ? 'FILLED' : 'PARTIALLY_FILLED',
          t: 100 + i,
          l: dec(tenths / 10),
          L: dec(price),
          z: dec(filled / 10),
          Z: dec(quote),
          Y: dec((tenths * price) / 10),
          n: '0.00010000',
          N: 'BTC',
        }),
      ),
    );
  });
  if (canceled)
    updates.push(
      parseExecutionReport(executionReport({ E: 99, x: 'CANCELED', X: 'CANCELED', z: dec(filled / 10) })),
    );
  return updates;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('trading: order tracker', () => {
  it("reads the fill's price from L, never from p", () => {
    const update = parseExecutionReport(
      executionReport({
        o: 'MARKET',
        p: '0.00000000',
        x: 'TRADE',
        X: 'FILLED',
        t: 5,
        l: '1.00000000',
        L: '101.50000000',
        z: '1.00000000',
      }),
    );
    assert.equal(update.fill?.price, 10_150_000_000n);
    const order = new TrackedOrder('mine', 'BTCUSDT', 'BUY', UNIT);
    assert.equal(order.apply(update).fill?.price, 10_150_000_000n);
    assert.equal(order.state, 'FILLED');
  });

  it('ends in the same state with the same fills whatever the order and repetition of the reports', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }).chain((parts: number[]) => {
          return fc.record({
            parts: fc.constant(parts),
            canceled: fc.boolean(),
            seed: fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
          });
        }),
        ({ parts, canceled, seed }) => {
          const updates = lifecycle(parts, canceled && sum(parts) < 10);
          const inOrder = new TrackedOrder('mine', 'BTCUSDT', 'BUY', UNIT);
          for (const update of updates) inOrder.apply(update);
          // Shuffled, with duplicates.
          const shuffled = [...updates, ...seed.map((n) => updates[n % updates.length]!)];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (seed[i % seed.length]! + i) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const mixed = new TrackedOrder('mine', 'BTCUSDT', 'BUY', UNIT);
          let newFills = 0;
          for (const update of shuffled) if (mixed.apply(update).fill !== undefined) newFills++;
          assert.equal(mixed.state, inOrder.state);
          assert.equal(mixed.filledQuantity, inOrder.filledQuantity);
          assert.equal(mixed.filledQuote, inOrder.filledQuote);
          assert.deepEqual([...mixed.fills.keys()].sort(), [...inOrder.fills.keys()].sort());
          assert.equal(newFills, parts.length, 'each fill reported once');
          assert.equal(mixed.missingQuantity, 0n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses impossible transitions and overfills, and tracks pending cancels', () => {
    const order = new TrackedOrder('mine', 'BTCUSDT', 'BUY', UNIT);
    order.apply(parseExecutionReport(executionReport({})));
    assert.equal(order.state, 'NEW');
    assert.equal(order.requestCancel(), true);
    assert.equal(order.state, 'PENDING_CANCEL');
    // A fill while the cancel is in flight still counts.
    const partial = order.apply(
      parseExecutionReport(
        executionReport({
          x: 'TRADE',
          X: 'PARTIALLY_FILLED',
          t: 1,
          l: '0.40000000',
          L: '100.00000000',
          z: '0.40000000',
        }),
      ),
    );
    assert.ok(partial.fill !== undefined);
    assert.equal(order.state, 'PENDING_CANCEL');
    order.cancelRefused();
    assert.equal(order.state, 'PARTIALLY_FILLED');
    const overfill = order.apply(
      parseExecutionReport(
        executionReport({
          x: 'TRADE',
          X: 'FILLED',
          t: 2,
          l: '0.70000000',
          L: '100.00000000',
          z: '1.10000000',
        }),
      ),
    );
    assert.equal(overfill.refused, 'OVERFILL');
    order.apply(parseExecutionReport(executionReport({ x: 'CANCELED', X: 'CANCELED', z: '0.40000000' })));
    assert.equal(order.state, 'CANCELED');
    const impossible = order.apply(
      parseExecutionReport(
        executionReport({ x: 'TRADE', X: 'FILLED', t: 3, l: '0.60000000', L: '1.00000000' }),
      ),
    );
    assert.equal(impossible.refused, 'IMPOSSIBLE_TRANSITION');
    assert.equal(order.filledQuantity, 40_000_000n);
    const other = order.apply(parseExecutionReport(executionReport({ i: 8 })));
    assert.equal(other.refused, 'OTHER_ORDER');
    assert.throws(
      () => parseExecutionReport(executionReport({ x: 'TRADE', X: 'FILLED', t: 9, L: 'lots' })),
      RangeError,
    );
    assert.throws(() => parseExecutionReport(executionReport({ X: 'SOMETHING' })));
  });
});
