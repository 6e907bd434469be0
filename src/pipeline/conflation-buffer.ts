import type { RingProducer } from '../shm/index.ts';
import { FLAG, TICK_BYTES, Tick } from '../wire/index.ts';

/** Marks a key with no tick waiting. */
const ABSENT = -1;

/**
 * The side table of one worker's input ring under the `conflate` policy, on the main thread. While
 * the ring is full, ticks wait here, at most one per key (symbol and message type): a later tick of
 * the same key overwrites the waiting one (counted as conflated). Keys leave in the order they
 * first arrived, so no key is starved, and the tick that leaves carries FLAG.conflated when it
 * replaced others. The caller sends every tick of the worker here while anything waits, so a
 * newer tick never overtakes an older one of the same key through the ring.
 *
 * Storage is a FIFO of `maxKeys` 64-byte slots plus a slot index per key, allocated up front
 * (the index grows with the highest key): nothing is allocated per tick.
 */
export class ConflationBuffer {
  /** Ticks replaced by a later one of the same key. */
  conflated = 0;
  /** Ticks refused because maxKeys keys were waiting already. */
  overflow = 0;
  private readonly ticks: Uint8Array;
  private readonly keyOfSlot: Int32Array;
  private readonly replaced: Uint8Array;
  private slotOfKey = new Int32Array(0);
  private head = 0;
  private length = 0;
  private readonly flagger = new Tick();

  constructor(readonly maxKeys: number) {
    this.ticks = new Uint8Array(maxKeys * TICK_BYTES);
    this.keyOfSlot = new Int32Array(maxKeys);
    this.replaced = new Uint8Array(maxKeys);
  }

  /** Ticks waiting. */
  get pending(): number {
    return this.length;
  }

  /**
   * Keeps the 64-byte tick at `bytes[offset…]` under `key`, replacing the one waiting there.
   * Returns false (and counts an overflow) when a new key finds the table full.
   */
  put(key: number, bytes: Uint8Array, offset: number): boolean {
    if (key >= this.slotOfKey.length) this.grow(key);
    let slot = this.slotOfKey[key]!;
    if (slot !== ABSENT) {
      this.replaced[slot] = 1;
      this.conflated++;
    } else {
      if (this.length === this.maxKeys) {
        this.overflow++;
        return false;
      }
      slot = (this.head + this.length) % this.maxKeys;
      this.length++;
      this.slotOfKey[key] = slot;
      this.keyOfSlot[slot] = key;
      this.replaced[slot] = 0;
    }
    this.ticks.set(bytes.subarray(offset, offset + TICK_BYTES), slot * TICK_BYTES);
    return true;
  }

  /**
   * Moves up to `limit` waiting ticks, oldest key first, into `ring` (claimed and published here;
   * the caller knows that many slots are free). Returns how many moved.
   */
  flushInto(ring: RingProducer, limit: number): number {
    const count = Math.min(limit, this.length);
    if (count === 0) return 0;
    const granted = ring.claim(count);
    for (let i = 0; i < granted; i++) {
      const slot = this.head;
      const offset = ring.offsetOf(i);
      ring.bytes.set(this.ticks.subarray(slot * TICK_BYTES, (slot + 1) * TICK_BYTES), offset);
      if (this.replaced[slot] === 1) this.flagger.wrap(ring.bytes, offset).addFlags(FLAG.conflated);
      this.slotOfKey[this.keyOfSlot[slot]!] = ABSENT;
      this.head = (slot + 1) % this.maxKeys;
      this.length--;
    }
    ring.publish(granted);
    return granted;
  }

  /** Forgets every waiting tick and returns how many there were. */
  clear(): number {
    const dropped = this.length;
    for (let i = 0; i < this.length; i++) {
      this.slotOfKey[this.keyOfSlot[(this.head + i) % this.maxKeys]!] = ABSENT;
    }
    this.head = 0;
    this.length = 0;
    return dropped;
  }

  private grow(key: number): void {
    const grown = new Int32Array(Math.max(key + 1, this.slotOfKey.length * 2, 1024)).fill(ABSENT);
    grown.set(this.slotOfKey);
    this.slotOfKey = grown;
  }
}
