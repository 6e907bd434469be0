import { TickwireError } from '../errors.ts';
import type { Tick } from '../wire/index.ts';
import type { RecordMeta } from './record-layout.ts';

/**
 * The contract between the pipeline and a feed's normalizer: the code that turns an exchange's raw
 * frames into ticks inside the worker that owns the frame's symbol (docs/PIPELINE.md, "Raw frames
 * and normalizers"). The main thread only moves bytes; each worker loads the normalizer module
 * named in the pipeline options and hands it the frames, snapshots and control records of its
 * partition, in ring order. Ticks it writes go through the worker's quality checks to the output
 * ring.
 */

/** Where a normalizer writes ticks: claim a tick for a symbol, write it in place, commit. */
export interface NormalizerSink {
  /** A tick to write in place, or undefined when the output refused it (count it). */
  claim(symbolId: number): Tick | undefined;
  commit(): void;
}

/** Which normalizer the workers load; structured-cloned into every worker. */
export interface NormalizerSpec {
  /** The feed's name for it; a feed checks it was given its own normalizer. */
  readonly name: string;
  /** URL (file:…) of a module exporting `createNormalizer: NormalizerFactory`. */
  readonly url: string;
  /** How many Float64 figures the normalizer reports (writeFigures). */
  readonly figures: number;
  /** The first `totals` figures are totals (kept across worker restarts and summed); the rest are gauges. */
  readonly totals: number;
}

/** What a normalizer gets when its worker starts. */
export interface NormalizerContext {
  readonly workerIndex: number;
  /** 0 for the first worker of this index, n after n restarts: per-symbol state was lost before it. */
  readonly incarnation: number;
  /** The last configuration the feed gave (configureNormalizer), or undefined. */
  readonly config: unknown;
  readonly sink: NormalizerSink;
  /** Sends a message to the main thread's normalizer listeners (rare events: batch them). */
  post(message: unknown): void;
}

/**
 * A feed's per-worker normalizer. Byte ranges are views into the shared input ring (or the
 * worker's join buffer for records sent in parts): valid only during the call.
 */
export interface FrameNormalizer {
  /** One raw frame as it came off the socket, with the header's facts. */
  frame(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void;
  /** A snapshot the main thread fetched on the normalizer's request. */
  snapshot(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void;
  /** A control message from the feed (its own format), ordered with the frames. */
  control(bytes: Uint8Array, start: number, length: number): void;
  /** A new configuration (configureNormalizer). */
  configure(config: unknown): void;
  /** Called after each input batch and when idle: post what was gathered. */
  flush(): void;
  /** Writes the spec's `figures` numbers (totals first). */
  writeFigures(figures: Float64Array): void;
}

export type NormalizerFactory = (context: NormalizerContext) => FrameNormalizer;

/** Imports the spec's module and returns its `createNormalizer` (a worker thread, or the inline partition). */
export async function importNormalizerFactory(spec: NormalizerSpec): Promise<NormalizerFactory> {
  const module = (await import(spec.url)) as { createNormalizer?: NormalizerFactory };
  if (typeof module.createNormalizer !== 'function') {
    throw new TickwireError('BAD_CONFIG', `normalizer module ${spec.url} does not export createNormalizer`);
  }
  return module.createNormalizer;
}

/** What a feed hears from its normalizers and about the workers that host them. */
export interface NormalizerListener {
  /** A message a normalizer posted. */
  onMessage(workerIndex: number, message: unknown): void;
  /** A worker was restarted: its normalizer starts empty for `symbolIds`. */
  onWorkerRestart?(workerIndex: number, symbolIds: readonly number[]): void;
}

/**
 * How a feed moves raw frames to its normalizers: the TickPipeline (normalizers in the workers)
 * or an InProcessTransport (one normalizer on the calling thread, for tests and tools).
 */
export interface FrameTransport {
  /** The normalizer loaded, or undefined when there is none. */
  readonly normalizerName: string | undefined;
  readonly workerCount: number;
  /** Most payload bytes one frame may have. */
  readonly maxFrameBytes: number;
  workerOf(symbolId: number): number;
  /**
   * Hands one raw frame to the normalizer that owns `symbolId`. Returns false when it was refused
   * (ring full, worker down, frame too large), counted by the transport.
   */
  offerFrame(
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean;
  /** Queues a snapshot (any size: sent in parts if needed) for `symbolId`'s normalizer; false if its worker is down. */
  offerSnapshot(
    symbolId: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean;
  /** Snapshots waiting for room in worker `workerIndex`'s input ring (0 for an unknown index). */
  snapshotBacklog(workerIndex: number): number;
  /** Queues a control message for worker `workerIndex`, ordered before any later frame; false if it is down. */
  sendControl(workerIndex: number, payload: string): boolean;
  /** Sets the configuration every normalizer (also a restarted one) gets. */
  configureNormalizer(config: unknown): void;
  /** The normalizers' figures: totals summed over all workers and their restarts, gauges over live ones. */
  normalizerFigures(): Float64Array;
  /** Returns a function that removes the listener. */
  addNormalizerListener(listener: NormalizerListener): () => void;
}
