import { isConflatable, LANES } from './lanes.ts';
import type { OutboundMessage } from './outbound-message.ts';

/** Receives each message when the queue drains. */
export interface DrainWriter {
  /** `binary` when the subscription that took it asked for ticks; `conflated` when it replaced older ones. */
  write(message: OutboundMessage, binary: boolean, conflated: boolean): void;
}

/** One lane's storage, created on its first message: most connections only ever use one or two lanes. */
interface LaneQueue {
  readonly fifo: OutboundMessage[];
  readonly fifoBinary: boolean[];
  /** While the connection is slow (conflatable lanes only): the latest message per topic. */
  latest: Map<string, { message: OutboundMessage; binary: boolean; replaced: boolean }> | undefined;
}

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
      return queue ? queue.fifo.length + (queue.latest?.size ?? 0) : 0;
    };
    return { critical: depth(0), high: depth(1), normal: depth(2), low: depth(3) };
  }

  /** True when some lane holds a message. */
  hasQueued(): boolean {
    return this.lanes.some(
      (queue) => queue !== undefined && (queue.fifo.length !== 0 || (queue.latest?.size ?? 0) !== 0),
    );
  }

  /**
   * Queues `message` in its lane (or in `lane`). With `conflate` on a conflatable lane, a queued
   * message on the same topic is replaced and true is returned (one message conflated); otherwise
   * it is appended.
   */
  push(message: OutboundMessage, binary: boolean, conflate: boolean, lane = message.lane): boolean {
    const queue = (this.lanes[lane] ??= { fifo: [], fifoBinary: [], latest: undefined });
    this.bytes += message.sizeFor(binary);
    if (conflate && isConflatable(lane)) {
      const latest = (queue.latest ??= new Map());
      const previous = latest.get(message.topic);
      latest.set(message.topic, { message, binary, replaced: previous !== undefined });
      if (previous === undefined) return false;
      this.bytes -= previous.message.sizeFor(previous.binary);
      this.conflated++;
      return true;
    }
    queue.fifo.push(message);
    queue.fifoBinary.push(binary);
    return false;
  }

  /** Hands the queued messages of lanes 0..lastLane to `writer`, highest lane first, and removes them. */
  drain(writer: DrainWriter, lastLane = LANES.length - 1): void {
    for (let lane = 0; lane <= lastLane; lane++) {
      const queue = this.lanes[lane];
      if (queue === undefined) continue;
      const { fifo, fifoBinary } = queue;
      for (let i = 0; i < fifo.length; i++) {
        const message = fifo[i]!;
        this.bytes -= message.sizeFor(fifoBinary[i]!);
        writer.write(message, fifoBinary[i]!, false);
      }
      fifo.length = 0;
      fifoBinary.length = 0;
      if (queue.latest !== undefined) {
        for (const { message, binary, replaced } of queue.latest.values()) {
          this.bytes -= message.sizeFor(binary);
          writer.write(message, binary, replaced);
        }
        // Dropped rather than cleared: the connection is slow rarely, and briefly.
        queue.latest = undefined;
      }
    }
  }

  /** Drops everything (the connection is closing). */
  clear(): void {
    this.lanes.fill(undefined);
    this.bytes = 0;
  }
}
