import { type FullPolicy, I32, I64, openRing, type RingDescriptor } from './ring-layout.ts';

/** A snapshot of one ring's counters, readable from any thread holding its descriptor. */
export interface RingStats {
  readonly capacity: number;
  readonly slotSize: number;
  readonly policy: FullPolicy;
  /** Published messages not yet consumed or dropped, at the moment of the snapshot. */
  readonly used: number;
  /** used / capacity. */
  readonly fill: number;
  /**
   * Largest fill observed: sampled whenever either side re-reads the other's cursor (which
   * includes every time the producer finds the ring full) and by each snapshot.
   */
  readonly highWater: number;
  readonly highWaterFill: number;
  readonly published: number;
  readonly consumed: number;
  /** Claims that found fewer free slots than they asked for. */
  readonly fullEvents: number;
  readonly droppedNewest: number;
  readonly droppedOldest: number;
}

/**
 * Reads a ring's header counters. The two sides update them independently, so a snapshot taken
 * while they run is not one instant; the read cursor is loaded before the write cursor so that
 * `used` never comes out negative.
 */
export function readRingStats(descriptor: RingDescriptor): RingStats {
  const { cursors, words } = openRing(descriptor);
  const read = Number(Atomics.load(cursors, I64.readCursor));
  const published = Number(Atomics.load(cursors, I64.writeCursor));
  const used = Math.min(descriptor.capacity, Math.max(0, published - read));
  const highWater = Math.max(
    used,
    Atomics.load(words, I32.producerHighWater),
    Atomics.load(words, I32.consumerHighWater),
  );
  return {
    capacity: descriptor.capacity,
    slotSize: descriptor.slotSize,
    policy: descriptor.policy,
    used,
    fill: used / descriptor.capacity,
    highWater,
    highWaterFill: highWater / descriptor.capacity,
    published,
    consumed: Number(Atomics.load(cursors, I64.consumed)),
    fullEvents: Number(Atomics.load(cursors, I64.fullEvents)),
    droppedNewest: Number(Atomics.load(cursors, I64.droppedNewest)),
    droppedOldest: Number(Atomics.load(cursors, I64.droppedOldest)),
  };
}
