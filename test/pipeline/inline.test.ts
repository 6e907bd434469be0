import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';
import { TickPipeline, type TickPipelineOptions } from '../../src/pipeline/index.ts';
import { SymbolRegistry, Tick } from '../../src/wire/index.ts';
import { ECHO_KINDS } from './echo-normalizer.ts';
import { startHarness, waitFor } from './pipeline-harness.ts';

const ECHO = {
  name: 'echo',
  url: new URL('./echo-normalizer.ts', import.meta.url).href,
  figures: 2,
  totals: 1,
};

interface Echoed {
  symbol: number;
  kind: number;
  length: number;
}

/** An inline pipeline (workers: 0) with the echo normalizer, recording every published tick. */
async function startInline(options: Partial<TickPipelineOptions> = {}) {
  const registry = new SymbolRegistry();
  const ids = Array.from({ length: 4 }, (_, i) =>
    registry.register('SIM', `E${i}USDT`, { priceScale: 0, sizeScale: 0 }),
  );
  const bus = new MemoryBus();
  const ticks: Echoed[] = [];
  const reader = new Tick();
  bus.subscribe('md.>', (payload) => {
    reader.wrap(payload as Uint8Array, 0);
    ticks.push({ symbol: reader.symbolId, kind: reader.tradeId, length: reader.price });
  });
  const pipeline = await TickPipeline.start({ registry, bus, workers: 0, normalizer: ECHO, ...options });
  return { pipeline, ids, ticks };
}

const frame = new TextEncoder().encode('{"stream":"x","data":{}}');

describe('TickPipeline inline (workers: 0)', () => {
  let stop: () => Promise<void> = async () => {};
  afterEach(() => stop());

  it('normalizes each frame, snapshot and control record on the spot: its ticks are published before the call returns', async () => {
    const { pipeline, ids, ticks } = await startInline();
    stop = () => pipeline.stop();
    assert.equal(pipeline.workerCount, 1);
    assert.equal(pipeline.workerOf(ids[3]!), 0);
    assert.equal(pipeline.offerFrame(ids[0]!, 1, 0, 0, frame, 1_700_000_000_000, 0), true);
    assert.deepEqual(ticks.at(-1), { symbol: ids[0], kind: ECHO_KINDS.frame, length: frame.length });
    // No ring, so no record limit.
    const big = new Uint8Array(1_000_000);
    assert.equal(pipeline.offerSnapshot(ids[1]!, 0, 0, big, 1_700_000_000_000, 0), true);
    assert.deepEqual(ticks.at(-1), { symbol: ids[1], kind: ECHO_KINDS.snapshot, length: big.length });
    assert.equal(pipeline.sendControl(0, String(ids[2])), true);
    assert.equal(ticks.at(-1)!.kind, ECHO_KINDS.control);
    pipeline.configureNormalizer({ symbolId: ids[3] });
    assert.equal(ticks.at(-1)!.kind, ECHO_KINDS.configure);
    assert.throws(() => pipeline.sendControl(1, '0'), /BAD_CONFIG: worker index 1 does not exist/);

    const tick = pipeline.claim(ids[3]!)!;
    tick.writeTrade(1, ids[3]!, 0, 0, 1, 1, 1, 0, 1, 0, 42, 7, 99);
    pipeline.commit();
    assert.deepEqual(ticks.at(-1), { symbol: ids[3], kind: 99, length: 42 });

    const stats = pipeline.stats();
    assert.equal(stats.mode, 'inline');
    assert.deepEqual(stats.workers, []);
    assert.equal(stats.ticksPublished, 5);
    assert.equal(stats.messagesProcessed, 5, 'every tick went through the quality checks');
    assert.deepEqual(
      [stats.frames.offered, stats.frames.written, stats.frames.snapshots, stats.frames.controls],
      [1, 1, 1, 1],
    );
    assert.equal(stats.droppedTotal, 0);
    assert.deepEqual(Array.from(pipeline.normalizerFigures()), [4, 1], 'records seen, configurations');
  });

  it('has no worker to pause or terminate', async () => {
    const { pipeline } = await startInline();
    stop = () => pipeline.stop();
    await assert.rejects(pipeline.pauseWorker(0), (error) => isTickwireError(error, 'BAD_CONFIG'));
    await assert.rejects(pipeline.terminateWorker(0), (error) => isTickwireError(error, 'BAD_CONFIG'));
  });

  it('restarts after a throw as a worker would: state dropped, symbols reported, totals kept', async () => {
    const events: string[] = [];
    const harness = await startHarness(3, {
      workers: 0,
      restart: { initialDelayMs: 50 },
      onWorkerError: (index, error) => events.push(`error ${index}: ${String(error)}`),
      onWorkerRestart: (index, symbolIds) => events.push(`restart ${index}: ${symbolIds.join(',')}`),
    });
    stop = () => harness.stop();
    const [a, b] = harness.ids as [number, number];
    for (let seq = 1; seq <= 3; seq++) assert.equal(harness.quote(a, seq), true);
    harness.pipeline.injectPoison(b);
    assert.equal(harness.quote(a, 4), true, 'other symbols are not poisoned');
    assert.equal(harness.quote(b, 1), true, 'claimed; the throw comes at commit');
    assert.equal(harness.received.length, 4, 'the poisoned tick is not published');
    assert.match(
      events[0]!,
      /^error 0: TickwireError: PIPELINE_TEST_FAULT: inline partition met poisoned symbol id/,
    );
    assert.equal(harness.quote(a, 5), false, 'refused while restarting');
    assert.equal(harness.pipeline.stats().workersDown, 1);
    await waitFor(() => events.length === 2, 'the restart');
    assert.equal(events[1], `restart 0: ${harness.ids.join(',')}`);
    assert.equal(harness.quote(b, 2), true);
    assert.equal(harness.received.at(-1)!.seq, 2);
    const stats = harness.pipeline.stats();
    assert.equal(stats.restarts, 1);
    assert.equal(stats.workersDown, 0);
    assert.equal(stats.messagesProcessed, 5, 'four before the restart, one after');
    assert.equal(stats.dropped.workerDown, 1);
  });

  it('gives up after its restart budget and refuses frames from then on', async () => {
    const gaveUp: number[] = [];
    const { pipeline, ids } = await startInline({
      restart: { maxRestarts: 1, initialDelayMs: 10 },
      onWorkerGaveUp: (_index, restarts) => gaveUp.push(restarts),
    });
    stop = () => pipeline.stop();
    pipeline.injectPoison(ids[0]!);
    assert.equal(pipeline.offerFrame(ids[0]!, 1, 0, 0, frame, 1_700_000_000_000, 0), true);
    await waitFor(() => pipeline.stats().restarts === 1, 'the first restart');
    pipeline.injectPoison(ids[0]!);
    assert.equal(pipeline.offerFrame(ids[0]!, 1, 0, 0, frame, 1_700_000_000_000, 0), true);
    assert.deepEqual(gaveUp, [1]);
    assert.equal(pipeline.offerFrame(ids[1]!, 1, 0, 0, frame, 1_700_000_000_000, 0), false);
    assert.equal(pipeline.offerSnapshot(ids[1]!, 0, 0, frame, 1_700_000_000_000, 0), false);
    const stats = pipeline.stats();
    assert.equal(stats.frames.dropped.workerDown, 1);
    assert.equal(stats.workersDown, 1);
  });
});
