import type { Worker } from 'node:worker_threads';
import { RingConsumer, type RingDescriptor, type RingPool, RingProducer } from '../shm/index.ts';
import { AdaptiveBatch } from './adaptive-batch.ts';
import { ConflationBuffer } from './conflation-buffer.ts';
import type { RestartPolicy } from './pipeline-options.ts';
import type { WorkerState } from './pipeline-stats.ts';
import type { PipelineSettings } from './profiles.ts';
import type { PendingRecord } from './record-queue.ts';
import { RecordWriter } from './record-writer.ts';
import { RestartBudget } from './restart-budget.ts';
import { CONTROL_WORDS, STALE_LIST_LIMIT, WORKER_FIGURES } from './worker-protocol.ts';

/** The main thread's side of one worker index: its thread, rings, shared blocks and queues; kept across restarts. */
export interface WorkerLink {
  readonly index: number;
  state: WorkerState;
  thread: Worker | undefined;
  exited: Promise<void>;
  inputRing: RingDescriptor;
  outputRing: RingDescriptor;
  input: RingProducer;
  output: RingConsumer;
  control: Int32Array;
  figures: Float64Array;
  staleList: Int32Array;
  /** Totals of this index's dead workers, added to the live one's in stats. */
  retired: Float64Array;
  retiredDropOldest: number;
  restarts: number;
  readonly budget: RestartBudget;
  restartTimer: NodeJS.Timeout | undefined;
  lastError: unknown;
  readonly drainBatch: AdaptiveBatch;
  /** The side table under the conflate policy. */
  readonly conflation: ConflationBuffer | undefined;
  /** Input slots known to be free (a lower bound), so a claim never fails into a count. */
  freeHint: number;
  /** Writes frames, snapshots and control records into the input ring. */
  writer: RecordWriter;
  /** Control records (and snapshots moved from `snapshots`) waiting for room, oldest first; frames wait behind them (refused). */
  pending: PendingRecord[];
  /**
   * Snapshots waiting for room, oldest first. They do not hold frames back: one moves to `pending`
   * only when it fits with a quarter of the ring to spare, or after SNAPSHOT_MAX_WAIT_MS.
   */
  snapshots: PendingRecord[];
  /** The normalizer's figures (spec.figures Float64), written by the worker. */
  normalizerFigures: Float64Array;
  /** Totals of this index's dead normalizers. */
  retiredNormalizer: Float64Array;
  /** The pending wait for output while the drain loop is idle; one at a time per ring. */
  idleWait: Promise<void> | undefined;
}

/** What a link's rings are made from. */
export type LinkRingSettings = Pick<PipelineSettings, 'ringCapacity' | 'inputPolicy'>;

/** What a new link is made from. */
export type LinkSettings = LinkRingSettings & Pick<PipelineSettings, 'drainBatch' | 'maxConflatedPerWorker'>;

export type LinkRings = Pick<WorkerLink, 'inputRing' | 'outputRing' | 'input' | 'output' | 'writer'>;

export type LinkBlocks = Pick<WorkerLink, 'control' | 'figures' | 'staleList' | 'normalizerFigures'>;

/** A link for worker `index`, not started, with fresh rings and blocks. */
export function newLink(
  index: number,
  pool: RingPool,
  settings: LinkSettings,
  restartPolicy: RestartPolicy,
  normalizerFigures: number,
): WorkerLink {
  return {
    index,
    state: 'starting',
    thread: undefined,
    exited: Promise.resolve(),
    ...createRings(pool, index, settings),
    ...createBlocks(normalizerFigures),
    retired: new Float64Array(WORKER_FIGURES.length),
    retiredDropOldest: 0,
    restarts: 0,
    budget: new RestartBudget(restartPolicy),
    restartTimer: undefined,
    lastError: undefined,
    drainBatch: new AdaptiveBatch(settings.drainBatch),
    conflation:
      settings.inputPolicy === 'conflate' ? new ConflationBuffer(settings.maxConflatedPerWorker) : undefined,
    freeHint: 0,
    pending: [],
    snapshots: [],
    retiredNormalizer: new Float64Array(normalizerFigures),
    idleWait: undefined,
  };
}

/** Fresh input and output rings for worker `index`, replacing any it had in the pool. */
export function createRings(pool: RingPool, index: number, settings: LinkRingSettings): LinkRings {
  const capacity = settings.ringCapacity;
  const inputPair = { producer: 'main', consumer: `worker-${index}` };
  const outputPair = { producer: `worker-${index}`, consumer: 'main' };
  pool.delete(inputPair);
  pool.delete(outputPair);
  // conflate works on the main side; its ring refuses like drop-newest (never asked beyond free).
  const policy = settings.inputPolicy === 'drop-oldest' ? 'drop-oldest' : 'drop-newest';
  const inputRing = pool.create(inputPair, { capacity, policy });
  const outputRing = pool.create(outputPair, { capacity, policy: 'block' });
  const input = new RingProducer(inputRing);
  return {
    inputRing,
    outputRing,
    input,
    output: new RingConsumer(outputRing),
    writer: new RecordWriter(input),
  };
}

/** Fresh shared blocks (control words, figures, stale list, normalizer figures) for one worker. */
export function createBlocks(normalizerFigures: number): LinkBlocks {
  return {
    normalizerFigures: new Float64Array(
      new SharedArrayBuffer(normalizerFigures * Float64Array.BYTES_PER_ELEMENT),
    ),
    control: new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT)),
    figures: new Float64Array(new SharedArrayBuffer(WORKER_FIGURES.length * Float64Array.BYTES_PER_ELEMENT)),
    staleList: new Int32Array(new SharedArrayBuffer((1 + STALE_LIST_LIMIT) * Int32Array.BYTES_PER_ELEMENT)),
  };
}
