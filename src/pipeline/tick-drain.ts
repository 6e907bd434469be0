import { type MessageBus, marketDataTopic } from '../bus/index.ts';
import { isTickwireError } from '../errors.ts';
import { MESSAGE_TYPES, type SymbolRegistry, TICK_BYTES, Tick } from '../wire/index.ts';
import { admitSnapshots, flushPending } from './record-queue.ts';
import type { WorkerLink } from './worker-link.ts';

const IDLE_WAIT_MS = 100;
/**
 * A drain turn also ends after this long, so that a node whose subscribers make each publish
 * expensive (a gateway fanning ticks out to thousands of clients: ~10 µs a tick) still reads its
 * sockets, and takes a fill from the trading engine, within a fraction of a millisecond: the
 * gateway's write slices are as short (src/gateway/fanout-scheduler.ts).
 */
export const TICK_DRAIN_TURN_MS = 0.5;
/** Ticks published between two looks at the clock: a turn overruns TICK_DRAIN_TURN_MS by one chunk at most. */
const DRAIN_CHUNK = 32;

export interface TickDrainParts {
  /** The links, by worker index (the pipeline's own array, filled as workers start). */
  readonly links: readonly WorkerLink[];
  readonly bus: MessageBus;
  readonly registry: SymbolRegistry;
  /** Ticks published in one event-loop turn before the drain yields. */
  readonly drainYieldBudget: number;
  readonly ringCapacity: number;
  /** Most payload bytes of one record (records larger go in parts). */
  readonly maxFrameBytes: number;
}

/**
 * The main thread's drain loop: takes the ticks the workers passed on out of their output rings and
 * publishes each on the bus under its market-data topic; between turns it moves waiting conflated
 * ticks and records into the input rings that have room.
 */
export class TickDrain {
  ticksPublished = 0;
  private readonly reader = new Tick();
  /** Topic per (symbol id, message type), built on first use. */
  private readonly topics: string[] = [];
  private drainTurn = 0;
  private stopped = false;

  constructor(private readonly parts: TickDrainParts) {}

  /** Ends the loop at its next turn. */
  stop(): void {
    this.stopped = true;
  }

  readonly publishTick = (bytes: Uint8Array, offset: number): void => {
    const tick = this.reader.wrap(bytes, offset);
    const key = tick.symbolId * MESSAGE_TYPES.length + tick.type - 1;
    const topic = this.topics[key] ?? this.topicFor(key, tick.symbolId, tick.type);
    // A copy: ring slots are reused as soon as this drain pass ends, and subscribers may keep ticks.
    this.parts.bus.publish(topic, bytes.slice(offset, offset + TICK_BYTES));
    this.ticksPublished++;
  };

  /**
   * Publishes what the output rings hold, one adaptive batch per ring and pass, for up to
   * drainYieldBudget ticks or TICK_DRAIN_TURN_MS; moves waiting conflated ticks into rings with room;
   * then yields to other I/O: again at once while ticks flow, or after a wait on the rings
   * (Atomics.waitAsync, so the event loop stays free) when idle.
   */
  readonly drain = (): void => {
    if (this.stopped) return;
    const budget = this.parts.drainYieldBudget;
    const links = this.parts.links;
    // Each turn starts at the next ring, so no ring waits behind the others when a limit binds.
    const first = this.drainTurn++ % links.length;
    const deadline = performance.now() + TICK_DRAIN_TURN_MS;
    let total = 0;
    let inTime = true;
    while (total < budget && inTime) {
      let drained = 0;
      for (let i = 0; i < links.length && inTime; i++) {
        const link = links[(first + i) % links.length]!;
        const backlog = link.output.available();
        const batch = Math.min(link.drainBatch.next(backlog), budget - total - drained);
        for (let done = 0; done < batch && inTime;) {
          const polled = link.output.poll(this.publishTick, Math.min(DRAIN_CHUNK, batch - done));
          if (polled === 0) break;
          done += polled;
          drained += polled;
          inTime = performance.now() < deadline;
        }
      }
      total += drained;
      if (drained === 0) break;
    }
    const flushed = this.flushConflation() + this.flushAllPending();
    if (total > 0 || flushed > 0) {
      setImmediate(this.drain);
      return;
    }
    Promise.race(links.map((link) => this.idleWaitOf(link))).then(this.drain);
  };

  private topicFor(key: number, symbolId: number, type: number): string {
    const info = this.parts.registry.info(symbolId);
    const topic = marketDataTopic(MESSAGE_TYPES[type - 1]!, info.venue, info.symbol);
    this.topics[key] = topic;
    return topic;
  }

  /** Moves waiting conflated ticks into the input rings that have room; returns how many moved. */
  private flushConflation(): number {
    let moved = 0;
    for (const link of this.parts.links) {
      const conflation = link.conflation;
      if (conflation === undefined || conflation.pending === 0 || link.state !== 'running') continue;
      link.freeHint = link.input.freeSlots();
      const flushed = conflation.flushInto(link.input, link.freeHint);
      link.freeHint -= flushed;
      moved += flushed;
    }
    return moved;
  }

  /** Moves waiting records into rings with room; returns how many records are still waiting (so the drain comes back soon). */
  private flushAllPending(): number {
    const { links, ringCapacity, maxFrameBytes } = this.parts;
    let waiting = 0;
    for (const link of links) {
      if (link.state !== 'running') continue;
      if (link.pending.length > 0) flushPending(link, maxFrameBytes);
      // Snapshots waiting for room do not bring the drain back at once: the worker's next output does.
      admitSnapshots(link, ringCapacity, maxFrameBytes);
      waiting += link.pending.length;
    }
    return waiting;
  }

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
