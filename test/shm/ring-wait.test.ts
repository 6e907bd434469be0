import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';
import { isTickwireError } from '../../src/errors.ts';
import {
  createRing,
  RingConsumer,
  type RingDescriptor,
  RingProducer,
  spawnWorker,
} from '../../src/shm/index.ts';
import { I32 } from '../../src/shm/ring-layout.ts';
import { readCountedSlot, writeCountedSlot } from './counted-slot.ts';

const isTimeout = (error: unknown) => isTickwireError(error, 'RING_TIMEOUT');

/** Resolves once the other thread has raised its "I am asleep" flag, i.e. is past spinning. */
async function untilFlagged(descriptor: RingDescriptor, flag: number): Promise<void> {
  const words = new Int32Array(descriptor.buffer, 0, 128);
  while (Atomics.load(words, flag) === 0) await sleep(1);
}

function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (code ${code}) before replying`)));
  });
}

describe('blocking waits', () => {
  for (const mode of ['block', 'async'] as const) {
    it(`a consumer asleep in ${mode === 'block' ? 'waitForData' : 'waitForDataAsync'} wakes when data arrives`, async () => {
      const descriptor = createRing({ capacity: 8 });
      const worker = spawnWorker(new URL('./waiting-consumer.worker.ts', import.meta.url), {
        workerData: { descriptor, mode },
      });
      const reply = firstMessage(worker);
      await untilFlagged(descriptor, I32.consumerWaiting);
      // Give a worker that wrongly let its event loop empty (Node 20 waitAsync) time to exit.
      await sleep(100);
      const producer = new RingProducer(descriptor);
      producer.offer((_bytes, offset) => writeCountedSlot(producer.view, offset, 1234));
      assert.equal(await reply, 1234);
      await once(worker, 'exit');
    });
  }

  it('a block-policy producer asleep on a full ring wakes when the consumer frees space', async () => {
    const descriptor = createRing({ capacity: 4, policy: 'block' });
    const worker = spawnWorker(new URL('./blocked-producer.worker.ts', import.meta.url), {
      workerData: { descriptor, count: 10 },
    });
    const reply = firstMessage(worker);
    const consumer = new RingConsumer(descriptor);
    const seen: number[] = [];
    await untilFlagged(descriptor, I32.producerWaiting);
    while (seen.length < 10) {
      consumer.poll((_bytes, offset) => seen.push(readCountedSlot(consumer.view, offset)), 1);
      if (seen.length < 10) await consumer.waitForDataAsync(30_000);
    }
    assert.equal(await reply, 'sent');
    assert.deepEqual(
      seen,
      Array.from({ length: 10 }, (_, i) => i),
    );
  });

  it('waitForData and waitForDataAsync time out with RING_TIMEOUT when nothing arrives', async () => {
    const consumer = new RingConsumer(createRing({ capacity: 8 }));
    assert.throws(() => consumer.waitForData(20), isTimeout);
    await assert.rejects(consumer.waitForDataAsync(20), isTimeout);
  });

  it('waitForSpace and waitForSpaceAsync time out with RING_TIMEOUT on a full ring', async () => {
    const producer = new RingProducer(createRing({ capacity: 2 }));
    producer.offer(() => {});
    producer.offer(() => {});
    assert.throws(() => producer.waitForSpace(1, 20), isTimeout);
    await assert.rejects(producer.waitForSpaceAsync(1, 20), isTimeout);
  });

  it('waits return at once when the condition already holds', async () => {
    const descriptor = createRing({ capacity: 2 });
    const producer = new RingProducer(descriptor);
    const consumer = new RingConsumer(descriptor);
    producer.waitForSpace(2, 0);
    await producer.waitForSpaceAsync(2, 0);
    producer.offer(() => {});
    consumer.waitForData(0);
    await consumer.waitForDataAsync(0);
  });
});
