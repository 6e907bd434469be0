import type { PoolStats } from '../shm/index.ts';
import type { DropReason, InputPolicy } from './pipeline-options.ts';
import { WORKER_COUNTERS, WORKER_FIGURES, type WorkerFigure } from './worker-protocol.ts';

/** Life of one worker index: starting → running → (restarting → running)* → stopped, or → failed (given up). */
export const WORKER_STATES = ['starting', 'running', 'restarting', 'failed', 'stopped'] as const;
export type WorkerState = (typeof WORKER_STATES)[number];

export interface WorkerStats extends Record<WorkerFigure, number> {
  index: number;
  symbols: number;
  /** True while the worker is running (false while it restarts, after it was given up, or stopped). */
  alive: boolean;
  state: WorkerState;
  /** Times this index was restarted after a failure. */
  restarts: number;
  /** Current adaptive batch of the main thread's drain of this worker's output ring. */
  drainBatch: number;
  /** Used / capacity of the input ring now. */
  inputFill: number;
  /** conflate: ticks waiting in the side table. */
  conflationPending: number;
}

export interface QualityStats {
  gaps: number;
  /** Sequence numbers skipped over by gaps. */
  missing: number;
  outOfOrder: number;
  duplicates: number;
  crossed: number;
  spikes: number;
  levelShifts: number;
  /** Ticks flagged `stale`: received more than staleAfterMs after their exchange time. */
  staleTicks: number;
  /** Times a symbol was found silent for staleAfterMs. */
  wentStale: number;
  /** Times a stale symbol ticked again. */
  revived: number;
}

/** Why a raw frame offered to the pipeline was not written. */
export const FRAME_DROP_REASONS = [
  /** the owning worker's input ring had no room (or records waiting for it did not fit first). */
  'ringFull',
  /** the owning worker was down (restarting, or given up). */
  'workerDown',
  /** the frame is larger than one ring record may be (maxFrameBytes). */
  'tooLarge',
] as const;
export type FrameDropReason = (typeof FRAME_DROP_REASONS)[number];

/** Raw frames and the other records the main thread wrote for the workers' normalizers. */
export interface FrameStats {
  /** Frames offered to offerFrame(). */
  offered: number;
  /** Frames written into an input ring. */
  written: number;
  /** Snapshots queued (offerSnapshot). */
  snapshots: number;
  /** Control messages queued (sendControl). */
  controls: number;
  dropped: Record<FrameDropReason, number>;
  /** Snapshots and control messages waiting for room in an input ring now. */
  pendingRecords: number;
}

export interface PipelineStats {
  /**
   * `workers`: worker threads normalize and check, `workers` lists them. `inline` (`workers: 0`):
   * the main thread does, and `workers` is empty; the totals below cover both.
   */
  mode: 'workers' | 'inline';
  symbols: number;
  /** Ticks offered to claim(). */
  ticksIn: number;
  /** Ticks refused because the owning worker's input ring was full (drop-newest); = dropped.ringFull. */
  droppedRingFull: number;
  ticksPublished: number;
  /** Published ticks per second over the last full second. */
  ticksPerSecond: number;
  /** = quality.gaps. */
  flaggedGaps: number;
  /** Used slots over capacity, all rings. */
  ringUtilization: number;
  workers: WorkerStats[];
  rings: PoolStats;
  /** Ticks the workers checked (all incarnations). */
  messagesProcessed: number;
  /** Highest ticksPerSecond seen (1-second windows). */
  peakTicksPerSecond: number;
  dropped: Record<DropReason, number>;
  droppedTotal: number;
  /** Drops per reason over the last full second. */
  droppedPerSecond: Record<DropReason, number>;
  /** Current adaptive batch sizes, per worker. */
  batchSizes: { input: number[]; drain: number[] };
  /** Worker restarts, all indexes. */
  restarts: number;
  workersDown: number;
  quality: QualityStats;
  /** Symbols silent for staleAfterMs now; sample names up to 100 of them (VENUE:SYMBOL). */
  stale: { count: number; sample: string[] };
  inputPolicy: InputPolicy;
  frames: FrameStats;
}

export interface WorkerStatsInput {
  index: number;
  symbols: number;
  state: WorkerState;
  restarts: number;
  /** The live worker's figures (layout WORKER_FIGURES). */
  figures: Float64Array;
  /** Totals of the index's dead workers. */
  retired: Float64Array;
  drainBatch: number;
  conflationPending: number;
  inputFill: number;
}

/** One worker's stats: totals are the dead workers' plus the live one's; gauges are the live one's. */
export function workerStats(input: WorkerStatsInput): WorkerStats {
  const figures = Object.fromEntries(
    WORKER_FIGURES.map((name, i) => [
      name,
      i < WORKER_COUNTERS.length ? input.retired[i]! + input.figures[i]! : input.figures[i]!,
    ]),
  ) as Record<WorkerFigure, number>;
  return {
    index: input.index,
    symbols: input.symbols,
    alive: input.state === 'running',
    state: input.state,
    restarts: input.restarts,
    drainBatch: input.drainBatch,
    inputFill: input.inputFill,
    conflationPending: input.conflationPending,
    ...figures,
  };
}
