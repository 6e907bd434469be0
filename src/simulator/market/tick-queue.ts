import { TICK_BYTES } from '../../wire/index.ts';

/**
 * A bounded first-in first-out queue of 64-byte ticks in one buffer allocated up front: the
 * read-ahead between a replay, which produces batches asynchronously, and the simulator, which
 * takes one tick per market event on its own timer. It never grows; a producer that finds it
 * full waits (see RecordedMarketSource), so memory stays at `capacity` × 64 bytes.
 */
export class TickQueue {
  readonly bytes: Uint8Array;
  /** Most ticks ever held at once. */
  highWater = 0;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.bytes = new Uint8Array(capacity * TICK_BYTES);
  }

  get length(): number {
    return this.count;
  }

  /**
   * Copies up to `count` ticks starting at tick `first` of `source` to the tail, as many as fit;
   * returns how many it copied. Two block copies at most (the tail may wrap around).
   */
  pushFrom(source: Uint8Array, first: number, count: number): number {
    const taken = Math.min(count, this.capacity - this.count);
    let copied = 0;
    while (copied < taken) {
      const tail = (this.head + this.count) % this.capacity;
      const run = Math.min(taken - copied, this.capacity - tail);
      const from = (first + copied) * TICK_BYTES;
      this.bytes.set(source.subarray(from, from + run * TICK_BYTES), tail * TICK_BYTES);
      this.count += run;
      copied += run;
    }
    if (this.count > this.highWater) this.highWater = this.count;
    return taken;
  }

  /** Byte offset in `bytes` of the oldest tick; only meaningful while `length` > 0. */
  get headOffset(): number {
    return this.head * TICK_BYTES;
  }

  /** Drops the oldest tick (after it was read at `headOffset`). */
  shift(): void {
    if (this.count === 0) return;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    this.count--;
  }
}
