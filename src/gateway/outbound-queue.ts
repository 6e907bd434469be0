import { isConflatable, LANES } from './lanes.ts';
import type { OutboundMessage } from './outbound-message.ts';

/** Receives each message when the queue drains. */
export interface DrainWriter {
  /** `binary` when the subscription that took it asked for ticks; `conflated` when it replaced older ones. */
  write(message: OutboundMessage, binary: boolean, conflated: boolean): void;
}

/** One lane's storage, created on its first message: most connections only ever use one or two lanes. */
interface LaneQueue {
  /**
   * The FIFO: `count` messages at the front of parallel arrays that keep their capacity from one
   * drain to the next (refilled by index, not regrown from empty each time).
   */
  readonly fifo: (OutboundMessage | undefined)[];
  readonly fifoBinary: boolean[];
  count: number;
  /** Bytes queued in this lane, FIFO and latest together. */
  bytes: number;
  /**
   * Conflatable lanes, once the connection was slow: a slot per topic, kept from one slow spell to
   * the next (a slow connection conflates in every round, and a slot per round would be garbage
   * the collector stops the event loop for), and the slots holding a message now, in the order
   * their topics first waited.
   */
  slots: Map<string, TopicSlot> | undefined;
  readonly waiting: TopicSlot[];
  waitingCount: number;
}

/** The latest message on one topic while a lane conflates. */
interface TopicSlot {
  message: OutboundMessage | undefined;
  binary: boolean;
  /** It replaced an older one. */
  replaced: boolean;
}

/** A FIFO that held more than this gives its arrays back after draining, rather than keeping them. */
const KEPT_CAPACITY = 1_024;

/**
 * One connection's outgoing messages, in priority lanes. A lane is a FIFO; while the connection
 * is slow, conflatable lanes (market data, monitoring) keep one latest message per topic instead,
 * which a newer one replaces. Draining writes the lanes highest first: every FIFO message of a
 * lane, then its latest-per-topic messages, then the next lane. Per message the FIFO stores only
 * references (parallel arrays, no wrapper object), since it sits on the fan-out path; storage is
 * created lazily, since a connection costs memory for as long as it lives.
 */
export class OutboundQueue {
  private readonly lanes: (LaneQueue | undefined)[] = new Array(LANES.length).fill(undefined);
  /** Bytes of everything queued, as it will be written. */
  bytes = 0;
  /** Messages replaced by a newer one on their topic since the connection opened. */
  conflated = 0;

  /** Messages queued per lane, for the management API. */
  depths(): Record<(typeof LANES)[number], number> {
    const depth = (lane: number) => {
      const queue = this.lanes[lane];
      return queue ? queue.count + queue.waitingCount : 0;
    };
    return { critical: depth(0), high: depth(1), normal: depth(2), low: depth(3) };
  }

  /** True when some lane holds a message. */
  hasQueued(): boolean {
    return this.bytes > 0;
  }

  /**
   * Queues `message` in its lane (or in `lane`). With `conflate` on a conflatable lane, a queued
   * message on the same topic is replaced and true is returned (one message conflated); otherwise
   * it is appended.
   */
  push(message: OutboundMessage, binary: boolean, conflate: boolean, lane = message.lane): boolean {
    const queue = (this.lanes[lane] ??= {
      fifo: [],
      fifoBinary: [],
      count: 0,
      bytes: 0,
      slots: undefined,
      waiting: [],
      waitingCount: 0,
    });
    const size = message.sizeFor(binary);
    this.bytes += size;
    queue.bytes += size;
    if (conflate && isConflatable(lane)) {
      const slots = (queue.slots ??= new Map());
      let slot = slots.get(message.topic);
      if (slot === undefined) {
        slot = { message: undefined, binary, replaced: false };
        slots.set(message.topic, slot);
      }
      const previous = slot.message;
      const previousBinary = slot.binary;
      slot.message = message;
      slot.binary = binary;
      if (previous === undefined) {
        slot.replaced = false;
        queue.waiting[queue.waitingCount++] = slot;
        return false;
      }
      const replaced = previous.sizeFor(previousBinary);
      this.bytes -= replaced;
      queue.bytes -= replaced;
      slot.replaced = true;
      this.conflated++;
      return true;
    }
    const at = queue.count++;
    queue.fifo[at] = message;
    queue.fifoBinary[at] = binary;
    return false;
  }

  /** Hands the queued messages of lanes 0..lastLane to `writer`, highest lane first, and removes them. */
  drain(writer: DrainWriter, lastLane = LANES.length - 1): void {
    for (let lane = 0; lane <= lastLane; lane++) {
      const queue = this.lanes[lane];
      if (queue === undefined || queue.bytes === 0) continue;
      this.bytes -= queue.bytes;
      queue.bytes = 0;
      const { fifo, fifoBinary, count } = queue;
      queue.count = 0;
      for (let i = 0; i < count; i++) {
        const message = fifo[i]!;
        fifo[i] = undefined;
        writer.write(message, fifoBinary[i]!, false);
      }
      if (count > KEPT_CAPACITY) {
        fifo.length = 0;
        fifoBinary.length = 0;
      }
      const { waiting, waitingCount } = queue;
      queue.waitingCount = 0;
      for (let i = 0; i < waitingCount; i++) {
        const slot = waiting[i]!;
        const message = slot.message!;
        slot.message = undefined;
        writer.write(message, slot.binary, slot.replaced);
      }
    }
  }

  /** Drops everything (the connection is closing). */
  clear(): void {
    this.lanes.fill(undefined);
    this.bytes = 0;
  }
}
