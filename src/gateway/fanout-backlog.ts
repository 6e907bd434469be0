import type { HubSubscription } from './hub-subscription.ts';
import type { OutboundMessage } from './outbound-message.ts';

/**
 * Market data waiting for its fan-out. Taking a message from the bus costs one push here; the
 * offers to its subscribers (a filter and a queue push each, hundreds per message) run in the
 * scheduler's slices (fanout-scheduler.ts), so whatever published it (the tick drain, a feed
 * socket, a broker connection) is never held for the fan-out, and a fill read meanwhile goes first.
 *
 * A message still waiting CONFLATE_AFTER_MS after it arrived means the node takes in more market
 * data than it can hand to its connections: from then until the oldest has waited less than half
 * that, a newer message on the same topic takes the place of one still waiting (latest wins), as the pipeline's
 * `conflate` input policy and a slow connection's queue do. Counted by the gateway as conflated.
 */

/** Age of the oldest waiting message past which the backlog conflates per topic. */
export const CONFLATE_AFTER_MS = 250;
/** Offered entries kept at the front before the array is compacted. */
const COMPACT_AFTER = 4_096;

/** One message, shared by its entries (one per bus pattern it matched). */
interface Pending {
  message: OutboundMessage;
  /** performance.now() when it arrived. */
  readonly since: number;
  /** An entry of it began its offers: replacing it now would give some subscribers the old one only. */
  started: boolean;
}

export interface BacklogEntry {
  readonly pending: Pending;
  /** The pattern's subscriptions when the message arrived (the hub replaces, never mutates, the array). */
  readonly subscriptions: readonly HubSubscription[];
  /** Index of the next subscription to offer to. */
  next: number;
}

export class FanoutBacklog {
  private readonly entries: BacklogEntry[] = [];
  private head = 0;
  /** Entries removed from the front of the array so far: marks count from the first entry ever. */
  private compacted = 0;
  /** performance.now() as of the last mark(), or of the push into an empty backlog. */
  private clock = 0;
  /** While conflating: the waiting message of each topic. */
  private latest: Map<string, Pending> | undefined;
  /** The bus hands one message to each matching pattern under one id: the last id replaced, so its other patterns are skipped too. */
  private replacedId = -1;

  constructor(private readonly onConflated: (message: OutboundMessage) => void) {}

  /** Entries waiting (one per message and pattern). */
  get length(): number {
    return this.entries.length - this.head;
  }

  /**
   * Queues `message` for the subscriptions of one pattern and returns true; or, while conflating,
   * puts it in the place of a waiting message on its topic and returns false (nothing new to offer).
   */
  push(message: OutboundMessage, subscriptions: readonly HubSubscription[], messageId: number): boolean {
    if (messageId === this.replacedId) return false;
    // The clock is read when the backlog starts filling and at each offer phase (mark): an age
    // that coarse is enough for a 250 ms threshold, and a clock read per message is not free.
    if (this.length === 0) this.clock = performance.now();
    const now = this.clock;
    const age = this.length > 0 ? now - this.entries[this.head]!.pending.since : 0;
    // On past CONFLATE_AFTER_MS; off again once the backlog is down to half of it.
    if (this.latest === undefined) {
      if (age > CONFLATE_AFTER_MS) this.latest = new Map();
    } else if (age < CONFLATE_AFTER_MS / 2) {
      this.latest = undefined;
    }
    if (this.latest !== undefined) {
      const waiting = this.latest.get(message.topic);
      if (waiting !== undefined && !waiting.started) {
        waiting.message = message;
        this.replacedId = messageId;
        this.onConflated(message);
        return false;
      }
    }
    const last = this.entries[this.entries.length - 1];
    const pending: Pending =
      this.length > 0 && last!.pending.message === message
        ? last!.pending
        : { message, since: now, started: false };
    this.latest?.set(message.topic, pending);
    this.entries.push({ pending, subscriptions, next: 0 });
    return true;
  }

  /** A mark after the last entry waiting now: offers up to it leave out what arrives later. */
  mark(): number {
    this.clock = performance.now();
    return this.compacted + this.entries.length;
  }

  /** The next entry before `mark`, marked started; undefined when there is none. */
  peek(mark: number): BacklogEntry | undefined {
    if (this.head >= this.entries.length || this.compacted + this.head >= mark) return undefined;
    const entry = this.entries[this.head]!;
    entry.pending.started = true;
    return entry;
  }

  /** Done with the entry peek() returned. */
  shift(): void {
    this.head++;
    if (this.head === this.entries.length) {
      this.entries.length = 0;
      this.compacted += this.head;
      this.head = 0;
      this.latest = undefined;
      this.replacedId = -1;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      // Never empty under steady load: drop the offered entries now and then, not one by one.
      this.entries.splice(0, this.head);
      this.compacted += this.head;
      this.head = 0;
    }
  }
}
