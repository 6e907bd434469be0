import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { depthWeight, fittedSnapshotLimit } from '../../src/feeds/binance/binance-rest.ts';
import { type SnapshotOutcome, SnapshotScheduler } from '../../src/feeds/binance/snapshot-scheduler.ts';
import { waitFor } from './binance-harness.ts';

/** A fetch the test ends by hand: resolve(id, outcome). */
class ManualFetches {
  readonly started: number[] = [];
  private readonly pending = new Map<number, (outcome: SnapshotOutcome) => void>();
  fetch = (id: number): Promise<SnapshotOutcome> => {
    this.started.push(id);
    return new Promise((resolve) => this.pending.set(id, resolve));
  };
  finishAll(outcome: SnapshotOutcome): void {
    for (const id of [...this.pending.keys()]) this.finish(id, outcome);
  }
  finish(id: number, outcome: SnapshotOutcome): void {
    const resolve = this.pending.get(id);
    assert.ok(resolve, `fetch of ${id} under way`);
    this.pending.delete(id);
    resolve(outcome);
  }
}

describe('SnapshotScheduler', () => {
  it('keeps one request per book: repeats while queued or fetched start no second fetch', async () => {
    const fetches = new ManualFetches();
    const scheduler = new SnapshotScheduler(
      { concurrency: 1, perWorker: 10, retryMs: 0 },
      { workerOf: () => 0, backlog: () => 0, fetch: fetches.fetch },
    );
    scheduler.request(1);
    scheduler.request(2);
    scheduler.request(2);
    scheduler.request(1); // being fetched: noted, no second fetch
    assert.deepEqual(fetches.started, [1]);
    assert.equal(scheduler.queued, 1);
    fetches.finish(1, 'delivered'); // answers the repeated request
    await waitFor(() => fetches.started.length === 2, 2_000, 'the next book fetched');
    assert.deepEqual(fetches.started, [1, 2]);
    fetches.finish(2, 'delivered');
    await waitFor(() => scheduler.inFlight === 0, 2_000, 'idle');
    assert.deepEqual(fetches.started, [1, 2]);
    assert.equal(scheduler.queued, 0);
    scheduler.stop();
  });

  it('awaitsFetch: true while a request is queued or waiting to retry, false once its fetch starts', async () => {
    const fetches = new ManualFetches();
    const scheduler = new SnapshotScheduler(
      { concurrency: 1, perWorker: 10, retryMs: 50 },
      { workerOf: () => 0, backlog: () => 0, fetch: fetches.fetch },
    );
    assert.equal(scheduler.awaitsFetch(1), false, 'never asked');
    scheduler.request(1);
    scheduler.request(2);
    assert.equal(scheduler.awaitsFetch(1), false, 'being fetched');
    assert.equal(scheduler.awaitsFetch(2), true, 'queued behind it');
    fetches.finish(1, 'failed'); // asked again by the scheduler, after retryMs
    await waitFor(() => fetches.started.length === 2, 2_000, 'the queued book fetched');
    assert.equal(scheduler.awaitsFetch(1), true, 'waiting to retry');
    assert.equal(scheduler.awaitsFetch(2), false);
    fetches.finish(2, 'delivered');
    await waitFor(() => fetches.started.length === 3, 2_000, 'the retry');
    assert.equal(scheduler.awaitsFetch(1), false);
    fetches.finish(1, 'delivered');
    await waitFor(() => scheduler.inFlight === 0, 2_000, 'idle');
    assert.equal(scheduler.awaitsFetch(1), false, 'answered');
    scheduler.forget(1);
    scheduler.stop();
  });

  it('a request made after the snapshot was handed over is fetched again, though it was delivered', async () => {
    const fetches = new ManualFetches();
    const scheduler = new SnapshotScheduler(
      { concurrency: 2, perWorker: 10, retryMs: 0 },
      { workerOf: () => 0, backlog: () => 0, fetch: fetches.fetch },
    );
    scheduler.request(1);
    scheduler.request(2);
    scheduler.request(1); // before the hand-over: answered by the snapshot being fetched
    scheduler.request(2);
    scheduler.handingOver(1);
    scheduler.handingOver(2);
    scheduler.request(2); // the book saw the snapshot and wants another (it was too old)
    fetches.finish(1, 'delivered');
    fetches.finish(2, 'delivered');
    await waitFor(() => fetches.started.length === 3, 2_000, 'the second fetch of book 2');
    assert.deepEqual(fetches.started, [1, 2, 2]);
    fetches.finish(2, 'delivered');
    await waitFor(() => scheduler.inFlight === 0, 2_000, 'idle');
    assert.deepEqual(fetches.started, [1, 2, 2]);
    scheduler.stop();
  });

  it('fetches again after a failure, and after an undelivered fetch only if asked meanwhile', async () => {
    const fetches = new ManualFetches();
    const scheduler = new SnapshotScheduler(
      { concurrency: 4, perWorker: 10, retryMs: 0 },
      { workerOf: () => 0, backlog: () => 0, fetch: fetches.fetch },
    );
    scheduler.request(1);
    scheduler.request(2);
    scheduler.request(3);
    scheduler.request(3); // asked again while fetched
    fetches.finish(1, 'failed');
    fetches.finish(2, 'dropped');
    fetches.finish(3, 'dropped');
    await waitFor(() => fetches.started.length === 5, 2_000, 'refetches');
    assert.deepEqual(fetches.started.slice(3).sort(), [1, 3]);
    scheduler.stop();
  });

  it('holds back books of a worker with perWorker snapshots fetched or waiting, and serves the others', async () => {
    const fetches = new ManualFetches();
    let backlog0 = 2;
    const scheduler = new SnapshotScheduler(
      { concurrency: 8, perWorker: 3, retryMs: 0 },
      { workerOf: (id) => id % 2, backlog: (worker) => (worker === 0 ? backlog0 : 0), fetch: fetches.fetch },
    );
    for (let id = 0; id < 10; id++) scheduler.request(id);
    // Worker 0: 2 waiting in the pipeline leave room for 1 fetch; worker 1: 3 fetches.
    assert.deepEqual(
      fetches.started.filter((id) => id % 2 === 0),
      [0],
    );
    assert.deepEqual(
      fetches.started.filter((id) => id % 2 === 1),
      [1, 3, 5],
    );
    backlog0 = 0;
    await waitFor(() => fetches.started.filter((id) => id % 2 === 0).length === 3, 2_000, 'worker 0 served');
    assert.equal(scheduler.inFlight, 6);
    scheduler.forget(9);
    // Finish fetches as they start until nothing is left.
    await waitFor(
      () => {
        fetches.finishAll('delivered');
        return scheduler.inFlight === 0 && scheduler.queued === 0;
      },
      2_000,
      'all done',
    );
    assert.ok(!fetches.started.includes(9), 'a forgotten book is not fetched');
    assert.equal(fetches.started.length, 9);
    scheduler.stop();
  });
});

describe('fittedSnapshotLimit', () => {
  it('takes the deepest snapshot whose first fetch for every book fits in half the minute', () => {
    assert.equal(fittedSnapshotLimit(20, 5_000), 1000);
    assert.equal(fittedSnapshotLimit(50, 5_000), 1000);
    assert.equal(fittedSnapshotLimit(51, 5_000), 500);
    assert.equal(fittedSnapshotLimit(100, 5_000), 500);
    assert.equal(fittedSnapshotLimit(101, 5_000), 100);
    assert.equal(fittedSnapshotLimit(50_000, 6_000), 100);
    for (const books of [1, 10, 50, 99, 100, 101, 499, 500]) {
      const limit = fittedSnapshotLimit(books, 5_000);
      if (limit > 100) assert.ok(depthWeight(limit) * books <= 2_500, `${books} books at ${limit}`);
    }
  });
});
