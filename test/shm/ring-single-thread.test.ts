import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import { createRing, RingConsumer, RingProducer, readRingStats } from '../../src/shm/index.ts';
import { I64 } from '../../src/shm/ring-layout.ts';
import { drainCounted as drain, readCountedSlot, writeCountedSlot } from './counted-slot.ts';

function pair(capacity: number) {
  const ring = createRing({ capacity });
  return { ring, producer: new RingProducer(ring), consumer: new RingConsumer(ring) };
}

describe('ring in one thread', () => {
  it('matches a FIFO queue model for any mix of batch claims and polls (wrapping many times)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8, 16),
        fc.array(
          fc.oneof(
            fc.record({ write: fc.integer({ min: 1, max: 40 }) }),
            fc.record({ read: fc.integer({ min: 1, max: 40 }) }),
          ),
          {
            maxLength: 300,
          },
        ),
        (capacity, steps) => {
          const { ring, producer, consumer } = pair(capacity);
          const queue: number[] = [];
          let sent = 0;
          let fullEvents = 0;
          for (const step of steps) {
            if ('write' in step) {
              const free = capacity - queue.length;
              if (free < step.write) fullEvents++;
              // A block ring waits for the whole batch (at most the capacity); timeout 0 gives up at once.
              if (free < Math.min(step.write, capacity)) {
                assert.throws(
                  () => producer.claim(step.write, 0),
                  (error) => isTickwireError(error, 'RING_TIMEOUT'),
                );
                continue;
              }
              const granted = producer.claim(step.write, 0);
              assert.equal(granted, Math.min(step.write, free));
              for (let i = 0; i < granted; i++)
                writeCountedSlot(producer.view, producer.offsetOf(i), sent + i);
              producer.publish(granted);
              for (let i = 0; i < granted; i++) queue.push(sent++);
            } else {
              const seen: number[] = [];
              const handled = consumer.poll(
                (_bytes, offset) => seen.push(readCountedSlot(consumer.view, offset)),
                step.read,
              );
              const expected = queue.splice(0, step.read);
              assert.equal(handled, expected.length);
              assert.deepEqual(seen, expected);
            }
          }
          assert.deepEqual(drain(consumer), queue);
          const stats = readRingStats(ring);
          assert.equal(stats.published, sent);
          assert.equal(stats.consumed, sent);
          assert.equal(stats.fullEvents, fullEvents);
          assert.equal(stats.used, 0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('goes around a 4-slot ring thousands of times', () => {
    const { producer, consumer } = pair(4);
    const seen: number[] = [];
    for (let counter = 0; counter < 20_000; counter++) {
      assert.ok(producer.offer((_bytes, offset) => writeCountedSlot(producer.view, offset, counter), 0));
      if (counter % 3 === 2) seen.push(...drain(consumer, 2));
    }
    seen.push(...drain(consumer));
    assert.equal(seen.length, 20_000);
    assert.deepEqual(
      seen,
      Array.from({ length: 20_000 }, (_, i) => i),
    );
  });

  it('keeps working with sequences beyond 2^32 (slot = seq & mask stays exact)', () => {
    const ring = createRing({ capacity: 8 });
    const start = 2 ** 33 - 5;
    const cursors = new BigInt64Array(ring.buffer, 0, 64);
    cursors[I64.writeCursor] = BigInt(start);
    cursors[I64.readCursor] = BigInt(start);
    const producer = new RingProducer(ring);
    const consumer = new RingConsumer(ring);
    const offsets = new Set<number>();
    const seen: number[] = [];
    for (let round = 0; round < 10; round++) {
      const granted = producer.claim(6, 0);
      for (let i = 0; i < granted; i++) {
        offsets.add(producer.offsetOf(i));
        writeCountedSlot(producer.view, producer.offsetOf(i), start + round * 6 + i);
      }
      producer.publish(granted);
      seen.push(...drain(consumer));
    }
    assert.equal(offsets.size, 8);
    assert.deepEqual(
      seen,
      Array.from({ length: 60 }, (_, i) => start + i),
    );
    assert.equal(readRingStats(ring).published, start + 60);
  });

  it('hands the handler the shared buffer itself (zero copy)', () => {
    const { ring, producer, consumer } = pair(4);
    producer.offer((bytes, offset) => {
      bytes[offset] = 7;
    });
    consumer.poll((bytes, offset) => {
      assert.equal(bytes.buffer, ring.buffer);
      assert.equal(bytes[offset], 7);
    });
  });

  it('re-delivers the slot whose handler threw, after consuming the ones before it', () => {
    const { producer, consumer } = pair(8);
    for (let counter = 0; counter < 5; counter++)
      producer.offer((_b, offset) => writeCountedSlot(producer.view, offset, counter));
    const seen: number[] = [];
    assert.throws(
      () =>
        consumer.poll((_bytes, offset) => {
          const counter = readCountedSlot(consumer.view, offset);
          if (counter === 2) throw new Error('handler failed');
          seen.push(counter);
        }),
      /handler failed/,
    );
    assert.deepEqual(seen, [0, 1]);
    assert.deepEqual(drain(consumer), [2, 3, 4]);
  });

  it('lets publish() make visible fewer slots than were claimed', () => {
    const { producer, consumer } = pair(8);
    assert.equal(producer.claim(5), 5);
    writeCountedSlot(producer.view, producer.offsetOf(0), 0);
    writeCountedSlot(producer.view, producer.offsetOf(1), 1);
    producer.publish(2);
    assert.equal(consumer.available(), 2);
    assert.equal(producer.freeSlots(), 6);
    assert.deepEqual(drain(consumer), [0, 1]);
  });

  it('rejects invalid arguments with RING_BAD_ARGUMENT', () => {
    const { producer, consumer } = pair(8);
    const bad = (fn: () => unknown, text: RegExp) =>
      assert.throws(
        fn,
        (error: unknown) => isTickwireError(error, 'RING_BAD_ARGUMENT') && text.test(error.message),
      );
    bad(() => producer.claim(0), /claim n must be a positive integer, got 0/);
    bad(() => producer.claim(2.5), /got 2.5/);
    assert.equal(producer.claim(3), 3);
    bad(() => producer.offsetOf(3), /below the 3 slots claimed, got 3/);
    bad(() => producer.offsetOf(-1), /got -1/);
    bad(() => producer.publish(4), /between 0 and the 3 slots claimed, got 4/);
    producer.publish(3);
    bad(() => producer.publish(1), /between 0 and the 0 slots claimed, got 1/);
    bad(() => consumer.poll(() => {}, 0), /maxBatch must be a positive integer, got 0/);
    bad(() => producer.waitForSpace(9, 0), /between 1 and capacity 8, got 9/);
    bad(() => consumer.waitForData(-1), /timeoutMs must be a non-negative number/);
  });
});
