import type { MessageBus } from '../bus/index.ts';
import { isTickwireError, TickwireError } from '../errors.ts';
import { RingPool, type RingProducer } from '../shm/index.ts';
import { MESSAGE_TYPES, type SymbolRegistry, Tick } from '../wire/index.ts';
import type { ConflationBuffer } from './conflation-buffer.ts';
import { InlinePartition } from './inline-partition.ts';
import type { FrameTransport, NormalizerListener, NormalizerSpec } from './normalizer.ts';
import { SymbolPartitioner } from './partitioner.ts';
import {
  checkNormalizer,
  checkQualityOptions,
  checkRestartPolicy,
  DEFAULT_QUALITY_OPTIONS,
  DEFAULT_RESTART_POLICY,
  type DropReason,
  type QualityOptions,
  type RestartPolicy,
} from './pipeline-options.ts';
import type { PipelineStats } from './pipeline-stats.ts';
import {
  type PipelineProfileName,
  type PipelineSettings,
  type PipelineSettingsOverrides,
  resolvePipelineSettings,
} from './profiles.ts';
import { CONFIG_STREAM, maxRecordBytes } from './record-layout.ts';
import { admitSnapshots, controlRecord, enqueue, flushPending } from './record-queue.ts';
import {
  assembleStats,
  droppedByReason,
  RateSampler,
  sumNormalizerFigures,
  zeroByReason,
  zeroFrameCounts,
} from './stats-assembly.ts';
import { TickDrain } from './tick-drain.ts';
import type { WorkerLink } from './worker-link.ts';
import { WorkerSupervisor } from './worker-supervisor.ts';
import { CONTROL } from './worker-protocol.ts';

export interface TickPipelineOptions extends PipelineSettingsOverrides {
  registry: SymbolRegistry;
  bus: MessageBus;
  /** Defaults for every setting not given explicitly (docs/PIPELINE.md, "Profiles"); throughput by default. */
  profile?: PipelineProfileName;
  quality?: Partial<QualityOptions>;
  restart?: Partial<RestartPolicy>;
  /** Told when a worker thread fails (throws or exits); the other partitions keep flowing. */
  onWorkerError?: (index: number, error: unknown) => void;
  /**
   * Told when a failed worker runs again, with the symbols it owns: their sequence, spike and
   * staleness state starts afresh and ticks were lost, so a feed should resync those books.
   */
  onWorkerRestart?: (index: number, symbolIds: readonly number[]) => void;
  /** Told when a worker failed more often than the restart policy allows: it stays down. */
  onWorkerGaveUp?: (index: number, restarts: number) => void;
  /**
   * The feed normalizer every worker loads, to turn raw frames (offerFrame) into ticks inside the
   * workers, e.g. `binanceNormalizer()` from src/feeds. Not with the drop-oldest input policy.
   */
  normalizer?: NormalizerSpec;
}

/** Kept for readers of the earlier constant; the profile sets the capacity now. */
export const DEFAULT_RING_CAPACITY = 16_384;
const encoder = new TextEncoder();
/** How long a drop-oldest claim may wait for the worker to finish the batch it is reading. */
const DROP_OLDEST_WAIT_MS = 1;

/**
 * The main thread's half of the tick path. A feed claims a slot in the input ring of the worker
 * that owns the symbol (by jump consistent hash), writes the tick in place and commits it; workers
 * check its quality and hand it back through their output rings; this class drains those and
 * publishes each tick on the bus under its market-data topic.
 *
 * Feeding never blocks the event loop: a full input ring triggers the input policy (conflate,
 * drop-oldest or drop-newest), and every tick not delivered as offered is counted by reason.
 * Workers block on their output rings instead, so a slow publisher backs up into the input rings.
 * A worker that fails is restarted with fresh rings under a restart budget while the others keep
 * flowing (docs/PIPELINE.md). With `workers: 0` there are no threads or rings: an InlinePartition
 * does the workers' job on this thread, and every method below hands it the call.
 */
export class TickPipeline implements FrameTransport {
  readonly partitioner: SymbolPartitioner;
  readonly settings: PipelineSettings;
  readonly quality: QualityOptions;
  private readonly pool = new RingPool();
  private readonly links: WorkerLink[] = [];
  private readonly workers: WorkerSupervisor;
  private readonly ticks: TickDrain;
  private readonly writer = new Tick();
  /** Where a conflate claim writes when the ring is full; commit() moves it to the side table. */
  private readonly scratch = new Tick();
  private pendingRing: RingProducer | undefined;
  private pendingConflation: ConflationBuffer | undefined;
  private ticksIn = 0;
  private readonly dropped: Record<DropReason, number> = zeroByReason();
  private readonly rates = new RateSampler();
  private readonly rateTimer: NodeJS.Timeout;
  private readonly listeners = new Set<NormalizerListener>();
  private readonly frameCounts = zeroFrameCounts();
  /** With `workers: 0`: the workers' job, done on this thread (set by start). */
  private inline: InlinePartition | undefined;
  private readonly restartPolicy: RestartPolicy;
  /** Most payload bytes of one frame record (no limit inline: there is no ring). */
  readonly maxFrameBytes: number;

  private constructor(private readonly options: TickPipelineOptions) {
    this.settings = resolvePipelineSettings(options.profile, options);
    this.quality = { ...DEFAULT_QUALITY_OPTIONS, ...options.quality };
    checkQualityOptions(this.quality);
    const restartPolicy: RestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
    checkRestartPolicy(restartPolicy);
    this.restartPolicy = restartPolicy;
    this.partitioner = new SymbolPartitioner(options.registry, Math.max(1, this.settings.workers));
    this.maxFrameBytes =
      this.settings.workers === 0 ? Number.POSITIVE_INFINITY : maxRecordBytes(this.settings.ringCapacity);
    checkNormalizer(options.normalizer, this.settings.inputPolicy, this.maxFrameBytes);
    this.ticks = new TickDrain({
      links: this.links,
      bus: options.bus,
      registry: options.registry,
      drainYieldBudget: this.settings.drainYieldBudget,
      ringCapacity: this.settings.ringCapacity,
      maxFrameBytes: this.maxFrameBytes,
    });
    this.workers = new WorkerSupervisor({
      options,
      settings: this.settings,
      quality: this.quality,
      restartPolicy,
      partitioner: this.partitioner,
      pool: this.pool,
      links: this.links,
      dropped: this.dropped,
      listeners: this.listeners,
      publishTick: this.ticks.publishTick,
    });
    this.rateTimer = setInterval(
      () => this.rates.sample(this.ticks.ticksPublished, droppedByReason(this.links, this.dropped)),
      1_000,
    );
    this.rateTimer.unref();
  }

  /** Starts the worker threads and resolves once they all poll their input (or the inline partition). */
  static async start(options: TickPipelineOptions): Promise<TickPipeline> {
    const pipeline = new TickPipeline(options);
    if (pipeline.settings.workers === 0) {
      pipeline.inline = await InlinePartition.start({
        quality: pipeline.quality,
        restartPolicy: pipeline.restartPolicy,
        normalizer: options.normalizer,
        onWorkerError: options.onWorkerError,
        onWorkerRestart: options.onWorkerRestart,
        onWorkerGaveUp: options.onWorkerGaveUp,
        listeners: pipeline.listeners,
        publishTick: pipeline.ticks.publishTick,
        symbolIds: () => Array.from({ length: options.registry.size }, (_, id) => id),
      });
      return pipeline;
    }
    const workers = pipeline.workers;
    try {
      await Promise.all(
        Array.from({ length: pipeline.settings.workers }, (_, index) =>
          workers.startWorker(workers.newLink(index)),
        ),
      );
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    pipeline.ticks.drain();
    return pipeline;
  }

  /**
   * Claims the next input slot for `symbolId` and returns a Tick positioned on it, or undefined
   * when the tick is dropped (counted by reason). Write the tick, then call commit() before the
   * next claim. Under the conflate policy a full ring hands out a side-table slot instead.
   */
  claim(symbolId: number): Tick | undefined {
    this.ticksIn++;
    const inline = this.inline;
    if (inline !== undefined) {
      if (inline.running) return inline.claimTick();
      this.dropped.workerDown++;
      return undefined;
    }
    const link = this.links[this.partitioner.workerOf(symbolId)]!;
    if (link.state !== 'running') {
      this.dropped.workerDown++;
      return undefined;
    }
    const conflation = link.conflation;
    if (conflation !== undefined) return this.claimConflating(link, conflation);
    const input = link.input;
    if (input.policy === 'drop-newest') {
      if (input.claim(1) === 0) {
        this.dropped.ringFull++;
        return undefined;
      }
      if (link.freeHint > 0) link.freeHint--;
    } else if (!this.claimDroppingOldest(input)) {
      this.dropped.ringFull++;
      return undefined;
    }
    this.pendingRing = input;
    return this.writer.wrap(input.bytes, input.offsetOf(0));
  }

  /** Makes the tick written after the last successful claim() visible to its worker. */
  commit(): void {
    if (this.inline !== undefined) {
      this.inline.commitClaimed();
    } else if (this.pendingRing !== undefined) {
      this.pendingRing.publish(1);
      this.pendingRing = undefined;
    } else if (this.pendingConflation !== undefined) {
      const scratch = this.scratch;
      const key = scratch.symbolId * MESSAGE_TYPES.length + scratch.type - 1;
      this.pendingConflation.put(key, scratch.bytes, 0);
      this.pendingConflation = undefined;
    }
  }

  get normalizerName(): string | undefined {
    return this.options.normalizer?.name;
  }

  /** Worker threads; 1 inline (the main thread owns every symbol). */
  get workerCount(): number {
    return this.partitioner.workers;
  }

  workerOf(symbolId: number): number {
    return this.partitioner.workerOf(symbolId);
  }

  /**
   * Writes one raw frame (e.g. the Buffer `ws` hands over) into the input ring of the worker that
   * owns `symbolId`, for its normalizer, with the receive time the caller stamped. Never blocks;
   * returns false when the frame was refused, counted in stats().frames.dropped by reason. Records
   * still waiting for that worker (snapshots, control messages) go first, so a frame never
   * overtakes a control message sent before it.
   */
  offerFrame(
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean {
    const counts = this.frameCounts;
    counts.offered++;
    const inline = this.inline;
    if (inline !== undefined) {
      if (!inline.running) {
        counts.dropped.workerDown++;
        return false;
      }
      inline.frame(symbolId, source, stream, streamInfo, bytes, receiveMs, receiveNanosOfMs);
      counts.written++;
      return true;
    }
    const link = this.links[this.partitioner.workerOf(symbolId)]!;
    if (link.state !== 'running') {
      counts.dropped.workerDown++;
      return false;
    }
    if (bytes.length > this.maxFrameBytes) {
      counts.dropped.tooLarge++;
      return false;
    }
    if (link.pending.length > 0 && !flushPending(link, this.maxFrameBytes)) {
      counts.dropped.ringFull++;
      return false;
    }
    const writer = link.writer;
    // The free-slot hint saves reading the consumer's cursor per frame; only when it says the
    // ring is full is the cursor read again, for one more try.
    let used = 0;
    for (let attempt = 0; attempt < 2 && used === 0; attempt++) {
      if (attempt === 1) link.freeHint = link.input.freeSlots();
      used = writer.write(
        'frame',
        0,
        symbolId,
        source,
        stream,
        streamInfo,
        receiveMs,
        receiveNanosOfMs,
        bytes,
        0,
        bytes.length,
        link.freeHint,
      );
    }
    if (used === 0) {
      counts.dropped.ringFull++;
      return false;
    }
    link.freeHint -= used;
    counts.written++;
    return true;
  }

  /**
   * Queues a snapshot (e.g. a REST order-book answer, any size: sent in parts when larger than one
   * record) for the normalizer of `symbolId`'s worker, ordered after the frames already written.
   * Returns false when that worker is down (its successor starts empty and asks again).
   */
  offerSnapshot(
    symbolId: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): boolean {
    const inline = this.inline;
    if (inline !== undefined) {
      if (!inline.running) return false;
      this.frameCounts.snapshots++;
      inline.snapshot(symbolId, stream, streamInfo, bytes, receiveMs, receiveNanosOfMs);
      return true;
    }
    const link = this.links[this.partitioner.workerOf(symbolId)]!;
    if (link.state !== 'running') return false;
    this.frameCounts.snapshots++;
    link.snapshots.push({
      type: 'snapshot',
      symbolId,
      stream,
      streamInfo,
      receiveMs,
      receiveNanosOfMs,
      bytes,
      start: 0,
      offeredAt: performance.now(),
    });
    admitSnapshots(link, this.settings.ringCapacity, this.maxFrameBytes);
    return true;
  }

  /**
   * Snapshots offered for worker `index` and not yet in its input ring. A feed that fetches
   * snapshots holds further fetches for that worker while this is high, so a backed-up worker is
   * not handed more than it can take (and fetched bodies do not pile up here).
   */
  snapshotBacklog(index: number): number {
    return this.links[index]?.snapshots.length ?? 0;
  }

  /** Queues a control message (the normalizer's own format) for worker `index`; false when it is down. */
  sendControl(index: number, payload: string): boolean {
    const inline = this.inline;
    if (inline !== undefined) {
      if (index !== 0) {
        throw new TickwireError('BAD_CONFIG', `worker index ${index} does not exist (inline: 0 only)`);
      }
      if (!inline.running) return false;
      this.frameCounts.controls++;
      inline.control(encoder.encode(payload));
      return true;
    }
    const link = this.workers.linkAt(index);
    if (link.state !== 'running') return false;
    this.frameCounts.controls++;
    enqueue(link, controlRecord(0, payload), this.maxFrameBytes);
    return true;
  }

  /** Sets the configuration every normalizer gets: the running ones now (ordered with their frames), later ones at start. */
  configureNormalizer(config: unknown): void {
    const json = JSON.stringify(config);
    this.workers.normalizerConfig = json;
    this.inline?.configure(json);
    for (const link of this.links) {
      if (link.state === 'running') enqueue(link, controlRecord(CONFIG_STREAM, json), this.maxFrameBytes);
    }
  }

  normalizerFigures(): Float64Array {
    if (this.inline !== undefined) return this.inline.normalizerFigures();
    return sumNormalizerFigures(this.links, this.options.normalizer);
  }

  addNormalizerListener(listener: NormalizerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): PipelineStats {
    return assembleStats({
      links: this.links,
      inline: this.inline,
      partitioner: this.partitioner,
      pool: this.pool,
      registry: this.options.registry,
      inputPolicy: this.settings.inputPolicy,
      ticksIn: this.ticksIn,
      ticksPublished: this.ticks.ticksPublished,
      dropped: this.dropped,
      rates: this.rates,
      frameCounts: this.frameCounts,
    });
  }

  /**
   * Makes worker `index` stop taking input (its ring fills up and the input policy acts) and
   * resolves once it has; for tests and drills. Rejects with RING_TIMEOUT if the worker does not
   * answer within `timeoutMs` (e.g. it is down).
   */
  async pauseWorker(index: number, timeoutMs = 5_000): Promise<void> {
    this.requireThreads('pauseWorker');
    return this.workers.pauseWorker(index, timeoutMs);
  }

  resumeWorker(index: number): void {
    this.workers.setControl(index, CONTROL.paused, 0);
  }

  /** Kills worker `index` as a crash would (it is restarted per the restart policy); for tests and drills. */
  async terminateWorker(index: number): Promise<void> {
    this.requireThreads('terminateWorker');
    const link = this.workers.linkAt(index);
    await link.thread?.terminate();
  }

  /**
   * Test and drill hook: the worker owning `symbolId` throws PIPELINE_TEST_FAULT on the next tick of
   * that symbol (mid-batch), then is restarted like any failed worker.
   */
  injectPoison(symbolId: number): void {
    if (this.inline !== undefined) {
      this.inline.poison(symbolId);
      return;
    }
    this.workers.setControl(this.partitioner.workerOf(symbolId), CONTROL.poisonSymbol, symbolId + 1);
  }

  /** Stops the workers (they finish their current batch) and the drain loop. */
  async stop(): Promise<void> {
    if (this.workers.stopped) return;
    this.ticks.stop();
    this.inline?.stop();
    clearInterval(this.rateTimer);
    await this.workers.stop();
  }

  private requireThreads(operation: string): void {
    if (this.inline !== undefined) {
      throw new TickwireError(
        'BAD_CONFIG',
        `TickPipeline.${operation}() needs worker threads; this pipeline runs inline (workers: 0)`,
      );
    }
  }

  private claimDroppingOldest(input: RingProducer): boolean {
    try {
      return input.claim(1, DROP_OLDEST_WAIT_MS) === 1;
    } catch (error) {
      if (isTickwireError(error, 'RING_TIMEOUT')) return false;
      throw error;
    }
  }

  /**
   * conflate: the ring while nothing waits in the side table and a slot is known free; the side
   * table otherwise (after moving into the ring what fits), so ticks of a key stay in order.
   */
  private claimConflating(link: WorkerLink, conflation: ConflationBuffer): Tick {
    if (link.freeHint === 0) link.freeHint = link.input.freeSlots();
    if (conflation.pending > 0 && link.freeHint > 0) {
      link.freeHint -= conflation.flushInto(link.input, link.freeHint);
    }
    if (conflation.pending === 0 && link.freeHint > 0) {
      link.freeHint--;
      link.input.claim(1);
      this.pendingRing = link.input;
      return this.writer.wrap(link.input.bytes, link.input.offsetOf(0));
    }
    this.pendingConflation = conflation;
    return this.scratch;
  }
}
