import { isConflatable, LANES } from './lanes.ts';
import type { OutboundMessage } from './outbound-message.ts';

/**
 * Called for each message when the queue drains: `binary` when the subscription that took it
 * asked for binary ticks, `conflated` when it replaced older messages on its topic.
 */
export type DrainWriter = (message: OutboundMessage, binary: boolean, conflated: boolean) => void;

/**
 * One connection's outgoing messages, in priority lanes. A lane is a FIFO; while the connection
 * is slow, conflatable lanes (market data, monitoring) keep one latest message per topic instead,
 * which a newer one replaces. Draining writes the lanes highest first: every FIFO message of a
 * lane, then its latest-per-topic messages, then the next lane. Per message it stores only
 * references (parallel arrays, no wrapper object), since it sits on the fan-out path.
 */
export class OutboundQueue {
  private readonly fifo: OutboundMessage[][] = LANES.map(() => []);
  private readonly fifoBinary: boolean[][] = LANES.map(() => []);
  private readonly latest: Map<string, OutboundMessage>[] = LANES.map(() => new Map());
  private readonly latestBinary: Map<string, boolean>[] = LANES.map(() => new Map());
  /** Topics whose latest message replaced at least one other: written as conflated. */
  private readonly replaced: Set<string>[] = LANES.map(() => new Set());
  /** Bytes of everything queued, as it will be written. */
  bytes = 0;
  /** Messages replaced by a newer one on their topic since the connection opened. */
  conflated = 0;

  /** Messages queued per lane, for the management API. */
  depths(): Record<(typeof LANES)[number], number> {
    const depth = (lane: number) => this.fifo[lane]!.length + this.latest[lane]!.size;
    return { critical: depth(0), high: depth(1), normal: depth(2), low: depth(3) };
  }

  /** True when some lane up to `lastLane` holds a message. */
  hasQueued(lastLane = LANES.length - 1): boolean {
    for (let lane = 0; lane <= lastLane; lane++) {
      if (this.fifo[lane]!.length !== 0 || this.latest[lane]!.size !== 0) return true;
    }
    return false;
  }

  /**
   * Queues `message` in its lane (or in `lane`). With `conflate` on a conflatable lane, a queued
   * message on the same topic is replaced and true is returned (one message conflated); otherwise
   * it is appended.
   */
  push(message: OutboundMessage, binary: boolean, conflate: boolean, lane = message.lane): boolean {
    const size = message.sizeFor(binary);
    this.bytes += size;
    if (conflate && isConflatable(lane)) {
      const latest = this.latest[lane]!;
      const previous = latest.get(message.topic);
      latest.set(message.topic, message);
      const previousBinary = this.latestBinary[lane]!.get(message.topic);
      this.latestBinary[lane]!.set(message.topic, binary);
      if (previous === undefined) return false;
      this.bytes -= previous.sizeFor(previousBinary === true);
      this.replaced[lane]!.add(message.topic);
      this.conflated++;
      return true;
    }
    this.fifo[lane]!.push(message);
    this.fifoBinary[lane]!.push(binary);
    return false;
  }

  /** Hands the queued messages of lanes 0..lastLane to `write`, highest lane first, and removes them. */
  drain(write: DrainWriter, lastLane = LANES.length - 1): void {
    for (let lane = 0; lane <= lastLane; lane++) {
      const fifo = this.fifo[lane]!;
      if (fifo.length !== 0) {
        const binary = this.fifoBinary[lane]!;
        for (let i = 0; i < fifo.length; i++) {
          const message = fifo[i]!;
          this.bytes -= message.sizeFor(binary[i]!);
          write(message, binary[i]!, false);
        }
        fifo.length = 0;
        binary.length = 0;
      }
      const latest = this.latest[lane]!;
      if (latest.size !== 0) {
        const replaced = this.replaced[lane]!;
        const binary = this.latestBinary[lane]!;
        for (const [topic, message] of latest) {
          const asBinary = binary.get(topic) === true;
          this.bytes -= message.sizeFor(asBinary);
          write(message, asBinary, replaced.has(topic));
        }
        latest.clear();
        binary.clear();
        replaced.clear();
      }
    }
  }

  /** Drops everything (the connection is closing). */
  clear(): void {
    for (let lane = 0; lane < LANES.length; lane++) {
      this.fifo[lane]!.length = 0;
      this.fifoBinary[lane]!.length = 0;
      this.latest[lane]!.clear();
      this.latestBinary[lane]!.clear();
      this.replaced[lane]!.clear();
    }
    this.bytes = 0;
  }
}
