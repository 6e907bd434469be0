import { TickwireError } from '../errors.ts';
import type { NormalizerSpec } from './normalizer.ts';

/**
 * What the main thread does with a market-data tick when the owning worker's input ring is full.
 * Trading events never take this path: they go on the bus directly, not through these rings.
 * - conflate: keep the latest tick per (symbol, type) in a side table, flushed into the ring when
 *   space frees up; a tick that stands for replaced ones carries FLAG.conflated.
 * - drop-oldest: discard the oldest unread ticks in the ring to make room (keeps the freshest).
 * - drop-newest: refuse the new tick (keeps the oldest; the cheapest: lock-free, no side table).
 */
export const INPUT_POLICIES = ['conflate', 'drop-oldest', 'drop-newest'] as const;
export type InputPolicy = (typeof INPUT_POLICIES)[number];

/** Why a tick offered to the pipeline was not published as offered. */
export const DROP_REASONS = [
  /** drop-newest: refused because the input ring was full. */
  'ringFull',
  /** drop-oldest: discarded unread from a full input ring. */
  'dropOldest',
  /** conflate: replaced in the side table by a later tick of the same symbol and type. */
  'conflated',
  /** conflate: the side table held maxConflatedPerWorker keys already. */
  'conflationOverflow',
  /** the owning worker was down (restarting, or given up). */
  'workerDown',
  /** left unread in a dead worker's input ring or side table when it was replaced. */
  'restartLost',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface BatchBounds {
  readonly min: number;
  readonly max: number;
}

/** Per-symbol data-quality checks in the workers (docs/PIPELINE.md, "Data quality"). */
export interface QualityOptions {
  /** A log return further than this many standard deviations from the mean is a spike. */
  readonly spikeStdDevs: number;
  /** A log return smaller than this many basis points is never a spike. */
  readonly spikeMinBps: number;
  /** EWMA span, in returns, of the mean and variance: alpha = 2 / (window + 1). */
  readonly spikeWindow: number;
  /** Returns seen per stream before spikes are flagged. */
  readonly spikeWarmup: number;
  /** Consecutive spikes after which the new level is accepted as the reference price. */
  readonly spikeConfirmTicks: number;
  /**
   * A symbol silent this long is stale (found by the sweep), and a tick received this long after
   * its exchange time is flagged `stale`.
   */
  readonly staleAfterMs: number;
  /** How often a worker sweeps its symbols for staleness. */
  readonly staleSweepMs: number;
}

export const DEFAULT_QUALITY_OPTIONS: QualityOptions = {
  spikeStdDevs: 8,
  spikeMinBps: 10,
  spikeWindow: 50,
  spikeWarmup: 50,
  spikeConfirmTicks: 3,
  staleAfterMs: 10_000,
  staleSweepMs: 1_000,
};

/** How failed workers are restarted (docs/PIPELINE.md, "Fault isolation"). */
export interface RestartPolicy {
  /** Delay before the first restart; doubled for each further restart inside the window. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Restarts allowed per worker within windowMs; one more failure and the worker stays down. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

export function checkBatchBounds(name: string, bounds: BatchBounds): void {
  checkInteger(`${name}.min`, bounds.min, 1);
  checkInteger(`${name}.max`, bounds.max, 1);
  if (bounds.min > bounds.max) {
    throw new TickwireError(
      'BAD_CONFIG',
      `${name}.min ${bounds.min} must not exceed ${name}.max ${bounds.max}`,
    );
  }
}

export function checkQualityOptions(options: QualityOptions): void {
  checkPositive('quality.spikeStdDevs', options.spikeStdDevs);
  checkInteger('quality.spikeMinBps', options.spikeMinBps, 0);
  checkInteger('quality.spikeWindow', options.spikeWindow, 1);
  checkInteger('quality.spikeWarmup', options.spikeWarmup, 0);
  checkInteger('quality.spikeConfirmTicks', options.spikeConfirmTicks, 1);
  checkPositive('quality.staleAfterMs', options.staleAfterMs);
  checkPositive('quality.staleSweepMs', options.staleSweepMs);
}

export function checkRestartPolicy(policy: RestartPolicy): void {
  checkPositive('restart.initialDelayMs', policy.initialDelayMs);
  checkPositive('restart.maxDelayMs', policy.maxDelayMs);
  checkInteger('restart.maxRestarts', policy.maxRestarts, 0);
  checkPositive('restart.windowMs', policy.windowMs);
}

export function checkInputPolicy(policy: string): asserts policy is InputPolicy {
  if (!(INPUT_POLICIES as readonly string[]).includes(policy)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `inputPolicy must be one of ${INPUT_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`,
    );
  }
}

export function checkNormalizer(
  spec: NormalizerSpec | undefined,
  policy: string,
  maxFrameBytes: number,
): void {
  if (spec === undefined) return;
  if (typeof spec.url !== 'string' || !spec.url.startsWith('file:')) {
    throw new TickwireError(
      'BAD_CONFIG',
      `normalizer.url must be a file: URL, got ${JSON.stringify(spec.url)}`,
    );
  }
  if (!(
    Number.isInteger(spec.figures) &&
    Number.isInteger(spec.totals) &&
    spec.totals >= 0 &&
    spec.totals <= spec.figures
  )) {
    throw new TickwireError(
      'BAD_CONFIG',
      `normalizer.totals must be an integer between 0 and normalizer.figures (${String(spec.figures)}), got ${String(spec.totals)}`,
    );
  }
  if (policy === 'drop-oldest') {
    // Dropping the oldest slots could cut a multi-slot record in two.
    throw new TickwireError(
      'BAD_CONFIG',
      'inputPolicy drop-oldest cannot carry raw frames to a normalizer; use drop-newest or conflate',
    );
  }
  if (maxFrameBytes < 1_024) {
    throw new TickwireError(
      'BAD_CONFIG',
      `ringCapacity is too small for raw frames: records of at most ${maxFrameBytes} bytes fit, at least 1024 are needed`,
    );
  }
}

export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TickwireError('BAD_CONFIG', `${name} must be an integer >= ${min}, got ${String(value)}`);
  }
}

function checkPositive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TickwireError('BAD_CONFIG', `${name} must be a positive number, got ${String(value)}`);
  }
}
