import { workerData } from 'node:worker_threads';
import type { RingDescriptor } from '../../src/shm/index.ts';
import { RingProducer } from '../../src/shm/index.ts';
import { writeCountedSlot } from './counted-slot.ts';

/**
 * Sends counters 0..count-1 in batches of pseudo-random size 1..maxBatch, then sets done[0] = 1.
 * Refused messages (drop-newest) are not re-sent: the counter moves on, as for a live feed.
 */
const { descriptor, count, maxBatch, done } = workerData as {
  descriptor: RingDescriptor;
  count: number;
  maxBatch: number;
  done: Int32Array;
};

const producer = new RingProducer(descriptor);
const view = producer.view;
let seed = 12345;
let next = 0;
while (next < count) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  const wanted = Math.min(count - next, 1 + (seed % maxBatch));
  const granted = producer.claim(wanted, 10_000);
  for (let i = 0; i < granted; i++) writeCountedSlot(view, producer.offsetOf(i), next + i);
  producer.publish(granted);
  next += descriptor.policy === 'drop-newest' ? wanted : granted;
}
Atomics.store(done, 0, 1);
