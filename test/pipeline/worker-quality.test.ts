import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FLAG } from '../../src/wire/index.ts';
import { type Harness, startHarness, waitFor } from './pipeline-harness.ts';

// The same checks in a worker thread and inline on the main thread (workers: 0).
for (const [workers, where] of [
  [1, 'through a real worker'],
  [0, 'inline on the main thread'],
] as const) {
  describe(`data quality ${where}`, () => {
    let harness: Harness;
    before(async () => {
      harness = await startHarness(4, {
        workers,
        quality: { staleAfterMs: 300, staleSweepMs: 20, spikeWarmup: 20, spikeStdDevs: 5 },
      });
    });
    after(() => harness.stop());

    const flagsOf = (symbol: number, seq: number) =>
      harness.received.find((tick) => tick.symbol === symbol && tick.seq === seq)?.flags;

    it('flags gaps, duplicates, crossed quotes, late ticks and spikes in the tick, and counts each', async () => {
      const [a, b] = harness.ids as [number, number];
      harness.trade(a, 1);
      harness.trade(a, 2);
      harness.trade(a, 5); // gap of 2: trade ids are contiguous
      harness.trade(a, 5); // duplicate
      harness.quote(a, 100);
      harness.quote(a, 103); // quote sequences only increase: no gap
      harness.quote(a, 106, 10_020, 10_010); // crossed
      harness.quote(a, 107, 10_000, 10_010, 5_000); // received 5 s late
      for (let seq = 1; seq <= 40; seq++)
        harness.quote(b, seq, 10_000 + (seq % 2) * 10, 10_010 + (seq % 2) * 10);
      harness.quote(b, 41, 15_000, 15_010); // +50 %
      await waitFor(() => harness.received.length === 49, 'all 49 ticks');
      const quality = (flags: number | undefined) =>
        (flags ?? -1) & (FLAG.gap | FLAG.duplicate | FLAG.crossed | FLAG.stale | FLAG.spike);
      assert.deepEqual(
        [1, 2, 5, 100, 103, 106, 107].map((seq) => quality(flagsOf(a, seq))),
        [0, 0, FLAG.gap, 0, 0, FLAG.crossed, FLAG.stale],
      );
      assert.equal(
        harness.received
          .filter((tick) => tick.symbol === a && tick.seq === 5)
          .map((tick) => quality(tick.flags))
          .join(),
        `${FLAG.gap},${FLAG.duplicate}`,
        'the second tick numbered 5 is the duplicate',
      );
      assert.equal(quality(flagsOf(b, 40)), 0);
      assert.equal(quality(flagsOf(b, 41)), FLAG.spike);
      await waitFor(() => harness.pipeline.stats().messagesProcessed === 49, 'the worker figures');
      const stats = harness.pipeline.stats();
      assert.deepEqual(
        [
          stats.quality.gaps,
          stats.quality.missing,
          stats.quality.duplicates,
          stats.quality.crossed,
          stats.quality.staleTicks,
          stats.quality.spikes,
        ],
        [1, 2, 1, 1, 1, 1],
      );
      assert.equal(stats.flaggedGaps, 1);
    });

    it('reports a silent symbol as stale after the sweep, and counts it live again when it ticks', async () => {
      const [a] = harness.ids as [number];
      await waitFor(
        () => harness.pipeline.stats().stale.sample.includes('SIM:S0USDT'),
        'S0USDT to be reported stale',
      );
      const stale = harness.pipeline.stats();
      assert.ok(stale.stale.count >= 1);
      assert.ok(stale.quality.wentStale >= 1);
      assert.equal(stale.quality.revived, 0);
      harness.quote(a, 8);
      await waitFor(() => harness.pipeline.stats().quality.revived === 1, 'S0USDT to be counted live again');
    });
  });
}
