import { parentPort, workerData } from 'node:worker_threads';
import type { RingDescriptor } from '../../src/shm/index.ts';
import { RingConsumer } from '../../src/shm/index.ts';
import { readCountedSlot } from './counted-slot.ts';

/**
 * Waits for one message (blocking or with waitAsync), then posts its counter. In 'async' mode the
 * thread has nothing else to do while it waits, which is what the Node 20 keep-alive must cover.
 */
const { descriptor, mode } = workerData as { descriptor: RingDescriptor; mode: 'block' | 'async' };

const consumer = new RingConsumer(descriptor);
if (mode === 'block') consumer.waitForData(30_000);
else await consumer.waitForDataAsync(30_000);
let counter = -1;
consumer.poll((_bytes, offset) => {
  counter = readCountedSlot(consumer.view, offset);
}, 1);
parentPort!.postMessage(counter);
