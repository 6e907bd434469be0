import type { RingConsumer } from '../../src/shm/index.ts';

/**
 * Test payload for 64-byte slots: a counter plus words derived from it and a checksum, so a
 * reader can tell a slot that was overwritten while it read it (torn) from an intact one.
 * Layout (u32 little-endian words): 0-1 counter, 2-14 pattern, 15 checksum of words 0-14.
 */

export const COUNTED_SLOT_BYTES = 64;

export function writeCountedSlot(view: DataView, offset: number, counter: number): void {
  const low = counter >>> 0;
  const high = Math.floor(counter / 2 ** 32) >>> 0;
  view.setUint32(offset, low, true);
  view.setUint32(offset + 4, high, true);
  let sum = Math.imul(low, 31) ^ high;
  for (let word = 2; word < 15; word++) {
    const value = patternWord(low, word);
    view.setUint32(offset + word * 4, value, true);
    sum = (Math.imul(sum, 31) + value) | 0;
  }
  view.setUint32(offset + 60, sum >>> 0, true);
}

/** The slot's counter; throws if the slot is not intact. */
export function readCountedSlot(view: DataView, offset: number): number {
  const low = view.getUint32(offset, true);
  const high = view.getUint32(offset + 4, true);
  let sum = Math.imul(low, 31) ^ high;
  for (let word = 2; word < 15; word++) {
    const value = view.getUint32(offset + word * 4, true);
    if (value !== patternWord(low, word))
      throw new Error(`torn slot: counter ${low} word ${word} is ${value}`);
    sum = (Math.imul(sum, 31) + value) | 0;
  }
  if (view.getUint32(offset + 60, true) !== sum >>> 0)
    throw new Error(`torn slot: counter ${low} bad checksum`);
  return high * 2 ** 32 + low;
}

/** Polls until the ring is empty and returns the counters of every slot read, in order. */
export function drainCounted(consumer: RingConsumer, maxBatch?: number): number[] {
  const seen: number[] = [];
  const read = (_bytes: Uint8Array, offset: number) => seen.push(readCountedSlot(consumer.view, offset));
  while (consumer.poll(read, maxBatch) > 0) {
    // poll() did the work; loop until the ring is empty.
  }
  return seen;
}

function patternWord(low: number, word: number): number {
  return (Math.imul(low ^ (word << 24), 0x9e3779b1) + word) >>> 0;
}
