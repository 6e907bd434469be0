import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { isTickwireError } from '../../src/errors.ts';
import {
  createRing,
  type FullPolicy,
  RingConsumer,
  type RingDescriptor,
  readRingStats,
  spawnWorker,
} from '../../src/shm/index.ts';
import { readCountedSlot } from './counted-slot.ts';

/** Gives up (failing the test) if the consumer sees nothing new for this long: the producer died. */
const STALL_LIMIT_MS = 20_000;

function startProducer(descriptor: RingDescriptor, count: number, maxBatch: number) {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const worker = spawnWorker(new URL('./counting-producer.worker.ts', import.meta.url), {
    workerData: { descriptor, count, maxBatch, done },
  });
  const failures: unknown[] = [];
  worker.on('error', (error) => failures.push(error));
  const exited = once(worker, 'exit').then(([code]) => code as number);
  return { done, failures, exited };
}

/**
 * Consumes on this (blocking) thread until the producer says it is done and the ring is empty.
 * `pause` slows the consumer down every few batches so that the ring fills.
 */
function consumeAll(
  descriptor: RingDescriptor,
  done: Int32Array,
  onCounter: (counter: number) => void,
  pause: boolean,
): void {
  const consumer = new RingConsumer(descriptor);
  const view = consumer.view;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const handler = (_bytes: Uint8Array, offset: number) => onCounter(readCountedSlot(view, offset));
  let batches = 0;
  let lastProgress = performance.now();
  let seed = 99;
  for (;;) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    if (consumer.poll(handler, 1 + (seed % 300)) > 0) {
      lastProgress = performance.now();
      if (pause && ++batches % 8 === 0) Atomics.wait(nap, 0, 0, 0.2);
      continue;
    }
    // The producer sets `done` after its last publish, so a poll after seeing it drains everything.
    if (Atomics.load(done, 0) === 1) {
      if (consumer.poll(handler, descriptor.capacity) === 0) return;
      continue;
    }
    try {
      consumer.waitForData(50);
    } catch (error) {
      if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
      if (performance.now() - lastProgress > STALL_LIMIT_MS) throw new Error('producer stalled or died');
    }
  }
}

describe('ring between two threads', () => {
  it('block policy: 5 million messages through a 1024-slot ring arrive complete, once, in order', async () => {
    const count = 5_000_000;
    const descriptor = createRing({ capacity: 1024, policy: 'block' });
    const { done, failures, exited } = startProducer(descriptor, count, 300);
    let expected = 0;
    consumeAll(
      descriptor,
      done,
      (counter) => {
        if (counter !== expected) throw new Error(`expected counter ${expected}, got ${counter}`);
        expected++;
      },
      false,
    );
    assert.equal(await exited, 0);
    assert.deepEqual(failures, []);
    assert.equal(expected, count);
    const stats = readRingStats(descriptor);
    assert.equal(stats.published, count);
    assert.equal(stats.consumed, count);
    assert.equal(stats.droppedNewest + stats.droppedOldest, 0);
    assert.ok(stats.highWater <= 1024);
  });

  for (const policy of ['drop-newest', 'drop-oldest'] as const satisfies readonly FullPolicy[]) {
    it(`${policy}: what arrives is intact and strictly increasing, and received + dropped == sent`, async () => {
      const count = 400_000;
      const descriptor = createRing({ capacity: 64, policy });
      const { done, failures, exited } = startProducer(descriptor, count, 48);
      let received = 0;
      let last = -1;
      consumeAll(
        descriptor,
        done,
        (counter) => {
          if (counter <= last) throw new Error(`counter ${counter} after ${last}`);
          last = counter;
          received++;
        },
        true,
      );
      assert.equal(await exited, 0);
      assert.deepEqual(failures, []);
      const stats = readRingStats(descriptor);
      const dropped = policy === 'drop-newest' ? stats.droppedNewest : stats.droppedOldest;
      assert.ok(dropped > 0, 'the consumer was slow enough for the ring to fill');
      assert.equal(received + dropped, count);
      assert.equal(stats.consumed, received);
      assert.ok(stats.fullEvents > 0);
      if (policy === 'drop-oldest') assert.equal(last, count - 1, 'the newest message survives');
    });
  }
});
