import type { Worker } from 'node:worker_threads';
import { type MessageBus, marketDataTopic } from '../bus/index.ts';
import { isTickwireError } from '../errors.ts';
import { type PoolStats, RingConsumer, RingPool, RingProducer, spawnWorker } from '../shm/index.ts';
import { MESSAGE_TYPES, type SymbolRegistry, TICK_BYTES, Tick } from '../wire/index.ts';
import { SymbolPartitioner } from './partitioner.ts';
import {
  CONTROL,
  COUNTER_INDEX,
  type PipelineWorkerData,
  WORKER_COUNTERS,
  WORKER_READY,
  type WorkerCounter,
} from './worker-protocol.ts';

export interface TickPipelineOptions {
  registry: SymbolRegistry;
  bus: MessageBus;
  workers: number;
  /** Slots per ring (a power of two); 16,384 slots of 64 bytes is 1 MiB per ring. */
  ringCapacity?: number;
  /** Told when a worker thread fails; the other partitions keep flowing. */
  onWorkerError?: (index: number, error: unknown) => void;
}

export interface WorkerStats extends Record<WorkerCounter, number> {
  index: number;
  symbols: number;
  alive: boolean;
}

export interface PipelineStats {
  symbols: number;
  ticksIn: number;
  /** Ticks refused because the owning worker's input ring was full (drop-newest). */
  droppedRingFull: number;
  ticksPublished: number;
  /** Published ticks per second over the last full second. */
  ticksPerSecond: number;
  flaggedGaps: number;
  ringUtilization: number;
  workers: WorkerStats[];
  rings: PoolStats;
}

export const DEFAULT_RING_CAPACITY = 16_384;
/** Upper bound on ticks one drain pass publishes from one ring before yielding to other I/O. */
const DRAIN_BATCH = 1_024;
const IDLE_WAIT_MS = 100;
const STOP_GRACE_MS = 2_000;

interface WorkerLink {
  index: number;
  thread: Worker;
  input: RingProducer;
  output: RingConsumer;
  control: Int32Array;
  counters: Float64Array;
  alive: boolean;
  /** The pending wait for output while the drain loop is idle; one at a time per ring. */
  idleWait: Promise<void> | undefined;
}

/**
 * The main thread's half of the tick path. A feed claims a slot in the input ring of the worker
 * that owns the symbol (by jump consistent hash), writes the tick in place and commits it; workers
 * check sequences and hand the ticks back through their output rings; this class drains those and
 * publishes each tick on the bus under its market-data topic.
 *
 * Feeding never blocks the event loop: input rings are drop-newest, and every refusal is counted.
 * Workers block on their output rings instead, so a slow publisher backs up into the input rings,
 * where the drop happens in one visible place.
 */
export class TickPipeline {
  readonly partitioner: SymbolPartitioner;
  private readonly pool = new RingPool();
  private readonly links: WorkerLink[] = [];
  private readonly writer = new Tick();
  private readonly reader = new Tick();
  /** Topic per (symbol id, message type), built on first use. */
  private readonly topics: string[] = [];
  private pending: RingProducer | undefined;
  private ticksIn = 0;
  private droppedRingFull = 0;
  private ticksPublished = 0;
  private publishedAtLastSecond = 0;
  private ticksPerSecond = 0;
  private readonly rateTimer: NodeJS.Timeout;
  private stopped = false;

  private constructor(private readonly options: TickPipelineOptions) {
    this.partitioner = new SymbolPartitioner(options.registry, options.workers);
    this.rateTimer = setInterval(() => {
      this.ticksPerSecond = this.ticksPublished - this.publishedAtLastSecond;
      this.publishedAtLastSecond = this.ticksPublished;
    }, 1_000);
    this.rateTimer.unref();
  }

  /** Starts the worker threads and resolves once they all poll their input. */
  static async start(options: TickPipelineOptions): Promise<TickPipeline> {
    const pipeline = new TickPipeline(options);
    await Promise.all(Array.from({ length: options.workers }, (_, index) => pipeline.startWorker(index)));
    pipeline.drain();
    return pipeline;
  }

  /**
   * Claims the next input slot for `symbolId` and returns a Tick positioned on it, or undefined
   * when the owning worker's ring is full (the tick is dropped and counted). Write the tick, then
   * call commit() before the next claim.
   */
  claim(symbolId: number): Tick | undefined {
    const link = this.links[this.partitioner.workerOf(symbolId)]!;
    this.ticksIn++;
    if (!link.alive || link.input.claim(1) === 0) {
      this.droppedRingFull++;
      return undefined;
    }
    this.pending = link.input;
    return this.writer.wrap(link.input.bytes, link.input.offsetOf(0));
  }

  /** Makes the tick written after the last successful claim() visible to its worker. */
  commit(): void {
    this.pending?.publish(1);
    this.pending = undefined;
  }

  stats(): PipelineStats {
    const balance = this.partitioner.balance();
    const workers = this.links.map((link) => {
      const figures = Object.fromEntries(
        WORKER_COUNTERS.map((name) => [name, link.counters[COUNTER_INDEX[name]]!]),
      ) as Record<WorkerCounter, number>;
      return { index: link.index, symbols: balance.counts[link.index] ?? 0, alive: link.alive, ...figures };
    });
    const rings = this.pool.stats();
    return {
      symbols: this.options.registry.size,
      ticksIn: this.ticksIn,
      droppedRingFull: this.droppedRingFull,
      ticksPublished: this.ticksPublished,
      ticksPerSecond: this.ticksPerSecond,
      flaggedGaps: workers.reduce((sum, worker) => sum + worker.gaps, 0),
      ringUtilization: rings.utilization,
      workers,
      rings,
    };
  }

  /** Stops the workers (they finish their current batch) and the drain loop. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.rateTimer);
    await Promise.all(
      this.links.map(async (link) => {
        Atomics.store(link.control, CONTROL.running, 0);
        const exited = new Promise((resolve) => link.thread.once('exit', resolve));
        const timer = setTimeout(() => void link.thread.terminate(), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private async startWorker(index: number): Promise<void> {
    const capacity = this.options.ringCapacity ?? DEFAULT_RING_CAPACITY;
    const input = this.pool.create(
      { producer: 'main', consumer: `worker-${index}` },
      { capacity, policy: 'drop-newest' },
    );
    const output = this.pool.create(
      { producer: `worker-${index}`, consumer: 'main' },
      { capacity, policy: 'block' },
    );
    const control = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
    const counters = new SharedArrayBuffer(WORKER_COUNTERS.length * Float64Array.BYTES_PER_ELEMENT);
    const link: WorkerLink = {
      index,
      input: new RingProducer(input),
      output: new RingConsumer(output),
      control: new Int32Array(control),
      counters: new Float64Array(counters),
      alive: true,
      idleWait: undefined,
      thread: undefined as unknown as Worker,
    };
    Atomics.store(link.control, CONTROL.running, 1);
    const workerData: PipelineWorkerData = { index, input, output, control, counters };
    link.thread = spawnWorker(new URL('./pipeline-worker.ts', import.meta.url), { workerData });
    link.thread.on('error', (error) => this.options.onWorkerError?.(index, error));
    link.thread.on('exit', (code) => {
      link.alive = false;
      if (!this.stopped)
        this.options.onWorkerError?.(index, new Error(`pipeline worker ${index} exited with code ${code}`));
    });
    this.links[index] = link;
    await new Promise<void>((resolve, reject) => {
      link.thread.once('message', (message) =>
        message === WORKER_READY ? resolve() : reject(new Error(`unexpected message from worker ${index}`)),
      );
      link.thread.once('error', reject);
      link.thread.once('exit', (code) =>
        reject(new Error(`pipeline worker ${index} exited with code ${code} before it was ready`)),
      );
    });
  }

  private readonly publishTick = (bytes: Uint8Array, offset: number): void => {
    const tick = this.reader.wrap(bytes, offset);
    const key = tick.symbolId * MESSAGE_TYPES.length + tick.type - 1;
    const topic = this.topics[key] ?? this.topicFor(key, tick.symbolId, tick.type);
    // A copy: ring slots are reused as soon as this drain pass ends, and subscribers may keep ticks.
    this.options.bus.publish(topic, bytes.slice(offset, offset + TICK_BYTES));
    this.ticksPublished++;
  };

  private topicFor(key: number, symbolId: number, type: number): string {
    const info = this.options.registry.info(symbolId);
    const topic = marketDataTopic(MESSAGE_TYPES[type - 1]!, info.venue, info.symbol);
    this.topics[key] = topic;
    return topic;
  }

  /**
   * Publishes what the output rings hold, then yields to other I/O: again at once while ticks flow,
   * or after a wait on the rings (Atomics.waitAsync, so the event loop stays free) when idle.
   */
  private drain = (): void => {
    if (this.stopped) return;
    let drained = 0;
    for (const link of this.links) drained += link.output.poll(this.publishTick, DRAIN_BATCH);
    if (drained > 0) {
      setImmediate(this.drain);
      return;
    }
    Promise.race(this.links.map((link) => this.idleWaitOf(link))).then(this.drain);
  };

  private idleWaitOf(link: WorkerLink): Promise<void> {
    link.idleWait ??= link.output
      .waitForDataAsync(IDLE_WAIT_MS)
      .catch((error: unknown) => {
        if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
      })
      .finally(() => {
        link.idleWait = undefined;
      });
    return link.idleWait;
  }
}
