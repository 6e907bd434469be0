import type { RingDescriptor } from '../shm/index.ts';
import type { NormalizerSpec } from './normalizer.ts';
import type { BatchBounds, QualityOptions } from './pipeline-options.ts';

/** What the main thread hands a pipeline worker at start (structured-cloned; the buffers are shared). */
export interface PipelineWorkerData {
  index: number;
  /** Ticks from the feed to this worker (main thread produces). */
  input: RingDescriptor;
  /** Checked ticks back to the main thread for publishing (this worker produces). */
  output: RingDescriptor;
  /** Int32 words the main thread writes to steer the worker; see CONTROL. */
  control: SharedArrayBuffer;
  /** Float64 figures the worker writes and the main thread reads; see WORKER_FIGURES. */
  counters: SharedArrayBuffer;
  /** Int32: [count, id, id, …] of this worker's stale symbols, rewritten at every sweep. */
  staleList: SharedArrayBuffer;
  /** Bounds of the adaptive input batch (docs/PIPELINE.md, "Adaptive batches"). */
  inputBatch: BatchBounds;
  quality: QualityOptions;
  /** Restarts of this index before this worker (0 for the first). */
  incarnation: number;
  /** The feed normalizer to load, if raw frames are to be normalized in the workers. */
  normalizer: NormalizerSpec | undefined;
  /** Its configuration as JSON (configureNormalizer), if any. */
  normalizerConfig: string | undefined;
  /** Float64 figures the normalizer writes (spec.figures of them). */
  normalizerFigures: SharedArrayBuffer;
}

/** The message a worker posts once, when it starts polling. */
export const WORKER_READY = 'ready';

/** Any other message a worker posts: one its normalizer sent to the main thread. */
export interface NormalizerEnvelope {
  normalizer: unknown;
}

/**
 * Int32 word indexes in `control`:
 * - running: 1 while the worker should poll; the main thread stores 0 to stop it.
 * - paused: 1 makes the worker stop taking input (its ring fills up); for tests and drills.
 * - pausedAck: the worker's answer: 1 while it is paused and takes no input.
 * - poisonSymbol: symbol id + 1 (0 = off). The worker throws PIPELINE_TEST_FAULT on a tick of that
 *   symbol: the test-only way to make a worker fail mid-batch. Read once per batch.
 */
export const CONTROL = { running: 0, paused: 1, poisonSymbol: 2, pausedAck: 3 } as const;
export const CONTROL_WORDS = 4;

/**
 * Float64 totals in `counters`, written by the worker only, with plain stores once per batch:
 * figures for stats, which may lag by one batch, never for decisions. Totals only grow; when a
 * worker is restarted the main thread keeps the dead worker's totals and adds the new one's.
 */
export const WORKER_COUNTERS = [
  'processed',
  'gaps',
  'missing',
  'outOfOrder',
  'duplicates',
  'crossed',
  'spikes',
  /** Spike runs long enough to be taken as a new price level (the reference moves). */
  'levelShifts',
  /** Ticks that arrived later than staleAfterMs after their exchange time (flag `stale`). */
  'staleTicks',
  /** Symbols found silent for staleAfterMs by a sweep. */
  'wentStale',
  /** Stale symbols that ticked again. */
  'revived',
  'outputTimeouts',
  /** Raw frames, snapshots and control records handed to the normalizer. */
  'records',
  /** Ticks a normalizer wrote that found no output slot (the main thread stalled). */
  'outputRefused',
] as const;
export type WorkerCounter = (typeof WORKER_COUNTERS)[number];

/** Float64 gauges after the totals: values of now, replaced rather than summed over restarts. */
export const WORKER_GAUGES = ['staleSymbols', 'inputBatch'] as const;
export type WorkerGauge = (typeof WORKER_GAUGES)[number];

export const WORKER_FIGURES = [...WORKER_COUNTERS, ...WORKER_GAUGES] as const;
export type WorkerFigure = WorkerCounter | WorkerGauge;
export const FIGURE_INDEX = Object.fromEntries(WORKER_FIGURES.map((name, index) => [name, index])) as Record<
  WorkerFigure,
  number
>;
/** Kept for readers of the earlier name. */
export const COUNTER_INDEX = FIGURE_INDEX;

/** Most stale symbol ids a worker lists (the count is exact beyond it). */
export const STALE_LIST_LIMIT = 256;
