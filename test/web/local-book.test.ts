import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LevelChange, LocalBook } from '../../web/src/local-book.ts';

const change = (
  firstUpdateId: number,
  lastUpdateId: number,
  side: 'bid' | 'ask',
  price: number,
  size: string,
): LevelChange => ({ firstUpdateId, lastUpdateId, side, price, size });

describe("the dashboard's local book", () => {
  it('continues a snapshot with the diffs after it, skipping what the snapshot holds', () => {
    const book = new LocalBook();
    // Changes that arrive before the snapshot wait for it.
    assert.equal(book.apply(change(9, 10, 'bid', 99, '5')), 'ignored');
    assert.equal(book.apply(change(11, 12, 'bid', 100, '0')), 'ignored');
    assert.equal(book.apply(change(11, 12, 'ask', 102, '3')), 'ignored');
    const outcome = book.reset({
      lastUpdateId: 10,
      bids: [
        ['100', '1'],
        ['99', '2'],
      ],
      asks: [['101', '1']],
    });
    assert.equal(outcome, 'applied');
    assert.deepEqual(book.top('bid', 5), [[99, '2']], 'the diff 9-10 is in the snapshot; 11-12 removed 100');
    assert.deepEqual(book.top('ask', 5), [
      [101, '1'],
      [102, '3'],
    ]);
    assert.equal(book.apply(change(13, 15, 'ask', 101, '0')), 'applied');
    assert.deepEqual(book.top('ask', 5), [[102, '3']]);
  });

  it('asks for a new snapshot when a diff is missing, and keeps what comes meanwhile', () => {
    const book = new LocalBook();
    book.reset({ lastUpdateId: 20, bids: [['50', '1']], asks: [['51', '1']] });
    assert.equal(book.apply(change(21, 22, 'bid', 50, '2')), 'applied');
    assert.equal(book.apply(change(25, 26, 'bid', 49, '1')), 'resync', 'diffs 23-24 were missed');
    assert.equal(book.synced, false);
    assert.equal(book.apply(change(27, 27, 'ask', 52, '4')), 'ignored');
    assert.equal(book.reset({ lastUpdateId: 26, bids: [['49', '1']], asks: [['51', '1']] }), 'applied');
    assert.deepEqual(book.top('ask', 5), [
      [51, '1'],
      [52, '4'],
    ]);
  });
});
