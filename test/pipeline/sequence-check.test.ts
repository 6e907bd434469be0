import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SequenceChecker } from '../../src/pipeline/sequence-check.ts';
import { FLAG, QUOTE, TRADE } from '../../src/wire/index.ts';

describe('SequenceChecker', () => {
  it('passes an unbroken sequence and flags gaps, duplicates and out-of-order ticks', () => {
    const checker = new SequenceChecker();
    assert.equal(checker.check(0, TRADE, 10), 0, 'the first tick of a stream sets its start');
    assert.equal(checker.check(0, TRADE, 11), 0);
    assert.equal(checker.check(0, TRADE, 14), FLAG.gap);
    assert.equal(checker.check(0, TRADE, 14), FLAG.duplicate);
    assert.equal(checker.check(0, TRADE, 12), FLAG.outOfOrder);
    assert.equal(checker.check(0, TRADE, 15), 0, 'a late tick does not move the stream back');
    assert.deepEqual(checker.counts, { checked: 6, gaps: 1, missing: 2, outOfOrder: 1, duplicates: 1 });
  });

  it('keeps separate streams per symbol and per message type', () => {
    const checker = new SequenceChecker();
    assert.equal(checker.check(5, TRADE, 1), 0);
    assert.equal(checker.check(5, QUOTE, 100), 0);
    assert.equal(checker.check(6, TRADE, 50), 0);
    assert.equal(checker.check(5, TRADE, 2), 0);
    assert.equal(checker.check(5, QUOTE, 101), 0);
    assert.equal(checker.check(70_000, TRADE, 1), 0, 'grows for high symbol ids');
    assert.equal(checker.check(70_000, TRADE, 3), FLAG.gap);
  });

  it('starts a stream afresh after reset', () => {
    const checker = new SequenceChecker();
    checker.check(1, TRADE, 5);
    checker.reset(1);
    assert.equal(checker.check(1, TRADE, 900), 0);
  });

  it('counts exactly the numbers a shuffled stream skipped', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 500 }), { minLength: 1, maxLength: 200 }),
        (sequences) => {
          const checker = new SequenceChecker();
          let highest = -1;
          let expectedMissing = 0;
          let expectedLate = 0;
          for (const sequence of sequences) {
            const flags = checker.check(3, TRADE, sequence);
            if (highest === -1 || sequence > highest) {
              if (highest !== -1) expectedMissing += sequence - highest - 1;
              assert.equal(flags, highest === -1 || sequence === highest + 1 ? 0 : FLAG.gap);
              highest = sequence;
            } else {
              expectedLate++;
              assert.equal(flags, FLAG.outOfOrder);
            }
          }
          assert.equal(checker.counts.missing, expectedMissing);
          assert.equal(checker.counts.outOfOrder, expectedLate);
        },
      ),
    );
  });
});
