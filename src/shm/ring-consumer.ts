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
import {
  blockUntil,
  pauseWhile,
  SPIN_CHECKS,
  type WaitWords,
  waitUntilAsync,
  wakeIfWaiting,
} from './wait-strategy.ts';

/**
 * Reads one message in place: the slot is `bytes[offset .. offset + slotSize)` of the shared
 * buffer, valid only during the call (the producer may reuse it once poll returns).
 */
export type SlotHandler = (bytes: Uint8Array, offset: number) => void;

/** How long the consumer sleeps per round while a drop-oldest producer holds the read cursor. */
const DROPPING_PAUSE_MS = 0.05;

/**
 * The reading side of a ring; exactly one per ring, in one thread. Mirrors RingProducer: its own
 * cursor as a Number, a cached copy of the producer's cursor re-read only when the copy holds less
 * than the batch asked for, one Atomics.store of the read cursor per batch.
 */
export class RingConsumer {
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
  /** Drop-oldest rings: the producer may move the read cursor, so batches take the readOwner word. */
  private readonly sharesReadCursor: boolean;
  private readSeq: number;
  private writeSeqSeen: number;
  private consumed: number;
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
    this.sharesReadCursor = descriptor.policy === 'drop-oldest';
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
    this.readSeq = Number(Atomics.load(ring.cursors, I64.readCursor));
    this.writeSeqSeen = Number(Atomics.load(ring.cursors, I64.writeCursor));
    this.consumed = Number(Atomics.load(ring.cursors, I64.consumed));
    this.highWater = Atomics.load(ring.words, I32.consumerHighWater);
  }

  /**
   * Hands up to `maxBatch` published messages, oldest first, to `handler` (zero copy) and then
   * frees their slots with one Atomics.store. Returns how many were handled; 0 when the ring is
   * empty (never blocks). If the handler throws, the slots before the failing one are consumed,
   * the failing one stays unread and the error propagates.
   */
  poll(handler: SlotHandler, maxBatch: number = this.capacity): number {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new TickwireError(
        'RING_BAD_ARGUMENT',
        `poll maxBatch must be a positive integer, got ${String(maxBatch)}`,
      );
    }
    let ready = this.writeSeqSeen - this.readSeq;
    if (ready < maxBatch) {
      ready = this.refreshReady();
      if (ready <= 0) return 0;
    }
    if (this.sharesReadCursor) ready = this.acquire();
    const n = Math.min(ready, maxBatch);
    const bytes = this.bytes;
    const mask = this.mask;
    const slotSize = this.slotSize;
    const start = this.readSeq;
    let handled = 0;
    try {
      for (; handled < n; handled++) handler(bytes, HEADER_BYTES + ((start + handled) & mask) * slotSize);
    } finally {
      this.release(handled);
    }
    return n;
  }

  /**
   * Published messages not yet polled (reads the producer's cursor). On a drop-oldest ring the
   * producer may discard some of them before the next poll.
   */
  available(): number {
    return Math.min(this.capacity, this.refreshReady());
  }

  /** Blocks until a message is available; RING_TIMEOUT after `timeoutMs`. */
  waitForData(timeoutMs: number): void {
    blockUntil(() => this.refreshReady() > 0, this.dataWait, timeoutMs, 'a message in the ring');
  }

  /** Resolves once a message is available, without blocking the thread (for an event loop). */
  waitForDataAsync(timeoutMs: number): Promise<void> {
    return waitUntilAsync(() => this.refreshReady() > 0, this.dataWait, timeoutMs, 'a message in the ring');
  }

  private refreshReady(): number {
    this.writeSeqSeen = Number(Atomics.load(this.cursors, I64.writeCursor));
    const ready = this.writeSeqSeen - this.readSeq;
    // On a drop-oldest ring readSeq may be stale (behind), so `ready` may exceed the capacity.
    const used = Math.min(ready, this.capacity);
    if (used > this.highWater) {
      this.highWater = used;
      Atomics.store(this.words, I32.consumerHighWater, used);
    }
    return ready;
  }

  /**
   * Takes the readOwner word for one batch and re-reads the read cursor, which a drop-oldest
   * producer may have moved past discarded messages. Returns the messages ready (maybe 0).
   */
  private acquire(): number {
    let spins = 0;
    while (Atomics.compareExchange(this.words, I32.readOwner, READ_OWNER.idle, READ_OWNER.reading) !== 0) {
      // The producer holds the word for a few instructions, unless it was descheduled meanwhile.
      if (++spins > SPIN_CHECKS)
        pauseWhile(this.words, I32.readOwner, READ_OWNER.dropping, DROPPING_PAUSE_MS);
    }
    this.readSeq = Number(Atomics.load(this.cursors, I64.readCursor));
    const ready = this.writeSeqSeen - this.readSeq;
    return ready > 0 ? ready : this.refreshReady();
  }

  private release(count: number): void {
    if (count > 0) {
      this.readSeq += count;
      this.consumed += count;
      Atomics.store(this.cursors, I64.readCursor, BigInt(this.readSeq));
      Atomics.store(this.cursors, I64.consumed, BigInt(this.consumed));
    }
    if (this.sharesReadCursor) Atomics.store(this.words, I32.readOwner, READ_OWNER.idle);
    wakeIfWaiting(this.spaceWait);
  }
}
