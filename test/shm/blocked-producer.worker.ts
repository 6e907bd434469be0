import { parentPort, workerData } from 'node:worker_threads';
import type { RingDescriptor } from '../../src/shm/index.ts';
import { RingProducer } from '../../src/shm/index.ts';
import { writeCountedSlot } from './counted-slot.ts';

/** Offers counters 0..count-1 to a 'block' ring (so it waits whenever the ring is full). */
const { descriptor, count } = workerData as { descriptor: RingDescriptor; count: number };

const producer = new RingProducer(descriptor);
for (let counter = 0; counter < count; counter++) {
  producer.offer((_bytes, offset) => writeCountedSlot(producer.view, offset, counter), 30_000);
}
parentPort!.postMessage('sent');
