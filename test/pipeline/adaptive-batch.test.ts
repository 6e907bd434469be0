import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import { AdaptiveBatch } from '../../src/pipeline/adaptive-batch.ts';

describe('AdaptiveBatch', () => {
  it('doubles while the backlog exceeds the batch, up to max', () => {
    const batch = new AdaptiveBatch({ min: 4, max: 64 });
    assert.deepEqual(
      [1000, 1000, 1000, 1000, 1000, 1000].map((backlog) => batch.next(backlog)),
      [8, 16, 32, 64, 64, 64],
    );
  });

  it('halves once the backlog is under a quarter of the batch, down to min, and holds in between', () => {
    const batch = new AdaptiveBatch({ min: 4, max: 64 });
    for (let i = 0; i < 5; i++) batch.next(1000);
    assert.equal(batch.size, 64);
    assert.equal(batch.next(40), 64, 'between a quarter and the whole batch: unchanged');
    assert.equal(batch.next(16), 64, 'exactly a quarter: unchanged');
    assert.deepEqual(
      [15, 0, 0, 0, 0, 0].map((backlog) => batch.next(backlog)),
      [32, 16, 8, 4, 4, 4],
    );
  });

  it('stays within its bounds for any backlog sequence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.nat(10_000), { maxLength: 100 }),
        (min, extra, backlogs) => {
          const batch = new AdaptiveBatch({ min, max: min + extra });
          for (const backlog of backlogs) {
            const size = batch.next(backlog);
            assert.ok(size >= min && size <= min + extra);
          }
        },
      ),
    );
  });

  it('rejects bounds that are not integers with min <= max', () => {
    assert.throws(
      () => new AdaptiveBatch({ min: 8, max: 4 }),
      (error) =>
        isTickwireError(error, 'BAD_CONFIG') && /batch.min 8 must not exceed batch.max 4/.test(String(error)),
    );
    assert.throws(() => new AdaptiveBatch({ min: 0, max: 4 }), /batch.min must be an integer >= 1, got 0/);
  });
});
