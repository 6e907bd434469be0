import { TickwireError } from '../errors.ts';
import { TICK_BYTES, Tick } from '../wire/index.ts';
import {
  type FrameNormalizer,
  importNormalizerFactory,
  type NormalizerFactory,
  type NormalizerListener,
  type NormalizerSink,
  type NormalizerSpec,
} from './normalizer.ts';
import type { QualityOptions, RestartPolicy } from './pipeline-options.ts';
import { type WorkerState, type WorkerStats, workerStats } from './pipeline-stats.ts';
import { emptyRecordMeta, fillRecordMeta, type RecordMeta } from './record-layout.ts';
import { RestartBudget } from './restart-budget.ts';
import { TickQuality } from './tick-quality.ts';
import { FIGURE_INDEX, STALE_LIST_LIMIT, WORKER_COUNTERS, WORKER_FIGURES } from './worker-protocol.ts';

export interface InlinePartitionParts {
  readonly quality: QualityOptions;
  readonly restartPolicy: RestartPolicy;
  readonly normalizer: NormalizerSpec | undefined;
  readonly listeners: ReadonlySet<NormalizerListener>;
  /** Publishes one checked tick (the pipeline's drain does the same for the workers' ticks). */
  readonly publishTick: (bytes: Uint8Array, offset: number) => void;
  /** Every symbol id: all of them lose their state when the partition restarts. */
  readonly symbolIds: () => readonly number[];
  readonly onWorkerError?: (index: number, error: unknown) => void;
  readonly onWorkerRestart?: (index: number, symbolIds: readonly number[]) => void;
  readonly onWorkerGaveUp?: (index: number, restarts: number) => void;
}

/**
 * A pipeline worker's job done on the main thread, for `workers: 0` (the latency profile): the
 * feed's normalizer gets each frame as it is offered, every tick gets the same quality checks
 * and is published before offerFrame returns. No ring, no thread hand-off, so nothing queues and
 * nothing is dropped for lack of room: a main thread that falls behind leaves data in the socket
 * buffers instead. Aeron's shared threading mode makes the same trade on small machines: on 2
 * cores shared with an exchange simulator, waking a worker cost more than the work it took over
 * (docs/PIPELINE.md, "Inline").
 *
 * Faults are isolated as a worker's are: a normalizer or check that throws is dropped with its
 * state, and a fresh one starts under the restart budget; its symbols are reported as restarted
 * so the feed resyncs their books.
 */
export class InlinePartition implements NormalizerSink {
  state: WorkerState = 'running';
  restarts = 0;
  /** Raw frames, snapshots and control records handed to the normalizer. */
  private records = 0;
  private quality: TickQuality;
  private normalizer: FrameNormalizer | undefined;
  private normalizerConfig: string | undefined;
  private readonly bytes = new Uint8Array(TICK_BYTES);
  private readonly tick = new Tick().wrap(this.bytes, 0);
  private readonly meta: RecordMeta = emptyRecordMeta();
  /** The clock the quality checks read (performance.now(), once per record or claim). */
  private nowMs = 0;
  private flushQueued = false;
  private poisonSymbol = -1;
  private readonly budget: RestartBudget;
  private readonly figures = new Float64Array(WORKER_FIGURES.length);
  private readonly retired = new Float64Array(WORKER_FIGURES.length);
  /** The staleness sweep's list, laid out as a worker's (count, then ids). */
  readonly staleList = new Int32Array(1 + STALE_LIST_LIMIT);
  private readonly normalizerLive: Float64Array;
  private readonly normalizerRetired: Float64Array;
  private readonly sweepTimer: NodeJS.Timeout;
  private restartTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly parts: InlinePartitionParts,
    private readonly factory: NormalizerFactory | undefined,
  ) {
    this.quality = new TickQuality(parts.quality);
    this.budget = new RestartBudget(parts.restartPolicy);
    this.normalizerLive = new Float64Array(parts.normalizer?.figures ?? 0);
    this.normalizerRetired = new Float64Array(parts.normalizer?.figures ?? 0);
    this.normalizer = this.createNormalizer();
    this.sweepTimer = setInterval(
      () => this.quality.staleness.sweep(performance.now(), this.staleList),
      parts.quality.staleSweepMs,
    );
    this.sweepTimer.unref();
  }

  /** Loads the normalizer module (as a worker would) and starts the partition. */
  static async start(parts: InlinePartitionParts): Promise<InlinePartition> {
    const factory =
      parts.normalizer === undefined ? undefined : await importNormalizerFactory(parts.normalizer);
    return new InlinePartition(parts, factory);
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** A tick for the caller of TickPipeline.claim to write; commitClaimed checks and publishes it. */
  claimTick(): Tick {
    this.nowMs = performance.now();
    return this.tick;
  }

  commitClaimed(): void {
    try {
      this.commit();
    } catch (error) {
      this.fail(error);
    }
  }

  frame(
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): void {
    this.beginRecord();
    const meta = fillRecordMeta(this.meta, symbolId, source, stream, streamInfo, receiveMs, receiveNanosOfMs);
    try {
      this.normalizer?.frame(bytes, 0, bytes.length, meta);
    } catch (error) {
      this.fail(error);
    }
  }

  snapshot(
    symbolId: number,
    stream: number,
    streamInfo: number,
    bytes: Uint8Array,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): void {
    this.beginRecord();
    const meta = fillRecordMeta(this.meta, symbolId, 0, stream, streamInfo, receiveMs, receiveNanosOfMs);
    try {
      this.normalizer?.snapshot(bytes, 0, bytes.length, meta);
    } catch (error) {
      this.fail(error);
    }
  }

  control(payload: Uint8Array): void {
    this.beginRecord();
    try {
      this.normalizer?.control(payload, 0, payload.length);
    } catch (error) {
      this.fail(error);
    }
  }

  configure(json: string): void {
    this.normalizerConfig = json;
    // A copy, as a worker would get it.
    this.normalizer?.configure(JSON.parse(json) as unknown);
  }

  /** The next tick of `symbolId` throws PIPELINE_TEST_FAULT, as in a worker (tests and drills). */
  poison(symbolId: number): void {
    this.poisonSymbol = symbolId;
  }

  // NormalizerSink: the normalizer writes each tick in place, then commits it.
  claim(_symbolId: number): Tick {
    return this.tick;
  }

  commit(): void {
    const tick = this.tick;
    if (this.poisonSymbol !== -1 && tick.symbolId === this.poisonSymbol) {
      this.poisonSymbol = -1;
      throw new TickwireError(
        'PIPELINE_TEST_FAULT',
        `inline partition met poisoned symbol id ${tick.symbolId}`,
      );
    }
    const flags = this.quality.inspect(tick, this.nowMs);
    if (flags !== 0) tick.addFlags(flags);
    this.parts.publishTick(this.bytes, 0);
  }

  /** The partition's figures as a worker's stats (its totals kept over restarts). */
  stats(symbols: number): WorkerStats {
    const figures = this.figures;
    this.quality.writeCounters(figures);
    figures[FIGURE_INDEX.records] = this.records;
    return workerStats({
      index: 0,
      symbols,
      state: this.state,
      restarts: this.restarts,
      figures,
      retired: this.retired,
      drainBatch: 0,
      conflationPending: 0,
      inputFill: 0,
    });
  }

  /** Totals over the normalizer's restarts, gauges of the live one. */
  normalizerFigures(): Float64Array {
    const totals = this.parts.normalizer?.totals ?? 0;
    const live = this.normalizerLive;
    if (this.normalizer !== undefined) this.normalizer.writeFigures(live);
    else live.fill(0);
    const sum = live.slice();
    for (let i = 0; i < totals; i++) sum[i]! += this.normalizerRetired[i]!;
    return sum;
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    clearTimeout(this.restartTimer);
    this.state = 'stopped';
  }

  /** A record for the normalizer: counted, the checks' clock read, its posts flushed this turn. */
  private beginRecord(): void {
    this.records++;
    this.nowMs = performance.now();
    this.scheduleFlush();
  }

  /**
   * The normalizer posts what it gathered (snapshot requests, …) once per event-loop turn, after
   * the frames of one socket read, as a worker does once per input batch.
   */
  private scheduleFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(this.flush);
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    try {
      this.normalizer?.flush();
    } catch (error) {
      this.fail(error);
    }
  };

  private createNormalizer(): FrameNormalizer | undefined {
    return this.factory?.({
      workerIndex: 0,
      incarnation: this.restarts,
      config:
        this.normalizerConfig === undefined ? undefined : (JSON.parse(this.normalizerConfig) as unknown),
      sink: this,
      post: (message) => {
        for (const listener of this.parts.listeners) listener.onMessage(0, message);
      },
    });
  }

  /** A worker's death, without the thread: keep the totals, drop the state, restart per the budget. */
  private fail(error: unknown): void {
    if (this.state !== 'running') return;
    this.parts.onWorkerError?.(0, error);
    // The quality totals of the state being dropped are kept (records are counted apart).
    const dropped = new Float64Array(WORKER_FIGURES.length);
    this.quality.writeCounters(dropped);
    for (let i = 0; i < WORKER_COUNTERS.length; i++) this.retired[i]! += dropped[i]!;
    const totals = this.parts.normalizer?.totals ?? 0;
    if (this.normalizer !== undefined) {
      this.normalizer.writeFigures(this.normalizerLive);
      for (let i = 0; i < totals; i++) this.normalizerRetired[i]! += this.normalizerLive[i]!;
    }
    this.normalizer = undefined;
    const delay = this.budget.next(performance.now());
    if (delay === undefined) {
      this.state = 'failed';
      this.parts.onWorkerGaveUp?.(0, this.restarts);
      return;
    }
    this.state = 'restarting';
    this.restartTimer = setTimeout(() => this.restart(), delay);
    this.restartTimer.unref();
  }

  private restart(): void {
    if (this.state !== 'restarting') return;
    this.restarts++;
    this.quality = new TickQuality(this.parts.quality);
    this.staleList[0] = 0;
    this.normalizer = this.createNormalizer();
    this.state = 'running';
    const symbolIds = this.parts.symbolIds();
    this.parts.onWorkerRestart?.(0, symbolIds);
    for (const listener of this.parts.listeners) listener.onWorkerRestart?.(0, symbolIds);
  }
}
