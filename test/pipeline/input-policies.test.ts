import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { InputPolicy } from '../../src/pipeline/index.ts';
import { FLAG } from '../../src/wire/index.ts';
import { type Harness, startHarness, waitFor } from './pipeline-harness.ts';

const CAPACITY = 16;

describe('input policies on a full ring (worker paused)', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function pausedHarness(inputPolicy: InputPolicy): Promise<Harness> {
    harness = await startHarness(3, { workers: 1, ringCapacity: CAPACITY, inputPolicy });
    await harness.pipeline.pauseWorker(0);
    return harness;
  }

  it('drop-newest refuses what does not fit and counts it', async () => {
    const { pipeline, ids, quote, received } = await pausedHarness('drop-newest');
    const accepted = Array.from({ length: 26 }, (_, i) => quote(ids[0]!, i + 1));
    assert.deepEqual(accepted, [...Array(16).fill(true), ...Array(10).fill(false)]);
    assert.equal(pipeline.stats().dropped.ringFull, 10);
    assert.equal(pipeline.stats().droppedRingFull, 10);
    pipeline.resumeWorker(0);
    await waitFor(() => received.length === 16, '16 ticks');
    assert.deepEqual(
      received.map((tick) => tick.seq),
      Array.from({ length: 16 }, (_, i) => i + 1),
      'the oldest ticks are kept',
    );
    const stats = pipeline.stats();
    assert.equal(stats.droppedTotal, 10);
    assert.equal(stats.messagesProcessed, 16);
    assert.equal(stats.ticksIn, 26);
    const { inputBatch, drainBatch } = pipeline.settings;
    assert.ok(stats.batchSizes.input[0]! >= inputBatch.min && stats.batchSizes.input[0]! <= inputBatch.max);
    assert.ok(stats.batchSizes.drain[0]! >= drainBatch.min && stats.batchSizes.drain[0]! <= drainBatch.max);
    assert.ok(stats.peakTicksPerSecond >= stats.ticksPerSecond);
    assert.equal(stats.inputPolicy, 'drop-newest');
  });

  it('drop-oldest takes every tick and discards the oldest unread ones', async () => {
    const { pipeline, ids, quote, received } = await pausedHarness('drop-oldest');
    const accepted = Array.from({ length: 26 }, (_, i) => quote(ids[0]!, i + 1));
    assert.ok(accepted.every(Boolean));
    assert.equal(pipeline.stats().dropped.dropOldest, 10);
    pipeline.resumeWorker(0);
    await waitFor(() => received.length === 16, '16 ticks');
    assert.deepEqual(
      received.map((tick) => tick.seq),
      Array.from({ length: 16 }, (_, i) => i + 11),
      'the newest ticks are kept',
    );
    assert.equal(pipeline.stats().dropped.ringFull, 0);
  });

  it('conflate keeps the latest tick per symbol while the ring is full and delivers it, flagged, when space frees', async () => {
    const { pipeline, ids, quote, received } = await pausedHarness('conflate');
    const [a, b, c] = ids as [number, number, number];
    for (let seq = 1; seq <= CAPACITY; seq++) assert.ok(quote(a, seq), 'fills the ring');
    // The ring is full: these wait in the side table, one per symbol.
    for (let seq = 1; seq <= 10; seq++) {
      assert.ok(quote(b, seq, 20_000 + seq, 20_100));
      assert.ok(quote(c, seq, 30_000 + seq, 30_100));
    }
    quote(a, 17, 10_017, 10_100);
    let stats = pipeline.stats();
    assert.equal(stats.dropped.conflated, 18, 'b and c: 9 replaced each');
    assert.equal(stats.workers[0]!.conflationPending, 3);
    assert.equal(stats.dropped.ringFull, 0);

    pipeline.resumeWorker(0);
    await waitFor(() => received.length === CAPACITY + 3, 'the ring and the side table');
    const waited = received.slice(CAPACITY);
    assert.deepEqual(
      waited.map((tick) => [tick.symbol, tick.seq, tick.bid, (tick.flags & FLAG.conflated) !== 0]),
      [
        [b, 10, 20_010, true],
        [c, 10, 30_010, true],
        [a, 17, 10_017, false],
      ],
      'the latest value per symbol, in first-arrival order; a tick that replaced none is not flagged',
    );
    stats = pipeline.stats();
    assert.equal(stats.workers[0]!.conflationPending, 0);
    // With the side table empty, ticks go straight to the ring again.
    assert.ok(quote(a, 18));
    await waitFor(() => received.length === CAPACITY + 4, 'a tick after the flush');
    assert.equal(received.at(-1)!.flags & FLAG.conflated, 0);
  });
});
