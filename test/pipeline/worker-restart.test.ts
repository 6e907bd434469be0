import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Harness, splitByWorker, startHarness, waitFor } from './pipeline-harness.ts';

/** Offers one quote per symbol every 5 ms, each symbol's sequence counting up from 1. */
function feedContinuously(harness: Harness): () => void {
  const seq = new Map<number, number>();
  const timer = setInterval(() => {
    for (const id of harness.ids) {
      const next = (seq.get(id) ?? 0) + 1;
      seq.set(id, next);
      harness.quote(id, next);
    }
  }, 5);
  return () => clearInterval(timer);
}

const countOf = (harness: Harness, ids: readonly number[]) => {
  const wanted = new Set(ids);
  return () => harness.received.filter((tick) => wanted.has(tick.symbol)).length;
};

/** No tick is published twice or torn: per symbol, sequences strictly increase. */
function assertIncreasingPerSymbol(harness: Harness): void {
  const last = new Map<number, number>();
  for (const tick of harness.received) {
    assert.ok(
      tick.seq > (last.get(tick.symbol) ?? 0),
      `symbol ${tick.symbol} seq ${tick.seq} after ${last.get(tick.symbol)}`,
    );
    last.set(tick.symbol, tick.seq);
  }
}

describe('worker fault isolation', () => {
  let harness: Harness | undefined;
  let stopFeed = () => {};
  afterEach(async () => {
    stopFeed();
    await harness?.stop();
    harness = undefined;
  });

  it('restarts a terminated worker, keeps the other partition flowing, and reports the symbols to resync', async () => {
    const events: string[] = [];
    let othersAtFailure = -1;
    let othersAtRestart = -1;
    let resynced: readonly number[] = [];
    let others = () => 0;
    harness = await startHarness(16, {
      restart: { initialDelayMs: 500 },
      onWorkerError: (index) => {
        events.push(`error ${index}`);
        othersAtFailure = others();
      },
      onWorkerRestart: (index, symbolIds) => {
        events.push(`restart ${index}`);
        othersAtRestart = others();
        resynced = symbolIds;
      },
    });
    const split = splitByWorker(harness, 0);
    assert.ok(split.owned.length > 0 && split.others.length > 0, 'both workers own symbols');
    others = countOf(harness, split.others);
    const owned = countOf(harness, split.owned);
    stopFeed = feedContinuously(harness);
    await waitFor(() => owned() > 50 && others() > 50, 'ticks from both partitions');

    await harness.pipeline.terminateWorker(0);
    await waitFor(() => events.includes('restart 0'), 'worker 0 to be restarted');
    const ownedAtRestart = owned();
    await waitFor(() => owned() > ownedAtRestart + 50, 'the restarted partition to flow again');
    await waitFor(() => others() > othersAtRestart + 50, 'the other partition to keep flowing');

    assert.deepEqual(events, ['error 0', 'restart 0']);
    assert.ok(othersAtRestart > othersAtFailure, 'the other partition flowed while worker 0 was down');
    assert.deepEqual(
      [...resynced].sort((a, b) => a - b),
      split.owned,
    );
    const stats = harness.pipeline.stats();
    assert.deepEqual(
      stats.workers.map((worker) => [worker.state, worker.restarts]),
      [
        ['running', 1],
        ['running', 0],
      ],
    );
    assert.equal(stats.restarts, 1);
    assert.ok(stats.dropped.workerDown > 0, 'ticks offered while worker 0 was down are counted');
    assert.ok(stats.workers[0]!.processed > 0);
    assertIncreasingPerSymbol(harness);
  });

  it('restarts a worker that threw on a poisoned tick, without the poison, publishing no tick twice', async () => {
    const errors: unknown[] = [];
    let restarted = 0;
    harness = await startHarness(16, {
      restart: { initialDelayMs: 50 },
      onWorkerError: (_index, error) => errors.push(error),
      onWorkerRestart: () => restarted++,
    });
    const split = splitByWorker(harness, 1);
    const poisoned = split.owned[0]!;
    const poisonedCount = countOf(harness, [poisoned]);
    const others = countOf(harness, split.others);
    stopFeed = feedContinuously(harness);
    await waitFor(() => poisonedCount() > 20, 'ticks of the symbol to poison');

    harness.pipeline.injectPoison(poisoned);
    await waitFor(() => restarted === 1, 'worker 1 to be restarted');
    const afterRestart = poisonedCount();
    const othersAfterRestart = others();
    await waitFor(() => poisonedCount() > afterRestart + 20, 'the poisoned symbol to flow again');
    await waitFor(() => others() > othersAfterRestart + 20, 'the other partition to keep flowing');

    // Errors cross the thread boundary as clones: the code survives in the message.
    assert.match(String(errors[0]), /PIPELINE_TEST_FAULT: worker 1 met poisoned symbol id \d+/);
    assert.equal(errors.length, 1, 'an error event, and no second report for the exit');
    const stats = harness.pipeline.stats();
    assert.equal(stats.workers[1]!.restarts, 1);
    assert.equal(stats.workers[0]!.restarts, 0);
    assertIncreasingPerSymbol(harness);
  });

  it('gives a crash-looping worker up after its restart budget; the other worker carries on', async () => {
    const gaveUp: [number, number][] = [];
    let restarted = 0;
    harness = await startHarness(16, {
      restart: { initialDelayMs: 10, maxRestarts: 1 },
      onWorkerRestart: () => restarted++,
      onWorkerGaveUp: (index, restarts) => gaveUp.push([index, restarts]),
    });
    const split = splitByWorker(harness, 0);
    const others = countOf(harness, split.others);
    stopFeed = feedContinuously(harness);
    await harness.pipeline.terminateWorker(0);
    await waitFor(() => restarted === 1, 'the one restart allowed');
    await harness.pipeline.terminateWorker(0);
    await waitFor(() => gaveUp.length === 1, 'the pipeline to give worker 0 up');
    const othersThen = others();
    await waitFor(() => others() > othersThen + 50, 'the other partition to keep flowing');

    assert.deepEqual(gaveUp, [[0, 1]]);
    const stats = harness.pipeline.stats();
    assert.deepEqual(
      stats.workers.map((worker) => [worker.state, worker.alive]),
      [
        ['failed', false],
        ['running', true],
      ],
    );
    assert.equal(stats.workersDown, 1);
    const downBefore = stats.dropped.workerDown;
    assert.equal(harness.quote(split.owned[0]!, 1_000_000), false, 'a failed worker takes no ticks');
    assert.equal(harness.pipeline.stats().dropped.workerDown, downBefore + 1);
  });
});
