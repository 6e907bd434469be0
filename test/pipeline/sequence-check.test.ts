import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SequenceChecker } from '../../src/pipeline/sequence-check.ts';
import { BAR, BOOK, FLAG, QUOTE, TRADE } from '../../src/wire/index.ts';

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

  it('quotes only have to increase: a jump is no gap, a repeat is a duplicate, a step back out of order', () => {
    const checker = new SequenceChecker();
    assert.equal(checker.check(2, QUOTE, 1_000), 0);
    assert.equal(checker.check(2, QUOTE, 1_037), 0, "bookTicker's u moves with the whole book");
    assert.equal(checker.check(2, QUOTE, 1_037), FLAG.duplicate);
    assert.equal(checker.check(2, QUOTE, 1_020), FLAG.outOfOrder);
    assert.equal(checker.check(2, QUOTE, 1_038), 0);
    assert.deepEqual(checker.counts, { checked: 5, gaps: 0, missing: 0, outOfOrder: 1, duplicates: 1 });
  });

  it('book levels share their update sequence; updates must chain U = last u + 1; a snapshot restarts', () => {
    const checker = new SequenceChecker();
    const level = (u: number, U: number, flags = 0) => checker.check(4, BOOK, u, flags, U);
    // A snapshot at 100 (three levels), then diffs 101..105 and 106..110 (two levels each).
    assert.equal(level(100, 0, FLAG.snapshot), 0);
    assert.equal(level(100, 0, FLAG.snapshot), 0);
    assert.equal(level(100, 0, FLAG.snapshot | FLAG.final), 0);
    assert.equal(level(105, 101), 0, 'the first diff follows the snapshot');
    assert.equal(level(105, 101, FLAG.final), 0, 'levels of one diff share u');
    assert.equal(level(105, 101), FLAG.duplicate, 'a level after the final one repeats the diff');
    assert.equal(level(110, 106), 0, 'consecutive diffs jump by their size');
    assert.equal(level(110, 106, FLAG.final), 0);
    assert.equal(level(120, 115, FLAG.final), FLAG.gap, 'updates 111..114 were missed');
    assert.equal(level(118, 117), FLAG.outOfOrder);
    assert.equal(level(90, 0, FLAG.snapshot | FLAG.final), 0, 'a new snapshot restarts the stream');
    assert.equal(level(95, 91, FLAG.final), 0);
    assert.deepEqual(checker.counts, { checked: 12, gaps: 1, missing: 4, outOfOrder: 1, duplicates: 1 });
  });

  it('does not check bars: their sequence slot carries the volume', () => {
    const checker = new SequenceChecker();
    assert.equal(checker.check(1, BAR, 500), 0);
    assert.equal(checker.check(1, BAR, 20), 0);
    assert.equal(checker.check(1, BAR, 20), 0);
    assert.equal(checker.counts.checked, 3);
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
