import type { Worker } from 'node:worker_threads';
import { TickwireError } from '../errors.ts';
import { type RingPool, readRingStats, spawnWorker } from '../shm/index.ts';
import type { SymbolRegistry } from '../wire/index.ts';
import type { NormalizerListener, NormalizerSpec } from './normalizer.ts';
import type { SymbolPartitioner } from './partitioner.ts';
import type { DropReason, QualityOptions, RestartPolicy } from './pipeline-options.ts';
import type { PipelineSettings } from './profiles.ts';
import { createBlocks, createRings, newLink, type WorkerLink } from './worker-link.ts';
import {
  CONTROL,
  type NormalizerEnvelope,
  type PipelineWorkerData,
  WORKER_COUNTERS,
  WORKER_READY,
} from './worker-protocol.ts';

const STOP_GRACE_MS = 2_000;
/** How often pauseWorker looks for the worker's answer. */
const PAUSE_POLL_MS = 5;

/** The pipeline options a supervisor reads (at the time it needs them). */
export interface SupervisedOptions {
  readonly registry: SymbolRegistry;
  readonly normalizer?: NormalizerSpec;
  readonly onWorkerError?: (index: number, error: unknown) => void;
  readonly onWorkerRestart?: (index: number, symbolIds: readonly number[]) => void;
  readonly onWorkerGaveUp?: (index: number, restarts: number) => void;
}

export interface SupervisorParts {
  readonly options: SupervisedOptions;
  readonly settings: PipelineSettings;
  readonly quality: QualityOptions;
  readonly restartPolicy: RestartPolicy;
  readonly partitioner: SymbolPartitioner;
  readonly pool: RingPool;
  /** The links, by worker index; filled by newLink, shared with the pipeline's hot paths. */
  readonly links: WorkerLink[];
  /** The pipeline's drop counts, where what a dead worker left unread is added (restartLost). */
  readonly dropped: Record<DropReason, number>;
  readonly listeners: ReadonlySet<NormalizerListener>;
  /** Publishes one tick from an output ring: what a dead worker had already passed on still goes out. */
  readonly publishTick: (bytes: Uint8Array, offset: number) => void;
}

/**
 * Starts the pipeline's worker threads, restarts a failed one with fresh rings under its restart
 * budget while the others keep flowing, and stops them all (docs/PIPELINE.md, "Fault isolation").
 */
export class WorkerSupervisor {
  /** The configuration every normalizer gets at start (JSON), the last one configured. */
  normalizerConfig: string | undefined;
  private isStopped = false;

  constructor(private readonly parts: SupervisorParts) {}

  get stopped(): boolean {
    return this.isStopped;
  }

  newLink(index: number): WorkerLink {
    const { parts } = this;
    const link = newLink(
      index,
      parts.pool,
      parts.settings,
      parts.restartPolicy,
      parts.options.normalizer?.figures ?? 0,
    );
    parts.links[index] = link;
    return link;
  }

  /** Starts the link's thread on its current rings and resolves once it polls; rejects if it fails first. */
  async startWorker(link: WorkerLink): Promise<void> {
    const { options } = this.parts;
    link.state = 'starting';
    Atomics.store(link.control, CONTROL.running, 1);
    const workerData: PipelineWorkerData = {
      index: link.index,
      input: link.inputRing,
      output: link.outputRing,
      control: link.control.buffer as SharedArrayBuffer,
      counters: link.figures.buffer as SharedArrayBuffer,
      staleList: link.staleList.buffer as SharedArrayBuffer,
      inputBatch: this.parts.settings.inputBatch,
      quality: this.parts.quality,
      incarnation: link.restarts,
      normalizer: options.normalizer,
      normalizerConfig: this.normalizerConfig,
      normalizerFigures: link.normalizerFigures.buffer as SharedArrayBuffer,
    };
    const thread = spawnWorker(new URL('./pipeline-worker.ts', import.meta.url), { workerData });
    link.thread = thread;
    link.lastError = undefined;
    link.exited = new Promise((resolve) => thread.once('exit', () => resolve()));
    thread.on('error', (error) => {
      link.lastError = error;
      options.onWorkerError?.(link.index, error);
    });
    thread.on('exit', (code) => this.onWorkerExit(link, thread, code));
    await new Promise<void>((resolve, reject) => {
      thread.on('message', (message: unknown) => {
        if (message === WORKER_READY) resolve();
        else if (typeof message === 'object' && message !== null && 'normalizer' in message) {
          if (link.thread === thread)
            this.hearNormalizer(link.index, (message as NormalizerEnvelope).normalizer);
        } else reject(new Error(`unexpected message from worker ${link.index}`));
      });
      thread.once('exit', (code) =>
        reject(new Error(`pipeline worker ${link.index} exited with code ${code} before it was ready`)),
      );
    });
    if (link.thread === thread && !this.isStopped) {
      link.freeHint = 0;
      link.state = 'running';
    }
  }

  /** The link of worker `index`; throws when the pipeline was stopped or there is no such worker. */
  linkAt(index: number): WorkerLink {
    if (this.isStopped)
      throw new TickwireError('PIPELINE_STOPPED', `worker ${index}: the pipeline was stopped`);
    const links = this.parts.links;
    const link = links[index];
    if (link === undefined) {
      throw new TickwireError(
        'BAD_CONFIG',
        `worker index ${index} does not exist (workers 0..${links.length - 1})`,
      );
    }
    return link;
  }

  setControl(index: number, word: number, value: number): void {
    const control = this.linkAt(index).control;
    Atomics.store(control, word, value);
    Atomics.notify(control, word);
  }

  /** Sets worker `index`'s paused word and resolves once it answers; RING_TIMEOUT after `timeoutMs`. */
  async pauseWorker(index: number, timeoutMs: number): Promise<void> {
    this.setControl(index, CONTROL.paused, 1);
    const deadline = performance.now() + timeoutMs;
    while (Atomics.load(this.linkAt(index).control, CONTROL.pausedAck) !== 1) {
      if (performance.now() > deadline) {
        throw new TickwireError(
          'RING_TIMEOUT',
          `worker ${index} did not pause within timeoutMs=${timeoutMs}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS));
    }
  }

  /** Stops the workers (they finish their current batch); no restart is scheduled from now on. */
  async stop(): Promise<void> {
    this.isStopped = true;
    await Promise.all(
      this.parts.links.map(async (link) => {
        clearTimeout(link.restartTimer);
        Atomics.store(link.control, CONTROL.running, 0);
        Atomics.store(link.control, CONTROL.paused, 0);
        Atomics.notify(link.control, CONTROL.paused);
        const thread = link.thread;
        if (thread !== undefined) {
          const timer = setTimeout(() => void thread.terminate(), STOP_GRACE_MS);
          await link.exited;
          clearTimeout(timer);
        }
        link.state = 'stopped';
      }),
    );
  }

  private hearNormalizer(index: number, message: unknown): void {
    for (const listener of this.parts.listeners) listener.onMessage(index, message);
  }

  /**
   * A worker ended. Unless the pipeline is stopping: publish what it had already passed on, count
   * what it left unread, give the index fresh rings (so no slot it may have half-written or
   * half-read is ever looked at again), and schedule a restart per the restart budget.
   */
  private onWorkerExit(link: WorkerLink, thread: Worker, code: number): void {
    if (link.thread !== thread) return;
    link.thread = undefined;
    if (this.isStopped) {
      link.state = 'stopped';
      return;
    }
    const { options } = this.parts;
    if (link.lastError === undefined) {
      options.onWorkerError?.(
        link.index,
        new Error(`pipeline worker ${link.index} exited with code ${code}`),
      );
    }
    link.state = 'restarting';
    // Published output slots are complete (publication is one cursor store after the bytes).
    for (let rounds = 0; rounds < 2 && link.output.poll(this.parts.publishTick) > 0; rounds++);
    const leftover = readRingStats(link.inputRing);
    this.parts.dropped.restartLost += leftover.used + (link.conflation?.clear() ?? 0);
    link.retiredDropOldest += leftover.droppedOldest;
    // Totals carry over to the next worker of this index; gauges start afresh with it.
    for (let i = 0; i < WORKER_COUNTERS.length; i++) link.retired[i]! += link.figures[i]!;
    for (let i = 0; i < (options.normalizer?.totals ?? 0); i++)
      link.retiredNormalizer[i]! += link.normalizerFigures[i]!;
    // Waiting snapshots and control messages were for the dead normalizer's state; its successor starts empty.
    link.pending.length = 0;
    link.snapshots.length = 0;
    Object.assign(
      link,
      createRings(this.parts.pool, link.index, this.parts.settings),
      createBlocks(options.normalizer?.figures ?? 0),
    );
    const delay = link.budget.next(performance.now());
    if (delay === undefined) {
      link.state = 'failed';
      options.onWorkerGaveUp?.(link.index, link.restarts);
      return;
    }
    link.restartTimer = setTimeout(() => void this.restart(link), delay);
  }

  private async restart(link: WorkerLink): Promise<void> {
    link.restartTimer = undefined;
    if (this.isStopped) return;
    link.restarts++;
    try {
      await this.startWorker(link);
    } catch {
      // It exited before it was ready: onWorkerExit has already decided what happens next.
      return;
    }
    if (link.state !== 'running') return;
    const { options, partitioner } = this.parts;
    const owned: number[] = [];
    for (const symbol of options.registry) {
      if (partitioner.workerOf(symbol.id) === link.index) owned.push(symbol.id);
    }
    options.onWorkerRestart?.(link.index, owned);
    for (const listener of this.parts.listeners) listener.onWorkerRestart?.(link.index, owned);
  }
}
