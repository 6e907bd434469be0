import { TickwireError } from '../errors.ts';
import {
  type FullPolicy,
  HEADER,
  HEADER_BYTES,
  I32,
  I64,
  lowWordIndex,
  openRing,
  READ_OWNER,
  type RingDescriptor,
} from './ring-layout.ts';
import { blockUntil, checkTimeout, type WaitWords, waitUntilAsync, wakeIfWaiting } from './wait-strategy.ts';

/** Writes one message into the slot at `bytes[offset .. offset + slotSize)`. */
export type SlotWriter = (bytes: Uint8Array, offset: number) => void;

/**
 * The writing side of a ring; exactly one per ring, in one thread.
 *
 * Sequences are monotonic Numbers (exact up to 2^53 messages); a slot is `seq & mask`. The shared
 * cursors are BigInt64 words, and converting to or from BigInt allocates, so this side keeps its
 * own cursor as a Number and a cached copy of the consumer's cursor, and reads the shared consumer
 * cursor only when the cached copy says there is not enough room (a stale copy only ever
 * under-states the free space, so it is safe). Each publish is one Atomics.store.
 */
export class RingProducer {
  /** The whole ring buffer; slot offsets from offsetOf() index into it. */
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly capacity: number;
  readonly slotSize: number;
  readonly policy: FullPolicy;
  private readonly mask: number;
  private readonly words: Int32Array;
  private readonly cursors: BigInt64Array;
  private readonly dataWait: WaitWords;
  private readonly spaceWait: WaitWords;
  private writeSeq: number;
  private readSeqSeen: number;
  private granted = 0;
  private fullEvents: number;
  private droppedNewest: number;
  private droppedOldest: number;
  private highWater: number;

  constructor(descriptor: RingDescriptor) {
    const ring = openRing(descriptor);
    this.bytes = ring.bytes;
    this.view = ring.view;
    this.words = ring.words;
    this.cursors = ring.cursors;
    this.capacity = descriptor.capacity;
    this.slotSize = descriptor.slotSize;
    this.policy = descriptor.policy;
    this.mask = descriptor.capacity - 1;
    this.dataWait = {
      words: ring.words,
      signal: I32.dataSignal,
      waiting: I32.consumerWaiting,
      cursorLow: lowWordIndex(HEADER.writeCursor),
    };
    this.spaceWait = {
      words: ring.words,
      signal: I32.spaceSignal,
      waiting: I32.producerWaiting,
      cursorLow: lowWordIndex(HEADER.readCursor),
    };
    // Reading the header rather than assuming zeros lets a restarted producer carry on.
    this.writeSeq = Number(Atomics.load(ring.cursors, I64.writeCursor));
    this.readSeqSeen = Number(Atomics.load(ring.cursors, I64.readCursor));
    this.fullEvents = Number(Atomics.load(ring.cursors, I64.fullEvents));
    this.droppedNewest = Number(Atomics.load(ring.cursors, I64.droppedNewest));
    this.droppedOldest = Number(Atomics.load(ring.cursors, I64.droppedOldest));
    this.highWater = Atomics.load(ring.words, I32.producerHighWater);
  }

  /**
   * Claims up to `n` slots starting at the next sequence and returns how many were granted (0..n);
   * write them through offsetOf(0 .. granted-1), then publish(). A new claim replaces an unpublished
   * one. When the ring has fewer than `n` free slots (a full event) the ring's policy decides:
   * - 'block': waits until min(n, capacity) slots are free (RING_TIMEOUT after `timeoutMs`) and
   *   grants that many. Waiting for the whole batch rather than the first free slot keeps batches
   *   large; the messages would queue behind the consumer's backlog anyway.
   * - 'drop-newest': grants what is free (maybe 0); the other messages are refused and counted.
   * - 'drop-oldest': discards the oldest unread messages to make room, counted, and grants
   *   min(n, capacity). Waits (bounded by `timeoutMs`) only while the consumer is mid-batch.
   */
  claim(n: number, timeoutMs = Number.POSITIVE_INFINITY): number {
    if (!Number.isInteger(n) || n < 1) {
      throw new TickwireError('RING_BAD_ARGUMENT', `claim n must be a positive integer, got ${String(n)}`);
    }
    let free = this.capacity - (this.writeSeq - this.readSeqSeen);
    if (free < n) {
      free = this.refreshFree();
      if (free < n) free = this.whenFull(n, free, timeoutMs);
    }
    const granted = Math.min(free, n);
    this.granted = granted;
    return granted;
  }

  /** Byte offset in `bytes` of the i-th slot of the current claim. */
  offsetOf(i: number): number {
    if (i >>> 0 !== i || i >= this.granted) {
      throw new TickwireError(
        'RING_BAD_ARGUMENT',
        `offsetOf index must be an integer below the ${this.granted} slots claimed, got ${String(i)}`,
      );
    }
    return HEADER_BYTES + ((this.writeSeq + i) & this.mask) * this.slotSize;
  }

  /** Makes the first `count` claimed slots visible to the consumer with one Atomics.store. */
  publish(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > this.granted) {
      throw new TickwireError(
        'RING_BAD_ARGUMENT',
        `publish count must be an integer between 0 and the ${this.granted} slots claimed, got ${String(count)}`,
      );
    }
    this.granted = 0;
    if (count === 0) return;
    this.writeSeq += count;
    Atomics.store(this.cursors, I64.writeCursor, BigInt(this.writeSeq));
    wakeIfWaiting(this.dataWait);
  }

  /**
   * Writes and publishes one message. Returns false when a drop-newest ring refused it; 'block'
   * rings throw RING_TIMEOUT after `timeoutMs`.
   */
  offer(write: SlotWriter, timeoutMs = Number.POSITIVE_INFINITY): boolean {
    if (this.claim(1, timeoutMs) === 0) return false;
    write(this.bytes, this.offsetOf(0));
    this.publish(1);
    return true;
  }

  /** Free slots right now (reads the consumer's cursor). */
  freeSlots(): number {
    return this.refreshFree();
  }

  /** Blocks until at least `n` slots are free; RING_TIMEOUT after `timeoutMs`. */
  waitForSpace(n: number, timeoutMs: number): void {
    this.checkWaitCount(n);
    blockUntil(() => this.refreshFree() >= n, this.spaceWait, timeoutMs, `${n} free slot(s) in the ring`);
  }

  /**
   * Resolves once at least `n` slots are free, without blocking the thread: for producers on an
   * event loop. Since only this producer fills the ring, a claim(n) right after will not block.
   */
  waitForSpaceAsync(n: number, timeoutMs: number): Promise<void> {
    this.checkWaitCount(n);
    return waitUntilAsync(
      () => this.refreshFree() >= n,
      this.spaceWait,
      timeoutMs,
      `${n} free slot(s) in the ring`,
    );
  }

  private refreshFree(): number {
    this.readSeqSeen = Number(Atomics.load(this.cursors, I64.readCursor));
    const used = this.writeSeq - this.readSeqSeen;
    if (used > this.highWater) {
      this.highWater = used;
      Atomics.store(this.words, I32.producerHighWater, used);
    }
    return this.capacity - used;
  }

  /** Applies the full-ring policy; returns the free slots the claim may grant. */
  private whenFull(n: number, free: number, timeoutMs: number): number {
    checkTimeout(timeoutMs);
    this.fullEvents++;
    Atomics.store(this.cursors, I64.fullEvents, BigInt(this.fullEvents));
    switch (this.policy) {
      case 'block': {
        const want = Math.min(n, this.capacity);
        if (free >= want) return free;
        blockUntil(
          () => this.refreshFree() >= want,
          this.spaceWait,
          timeoutMs,
          `${want} free slot(s) in the ring`,
        );
        return this.capacity - (this.writeSeq - this.readSeqSeen);
      }
      case 'drop-newest':
        this.droppedNewest += n - free;
        Atomics.store(this.cursors, I64.droppedNewest, BigInt(this.droppedNewest));
        return free;
      case 'drop-oldest':
        return this.dropOldest(Math.min(n, this.capacity), timeoutMs);
    }
  }

  /**
   * Moves the consumer's cursor past the oldest unread messages until `want` slots are free.
   * The consumer reads slots only while holding the readOwner word, so taking that word first
   * guarantees no slot being read is discarded and then overwritten under it. If the consumer holds
   * it, it is draining a batch, which frees space anyway: wait for its release (it wakes us).
   */
  private dropOldest(want: number, timeoutMs: number): number {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (Atomics.compareExchange(this.words, I32.readOwner, READ_OWNER.idle, READ_OWNER.dropping) === 0) {
        const read = Number(Atomics.load(this.cursors, I64.readCursor));
        const excess = want - (this.capacity - (this.writeSeq - read));
        if (excess > 0) {
          this.droppedOldest += excess;
          Atomics.store(this.cursors, I64.droppedOldest, BigInt(this.droppedOldest));
          Atomics.store(this.cursors, I64.readCursor, BigInt(read + excess));
        }
        Atomics.store(this.words, I32.readOwner, READ_OWNER.idle);
        this.readSeqSeen = excess > 0 ? read + excess : read;
        return this.capacity - (this.writeSeq - this.readSeqSeen);
      }
      blockUntil(
        () => this.refreshFree() >= want || Atomics.load(this.words, I32.readOwner) === READ_OWNER.idle,
        this.spaceWait,
        Math.max(0, deadline - performance.now()),
        'the consumer releasing its batch of a drop-oldest ring',
      );
      const free = this.capacity - (this.writeSeq - this.readSeqSeen);
      if (free >= want) return free;
    }
  }

  private checkWaitCount(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.capacity) {
      throw new TickwireError(
        'RING_BAD_ARGUMENT',
        `wait count n must be an integer between 1 and capacity ${this.capacity}, got ${String(n)}`,
      );
    }
  }
}
