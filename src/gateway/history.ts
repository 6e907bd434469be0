import { randomBytes } from 'node:crypto';
import type { Payload } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';

/**
 * Bounded per-topic history for recovery (Centrifugo's history/recovery, Socket.IO's
 * connection-state recovery). Each topic is a stream of messages numbered 1, 2, 3, ... within an
 * epoch; a reconnecting client sends the last position it saw and gets every later message, or is
 * told plainly that it cannot (and resyncs from a snapshot). A hole is never papered over:
 * `recovered: true` means every message after the client's offset is in the answer.
 *
 * Memory is bounded three ways: maxEntries per topic, maxAgeMs per entry (both evicted lazily, on
 * append and on read of that topic), and maxTopics streams in all (the least recently used stream
 * is dropped whole; if it comes back it gets a new epoch, so its old positions fail cleanly with
 * epoch_changed). At most maxTopics * maxEntries entries are ever held.
 */

export interface StreamPosition {
  /** Changes whenever the stream's offsets restart; offsets from another epoch mean nothing. */
  readonly epoch: string;
  /** The offset of the last message (0 before the first). */
  readonly offset: number;
}

export interface HistoryEntry<P = Payload> {
  readonly offset: number;
  readonly payload: P;
  /** When it was appended (the `now` given), in ms. */
  readonly time: number;
}

export const RECOVERY_FAILURES = [
  /** The history had no stream for the topic (never used, or dropped by maxTopics). */
  'unknown_topic',
  /** The stream's epoch is not the client's: the server restarted or the stream was reset. */
  'epoch_changed',
  /** Messages after the client's offset were evicted (size, age) or lost in a gap. */
  'too_old',
  /** The client's offset is beyond the last message of the stream. */
  'future_offset',
  /** The offset is not a non-negative integer. */
  'invalid_position',
] as const;
export type RecoveryFailure = (typeof RECOVERY_FAILURES)[number];

export type RecoveryResult<P = Payload> =
  | {
      readonly recovered: true;
      readonly entries: readonly HistoryEntry<P>[];
      readonly position: StreamPosition;
    }
  | { readonly recovered: false; readonly reason: RecoveryFailure; readonly position: StreamPosition };

export const EVICTION_REASONS = ['size', 'age', 'gap', 'topic_limit'] as const;
export type EvictionReason = (typeof EVICTION_REASONS)[number];

export interface HistoryStats {
  topics: number;
  entries: number;
  /** Payload bytes as estimated by sizeOf, plus ENTRY_OVERHEAD_BYTES per entry. */
  approximateBytes: number;
  /** Entries evicted, by why. */
  evictions: Record<EvictionReason, number>;
  /** Losses reported by the bus (messages that never reached this node), see skip(). */
  gaps: number;
  /** Streams dropped whole because of maxTopics. */
  topicsDropped: number;
}

export interface TopicHistoryOptions<P = Payload> {
  /** Entries kept per topic (>= 1). */
  maxEntries: number;
  /** Entries older than this are evicted (> 0; Infinity for no age limit). */
  maxAgeMs: number;
  /** Streams kept in all; the least recently used is dropped beyond it (>= 1). Default 10 000. */
  maxTopics?: number;
  /**
   * Makes the epoch of each new stream; default 8 random hex characters. A function rather than a
   * fixed string because a stream dropped by maxTopics and created again restarts at offset 1 and
   * must not reuse the epoch its old offsets were issued under.
   */
  newEpoch?: () => string;
  /** Estimated payload size for stats; default: byteLength for binary, JSON length otherwise. */
  sizeOf?: (payload: P) => number;
}

export const DEFAULT_MAX_TOPICS = 10_000;
/** A rough per-entry cost of the entry object and its slot, for approximateBytes. */
export const ENTRY_OVERHEAD_BYTES = 64;

interface Stream<P> {
  epoch: string;
  /** Offset of the last message (0 before any). */
  last: number;
  /** entries[head..] are live, with consecutive offsets ending at `last`. */
  entries: (HistoryEntry<P> | undefined)[];
  /** The estimated size of each entry, parallel to `entries`, so eviction need not measure again. */
  sizes: number[];
  head: number;
  bytes: number;
}

export class TopicHistory<P = Payload> {
  readonly maxEntries: number;
  readonly maxAgeMs: number;
  readonly maxTopics: number;
  readonly #newEpoch: () => string;
  readonly #sizeOf: (payload: P) => number;
  /** In least-recently-used-first order: every use moves a stream to the end. */
  readonly #streams = new Map<string, Stream<P>>();
  #entries = 0;
  #bytes = 0;
  readonly #evictions: Record<EvictionReason, number> = { size: 0, age: 0, gap: 0, topic_limit: 0 };
  #gaps = 0;
  #topicsDropped = 0;

  constructor(options: TopicHistoryOptions<P>) {
    this.maxEntries = positiveInteger(options.maxEntries, 'maxEntries');
    this.maxTopics = positiveInteger(options.maxTopics ?? DEFAULT_MAX_TOPICS, 'maxTopics');
    const { maxAgeMs } = options;
    if (typeof maxAgeMs !== 'number' || !(maxAgeMs > 0)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `history maxAgeMs must be a number above 0, got ${String(maxAgeMs)}`,
      );
    }
    this.maxAgeMs = maxAgeMs;
    this.#newEpoch = options.newEpoch ?? randomEpoch;
    this.#sizeOf = options.sizeOf ?? defaultSizeOf;
  }

  /** Appends a message with the next offset of the topic's stream (created if needed) and returns its position. */
  append(topic: string, payload: P, now: number = Date.now()): StreamPosition {
    const stream = this.#use(topic);
    this.#push(stream, stream.last + 1, payload, now);
    return { epoch: stream.epoch, offset: stream.last };
  }

  /**
   * Records that `missed` messages of the topic were lost before they reached this node (the bus
   * saw a gap in the publisher's sequence). The offsets move past them and the entries before the
   * hole are dropped, so a client behind it is told `recovered: false` rather than handed a history
   * with a hole in it; live subscribers see the jump in offsets. A topic with no stream yet has
   * promised nothing, so there is nothing to mark.
   */
  skip(topic: string, missed: number): void {
    const stream = this.#streams.get(topic);
    if (stream === undefined || !(missed > 0)) return;
    this.#dropEntries(stream, 'gap');
    stream.last += missed;
    this.#gaps++;
  }

  /**
   * Everything after `position` on the topic, if the history still holds all of it: since the
   * last offset is recovered with no entries; since an evicted offset, or across a gap, is not.
   * The current position is returned either way, for the client to continue from.
   */
  since(topic: string, position: StreamPosition, now: number = Date.now()): RecoveryResult<P> {
    const known = this.#streams.has(topic);
    const stream = this.#use(topic);
    const current: StreamPosition = { epoch: stream.epoch, offset: stream.last };
    if (!known) return { recovered: false, reason: 'unknown_topic', position: current };
    const { offset } = position;
    if (!Number.isSafeInteger(offset) || offset < 0) {
      return { recovered: false, reason: 'invalid_position', position: current };
    }
    if (position.epoch !== stream.epoch)
      return { recovered: false, reason: 'epoch_changed', position: current };
    if (offset > stream.last) return { recovered: false, reason: 'future_offset', position: current };
    this.#evictOld(stream, now);
    const held = stream.entries.length - stream.head;
    const firstHeld = stream.last - held + 1;
    // The client needs offsets offset+1 .. last; all are held when offset+1 >= firstHeld.
    if (offset + 1 < firstHeld) return { recovered: false, reason: 'too_old', position: current };
    const start = stream.head + (offset + 1 - firstHeld);
    const entries = stream.entries.slice(start) as HistoryEntry<P>[];
    return { recovered: true, entries, position: current };
  }

  /** The topic's current position (its stream is created if needed), for a client subscribing fresh. */
  position(topic: string): StreamPosition {
    const stream = this.#use(topic);
    return { epoch: stream.epoch, offset: stream.last };
  }

  stats(): HistoryStats {
    return {
      topics: this.#streams.size,
      entries: this.#entries,
      approximateBytes: this.#bytes,
      evictions: { ...this.#evictions },
      gaps: this.#gaps,
      topicsDropped: this.#topicsDropped,
    };
  }

  /** The stream of a topic, created (with `epoch` or a new one) if missing, marked most recently used. */
  #use(topic: string, epoch?: string): Stream<P> {
    let stream = this.#streams.get(topic);
    if (stream !== undefined) {
      this.#streams.delete(topic);
      this.#streams.set(topic, stream);
      return stream;
    }
    stream = { epoch: epoch ?? this.#newEpoch(), last: 0, entries: [], sizes: [], head: 0, bytes: 0 };
    this.#streams.set(topic, stream);
    if (this.#streams.size > this.maxTopics) this.#dropLeastRecentlyUsed();
    return stream;
  }

  #dropLeastRecentlyUsed(): void {
    for (const [topic, stream] of this.#streams) {
      this.#dropEntries(stream, 'topic_limit');
      this.#streams.delete(topic);
      this.#topicsDropped++;
      return;
    }
  }

  #push(stream: Stream<P>, offset: number, payload: P, now: number): void {
    this.#evictOld(stream, now);
    if (stream.entries.length - stream.head >= this.maxEntries) this.#evictHead(stream, 'size');
    const bytes = this.#sizeOf(payload) + ENTRY_OVERHEAD_BYTES;
    stream.entries.push({ offset, payload, time: now });
    stream.sizes.push(bytes);
    stream.last = offset;
    stream.bytes += bytes;
    this.#entries++;
    this.#bytes += bytes;
  }

  #evictOld(stream: Stream<P>, now: number): void {
    const oldest = now - this.maxAgeMs;
    while (stream.head < stream.entries.length && stream.entries[stream.head]!.time < oldest) {
      this.#evictHead(stream, 'age');
    }
  }

  #evictHead(stream: Stream<P>, reason: EvictionReason): void {
    const bytes = stream.sizes[stream.head]!;
    stream.entries[stream.head] = undefined;
    stream.head++;
    stream.bytes -= bytes;
    this.#bytes -= bytes;
    this.#entries--;
    this.#evictions[reason]++;
    // Compact once the dead prefix is half the array, so eviction stays amortised O(1).
    if (stream.head >= 64 && stream.head * 2 >= stream.entries.length) {
      stream.entries.splice(0, stream.head);
      stream.sizes.splice(0, stream.head);
      stream.head = 0;
    }
  }

  #dropEntries(stream: Stream<P>, reason: EvictionReason): void {
    const dropped = stream.entries.length - stream.head;
    this.#entries -= dropped;
    this.#bytes -= stream.bytes;
    this.#evictions[reason] += dropped;
    stream.entries = [];
    stream.sizes = [];
    stream.head = 0;
    stream.bytes = 0;
  }
}

function randomEpoch(): string {
  return randomBytes(4).toString('hex');
}

function defaultSizeOf(payload: unknown): number {
  if (payload instanceof Uint8Array) return payload.byteLength;
  if (typeof payload === 'string') return payload.length;
  return JSON.stringify(payload)?.length ?? 0;
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new TickwireError('BAD_CONFIG', `history ${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}
