import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StaleTracker } from '../../src/pipeline/stale-tracker.ts';

describe('StaleTracker', () => {
  it('marks symbols silent for staleAfterMs at the sweep, lists them, and counts revivals', () => {
    const tracker = new StaleTracker(1_000);
    tracker.seen(1, 0);
    tracker.seen(2, 0);
    tracker.seen(3, 500);
    const list = new Int32Array(8);
    assert.equal(tracker.sweep(900, list), 0, 'nobody silent for 1000 ms yet');
    assert.equal(tracker.sweep(1_200, list), 2);
    assert.deepEqual([...list.subarray(0, 3)], [2, 1, 2]);
    assert.ok(tracker.isStale(1) && tracker.isStale(2) && !tracker.isStale(3));
    assert.equal(tracker.seen(1, 1_300), true, 'a tick revives a stale symbol');
    assert.equal(tracker.seen(3, 1_300), false);
    assert.equal(tracker.sweep(1_400, list), 1);
    assert.deepEqual([...list.subarray(0, 2)], [1, 2]);
    assert.deepEqual(tracker.counts, { wentStale: 2, revived: 1 });
    assert.equal(tracker.sweep(1_500), 1, 'a stale symbol is counted going stale once');
    assert.equal(tracker.counts.wentStale, 2);
  });

  it('ignores symbols that never ticked and lists only as many ids as fit', () => {
    const tracker = new StaleTracker(10);
    for (let id = 100; id < 110; id++) tracker.seen(id, 0);
    const list = new Int32Array(4);
    assert.equal(tracker.sweep(100, list), 10);
    assert.deepEqual([...list], [10, 100, 101, 102]);
  });
});
