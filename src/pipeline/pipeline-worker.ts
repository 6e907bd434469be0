/**
 * A pipeline worker thread: owns a partition of the symbols. It takes records from its input ring
 * in adaptive batches: ticks (written by any feed through TickPipeline.claim) are checked and
 * passed on; raw frames, snapshots and control records go to the feed's normalizer, loaded from
 * the URL in the pipeline options, which keeps the partition's per-symbol state (order books,
 * de-duplication) and writes ticks. Every tick gets the per-symbol quality checks (flagging the
 * tick itself: gap, duplicate, out-of-order, crossed, spike, stale) on its way into the output
 * ring, from which the main thread publishes. Nothing is allocated per tick. Between batches it
 * sweeps its symbols for staleness.
 *
 * If it throws it dies: the main thread restarts it with fresh rings (docs/PIPELINE.md).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isTickwireError, TickwireError } from '../errors.ts';
import { RingConsumer, RingProducer } from '../shm/index.ts';
import { Tick } from '../wire/index.ts';
import { AdaptiveBatch } from './adaptive-batch.ts';
import { type FrameNormalizer, importNormalizerFactory } from './normalizer.ts';
import { RecordReader } from './record-reader.ts';
import { TickQuality } from './tick-quality.ts';
import {
  CONTROL,
  FIGURE_INDEX,
  type NormalizerEnvelope,
  type PipelineWorkerData,
  WORKER_FIGURES,
  WORKER_READY,
} from './worker-protocol.ts';
import { OUTPUT_STALL, WorkerOutput } from './worker-output.ts';

/** How long one wait for input (or one nap while paused) lasts before the control words are read again. */
const IDLE_WAIT_MS = 50;
/** How long the worker waits for the main thread to free output slots before counting a stall. */
const OUTPUT_WAIT_MS = 1_000;
/** How often the normalizer's figures are copied to the shared block. */
const NORMALIZER_FIGURES_MS = 20;

const data = workerData as PipelineWorkerData;
const control = new Int32Array(data.control);
const shared = new Float64Array(data.counters);
const staleList = new Int32Array(data.staleList);
const normalizerShared = new Float64Array(data.normalizerFigures);
const input = new RingConsumer(data.input);
const output = new RingProducer(data.output);
const quality = new TickQuality(data.quality);
const batch = new AdaptiveBatch(data.inputBatch);
const sink = new WorkerOutput(output, quality, OUTPUT_WAIT_MS);
/** Figures are gathered here and copied to the shared block once per batch. */
const figures = new Float64Array(WORKER_FIGURES.length);
const normalizerFigures = new Float64Array(normalizerShared.length);
const inTick = new Tick();
let poisonSymbol = -1;
let nextSweepMs = performance.now() + data.quality.staleSweepMs;
let nextNormalizerFiguresMs = 0;

const normalizer = await loadNormalizer();
const reader = new RecordReader(forwardTick, normalizer);

async function loadNormalizer(): Promise<FrameNormalizer | undefined> {
  const spec = data.normalizer;
  if (spec === undefined) return undefined;
  const createNormalizer = await importNormalizerFactory(spec);
  return createNormalizer({
    workerIndex: data.index,
    incarnation: data.incarnation,
    config: data.normalizerConfig === undefined ? undefined : (JSON.parse(data.normalizerConfig) as unknown),
    sink,
    post: (message) => parentPort?.postMessage({ normalizer: message } satisfies NormalizerEnvelope),
  });
}

function forwardTick(bytes: Uint8Array, offset: number): void {
  inTick.wrap(bytes, offset);
  if (inTick.symbolId === poisonSymbol) {
    throw new TickwireError(
      'PIPELINE_TEST_FAULT',
      `worker ${data.index} met poisoned symbol id ${poisonSymbol}`,
    );
  }
  sink.forward(inTick);
}

function publishFigures(): void {
  quality.writeCounters(figures);
  figures[FIGURE_INDEX.outputTimeouts] = sink.timeouts;
  figures[FIGURE_INDEX.outputRefused] = sink.refused;
  figures[FIGURE_INDEX.records] = reader.records;
  figures[FIGURE_INDEX.inputBatch] = batch.size;
  shared.set(figures);
}

function publishNormalizerFigures(nowMs: number): void {
  if (normalizer === undefined || nowMs < nextNormalizerFiguresMs) return;
  nextNormalizerFiguresMs = nowMs + NORMALIZER_FIGURES_MS;
  normalizer.flush();
  normalizer.writeFigures(normalizerFigures);
  normalizerShared.set(normalizerFigures);
}

// Tells the main thread this worker's modules are loaded and it is about to poll (the 'online'
// event comes earlier, before the imports above have run).
parentPort?.postMessage(WORKER_READY);
publishFigures();

while (Atomics.load(control, CONTROL.running) === 1) {
  if (Atomics.load(control, CONTROL.paused) === 1) {
    Atomics.store(control, CONTROL.pausedAck, 1);
    Atomics.wait(control, CONTROL.paused, 1, IDLE_WAIT_MS);
    continue;
  }
  Atomics.store(control, CONTROL.pausedAck, 0);
  const nowMs = performance.now();
  sink.nowMs = nowMs;
  if (nowMs >= nextSweepMs) {
    quality.staleness.sweep(nowMs, staleList);
    nextSweepMs = nowMs + data.quality.staleSweepMs;
    publishFigures();
  }
  publishNormalizerFigures(nowMs);
  const backlog = input.available();
  if (backlog === 0) {
    try {
      input.waitForData(IDLE_WAIT_MS);
    } catch (error) {
      if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
    }
    continue;
  }
  poisonSymbol = control[CONTROL.poisonSymbol]! - 1;
  const size = batch.next(backlog);
  sink.want = Math.min(backlog, size);
  try {
    input.poll(reader.handle, size);
  } catch (error) {
    // A tick found no output slot in time: it stays unread and comes again with the next poll.
    if (error !== OUTPUT_STALL) throw error;
  } finally {
    // Even when a record throws: what came before it was consumed from the input ring, so it goes on.
    sink.flush();
    normalizer?.flush();
  }
  publishFigures();
}
