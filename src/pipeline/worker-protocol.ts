import type { RingDescriptor } from '../shm/index.ts';

/** What the main thread hands a pipeline worker at start (structured-cloned; the rings are shared). */
export interface PipelineWorkerData {
  index: number;
  /** Ticks from the feed to this worker (main thread produces). */
  input: RingDescriptor;
  /** Checked ticks back to the main thread for publishing (this worker produces). */
  output: RingDescriptor;
  /** Int32 words the main thread writes to steer the worker; see CONTROL. */
  control: SharedArrayBuffer;
  /** Float64 counters the worker writes and the main thread reads; see WORKER_COUNTERS. */
  counters: SharedArrayBuffer;
}

/** The one message a worker posts: once, when it starts polling. */
export const WORKER_READY = 'ready';

/** Int32 word indexes in `control`. */
export const CONTROL = { running: 0 } as const;

/**
 * Float64 slots in `counters`. Each is written by the worker only, with plain stores: figures for
 * stats, which may lag by one batch, never for decisions.
 */
export const WORKER_COUNTERS = [
  'processed',
  'gaps',
  'missing',
  'outOfOrder',
  'duplicates',
  'outputTimeouts',
] as const;
export type WorkerCounter = (typeof WORKER_COUNTERS)[number];
export const COUNTER_INDEX = Object.fromEntries(
  WORKER_COUNTERS.map((name, index) => [name, index]),
) as Record<WorkerCounter, number>;
