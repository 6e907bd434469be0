import { availableParallelism } from 'node:os';
import { TickwireError } from '../errors.ts';
import {
  type BatchBounds,
  checkBatchBounds,
  checkInputPolicy,
  checkInteger,
  type InputPolicy,
} from './pipeline-options.ts';

/**
 * The knobs a deployment profile sets. Each profile is a complete set; explicit settings override
 * single fields. docs/PIPELINE.md explains every number.
 */
export interface PipelineSettings {
  /**
   * Pipeline worker threads; 0 runs their job inline on the main thread (no rings, no hand-off:
   * docs/PIPELINE.md, "Inline").
   */
  readonly workers: number;
  /** Slots per ring (a power of two; 64 bytes each). */
  readonly ringCapacity: number;
  /** Adaptive batch of a worker's input poll. */
  readonly inputBatch: BatchBounds;
  /** Adaptive batch of the main thread's drain, per output ring and pass. */
  readonly drainBatch: BatchBounds;
  /** Ticks the main thread publishes in one event-loop turn before it yields to other I/O. */
  readonly drainYieldBudget: number;
  /** What happens to market data when a worker's input ring is full. */
  readonly inputPolicy: InputPolicy;
  /**
   * conflate: most (symbol, type) keys waiting in one worker's side table; beyond, ticks drop.
   * The table takes 64 bytes per key, allocated when the pipeline starts.
   */
  readonly maxConflatedPerWorker: number;
  /** For feeds (exchange adapters): streams subscribed per exchange connection. */
  readonly streamsPerConnection: number;
}

export const PIPELINE_PROFILE_NAMES = ['throughput', 'latency', 'symbols'] as const;
export type PipelineProfileName = (typeof PIPELINE_PROFILE_NAMES)[number];

/** The rings' own limit (src/shm). */
const MAX_RING_CAPACITY = 2 ** 30;

/** One worker per core, the main thread keeping the last one for sockets and publishing. */
const WORKERS = Math.max(1, availableParallelism() - 1);

export const PIPELINE_PROFILES: Readonly<Record<PipelineProfileName, PipelineSettings>> = {
  /** Most ticks per second: big rings and batches, the cheapest full policy. */
  throughput: {
    workers: WORKERS,
    ringCapacity: 16_384,
    inputBatch: { min: 64, max: 512 },
    drainBatch: { min: 256, max: 2_048 },
    drainYieldBudget: 4_096,
    inputPolicy: 'drop-newest',
    maxConflatedPerWorker: 16_384,
    streamsPerConnection: 200,
  },
  /**
   * Least delay: normalized and published on the main thread as each frame arrives (inline), so no
   * tick waits for a thread to wake up. The ring settings below apply only if workers is set.
   */
  latency: {
    workers: 0,
    ringCapacity: 2_048,
    inputBatch: { min: 1, max: 128 },
    drainBatch: { min: 16, max: 256 },
    drainYieldBudget: 1_024,
    inputPolicy: 'conflate',
    maxConflatedPerWorker: 16_384,
    streamsPerConnection: 50,
  },
  /** Many symbols (thousands): the latest value of every symbol matters more than every update. */
  symbols: {
    workers: WORKERS,
    ringCapacity: 32_768,
    inputBatch: { min: 32, max: 1_024 },
    drainBatch: { min: 128, max: 2_048 },
    drainYieldBudget: 4_096,
    inputPolicy: 'conflate',
    maxConflatedPerWorker: 65_536,
    streamsPerConnection: 1_024,
  },
};

/** Settings without a profile: the throughput profile, which matches the pipeline's earlier fixed values. */
export const DEFAULT_PIPELINE_PROFILE: PipelineProfileName = 'throughput';

/** Explicit settings; any field left out comes from the profile. */
export type PipelineSettingsOverrides = {
  readonly [K in keyof PipelineSettings]?: PipelineSettings[K] | undefined;
};

/**
 * The settings of `profile` with `explicitOverrides` on top (an explicit value always wins; an
 * undefined one does not count), checked. Throws BAD_CONFIG naming the key and value.
 */
export function resolvePipelineSettings(
  profile: PipelineProfileName = DEFAULT_PIPELINE_PROFILE,
  explicitOverrides: PipelineSettingsOverrides = {},
): PipelineSettings {
  const base = PIPELINE_PROFILES[profile];
  if (base === undefined) {
    throw new TickwireError(
      'BAD_CONFIG',
      `pipeline profile must be one of ${PIPELINE_PROFILE_NAMES.join(', ')}, got ${JSON.stringify(profile)}`,
    );
  }
  const defined = Object.fromEntries(
    Object.entries(explicitOverrides).filter(([, value]) => value !== undefined),
  ) as Partial<PipelineSettings>;
  const settings: PipelineSettings = { ...base, ...defined };
  checkPipelineSettings(settings);
  if (settings.workers === 0) {
    const unread = RING_SETTINGS.find((key) => key in defined);
    if (unread !== undefined) {
      throw new TickwireError(
        'BAD_CONFIG',
        `${unread} has no effect with workers 0 (inline: no rings); set workers to 1 or more, or leave ${unread} out`,
      );
    }
  }
  return settings;
}

/** Settings only the worker threads' rings read: meaningless inline (workers 0). */
const RING_SETTINGS = [
  'ringCapacity',
  'inputBatch',
  'drainBatch',
  'drainYieldBudget',
  'inputPolicy',
  'maxConflatedPerWorker',
] as const satisfies readonly (keyof PipelineSettings)[];

export function checkPipelineSettings(settings: PipelineSettings): void {
  checkInteger('workers', settings.workers, 0);
  const capacity = settings.ringCapacity;
  if (
    !Number.isInteger(capacity) ||
    capacity < 2 ||
    capacity > MAX_RING_CAPACITY ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new TickwireError(
      'BAD_CONFIG',
      `ringCapacity must be a power of two between 2 and 2^30, got ${String(capacity)}`,
    );
  }
  checkBatchBounds('inputBatch', settings.inputBatch);
  checkBatchBounds('drainBatch', settings.drainBatch);
  checkInteger('drainYieldBudget', settings.drainYieldBudget, 1);
  checkInputPolicy(settings.inputPolicy);
  checkInteger('maxConflatedPerWorker', settings.maxConflatedPerWorker, 1);
  checkInteger('streamsPerConnection', settings.streamsPerConnection, 1);
}
