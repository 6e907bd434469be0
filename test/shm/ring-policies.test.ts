import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTickwireError } from '../../src/errors.ts';
import {
  createRing,
  type FullPolicy,
  RingConsumer,
  RingProducer,
  readRingStats,
} from '../../src/shm/index.ts';
import { drainCounted as drain, readCountedSlot, writeCountedSlot } from './counted-slot.ts';

function pair(capacity: number, policy: FullPolicy) {
  const ring = createRing({ capacity, policy });
  return { ring, producer: new RingProducer(ring), consumer: new RingConsumer(ring) };
}

function offerCounters(producer: RingProducer, from: number, to: number): boolean[] {
  const accepted: boolean[] = [];
  for (let counter = from; counter < to; counter++) {
    accepted.push(producer.offer((_bytes, offset) => writeCountedSlot(producer.view, offset, counter), 0));
  }
  return accepted;
}

const isTimeout = (error: unknown) => isTickwireError(error, 'RING_TIMEOUT');
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('full ring, block policy', () => {
  it('waits for the whole batch, times out with RING_TIMEOUT, and counts each full event', () => {
    const { ring, producer, consumer } = pair(8, 'block');
    assert.deepEqual(offerCounters(producer, 0, 8), Array(8).fill(true));
    assert.throws(() => producer.claim(1, 0), isTimeout);
    assert.throws(
      () => producer.offer(() => {}, 1),
      (error) => isTimeout(error) && /timeoutMs=1/.test((error as Error).message),
    );
    assert.equal(
      consumer.poll(() => {}, 3),
      3,
    );
    assert.throws(() => producer.claim(5, 0), isTimeout); // only 3 of the 5 are free
    assert.equal(producer.claim(3, 0), 3); // fits: not a full event
    producer.publish(0);
    const stats = readRingStats(ring);
    assert.deepEqual(
      [stats.published, stats.consumed, stats.fullEvents, stats.droppedNewest, stats.droppedOldest],
      [8, 3, 3, 0, 0],
    );
    assert.deepEqual([stats.used, stats.highWater], [5, 8]);
    assert.deepEqual(drain(consumer), range(3, 8));
  });
});

describe('full ring, drop-newest policy', () => {
  it('refuses and counts new messages, keeping the oldest data', () => {
    const { ring, producer, consumer } = pair(8, 'drop-newest');
    assert.deepEqual(offerCounters(producer, 0, 12), [...Array(8).fill(true), ...Array(4).fill(false)]);
    const stats = readRingStats(ring);
    assert.equal(stats.published, 8);
    assert.equal(stats.droppedNewest, 4);
    assert.equal(stats.fullEvents, 4);
    assert.equal(stats.droppedOldest, 0);
    assert.equal(stats.fill, 1);
    assert.deepEqual(drain(consumer), range(0, 8));
  });

  it('counts only the part of a batch that did not fit', () => {
    const { ring, producer, consumer } = pair(8, 'drop-newest');
    offerCounters(producer, 0, 6);
    assert.equal(producer.claim(5), 2);
    writeCountedSlot(producer.view, producer.offsetOf(0), 6);
    writeCountedSlot(producer.view, producer.offsetOf(1), 7);
    producer.publish(2);
    assert.equal(readRingStats(ring).droppedNewest, 3);
    assert.equal(readRingStats(ring).fullEvents, 1);
    assert.deepEqual(drain(consumer), range(0, 8));
  });
});

describe('full ring, drop-oldest policy', () => {
  it('discards and counts the oldest unread messages, keeping the newest; the gap shows in the data', () => {
    const { ring, producer, consumer } = pair(8, 'drop-oldest');
    assert.deepEqual(offerCounters(producer, 0, 12), Array(12).fill(true));
    const seen = drain(consumer);
    assert.deepEqual(seen, range(4, 12));
    const gap = seen[0]! - 0; // the consumer expected counter 0 next
    const stats = readRingStats(ring);
    assert.equal(stats.droppedOldest, 4);
    assert.equal(gap, stats.droppedOldest);
    assert.equal(stats.fullEvents, 4);
    assert.equal(stats.published, 12);
    assert.equal(stats.consumed, 8);
    assert.equal(stats.droppedNewest, 0);
  });

  it('drops only what a partly drained ring needs', () => {
    const { ring, producer, consumer } = pair(8, 'drop-oldest');
    offerCounters(producer, 0, 6);
    assert.deepEqual(
      (() => {
        const seen: number[] = [];
        consumer.poll((_b, offset) => seen.push(readCountedSlot(consumer.view, offset)), 2);
        return seen;
      })(),
      [0, 1],
    );
    offerCounters(producer, 6, 14); // 6..9 fit, 10..13 push out 2..5
    assert.deepEqual(drain(consumer, 3), range(6, 14));
    const stats = readRingStats(ring);
    assert.equal(stats.droppedOldest, 4);
    assert.equal(stats.consumed + stats.droppedOldest, stats.published);
  });

  it('does not discard a slot the consumer is reading: the producer waits for the batch', () => {
    const { ring, producer, consumer } = pair(4, 'drop-oldest');
    offerCounters(producer, 0, 4);
    let inner: unknown;
    consumer.poll(() => {
      try {
        producer.claim(1, 1);
      } catch (error) {
        inner = error;
      }
    }, 1);
    assert.ok(isTickwireError(inner, 'RING_TIMEOUT'), `expected RING_TIMEOUT, got ${String(inner)}`);
    assert.equal(readRingStats(ring).droppedOldest, 0);
    // After the batch (which consumed counter 0) a claim of 2 needs one more slot: it drops counter 1.
    assert.equal(producer.claim(2), 2);
    writeCountedSlot(producer.view, producer.offsetOf(0), 4);
    writeCountedSlot(producer.view, producer.offsetOf(1), 5);
    producer.publish(2);
    assert.equal(readRingStats(ring).droppedOldest, 1);
    assert.deepEqual(drain(consumer), [2, 3, 4, 5]);
  });
});

describe('batches larger than the capacity', () => {
  const cases: [FullPolicy, { granted: number; droppedNewest: number; droppedOldest: number }][] = [
    ['block', { granted: 8, droppedNewest: 0, droppedOldest: 0 }],
    ['drop-newest', { granted: 8, droppedNewest: 12, droppedOldest: 0 }],
    ['drop-oldest', { granted: 8, droppedNewest: 0, droppedOldest: 0 }],
  ];
  for (const [policy, expected] of cases) {
    it(`${policy}: an empty 8-slot ring grants 8 of 20`, () => {
      const { ring, producer, consumer } = pair(8, policy);
      const granted = producer.claim(20, 0);
      for (let i = 0; i < granted; i++) writeCountedSlot(producer.view, producer.offsetOf(i), i);
      producer.publish(granted);
      const stats = readRingStats(ring);
      assert.deepEqual(
        { granted, droppedNewest: stats.droppedNewest, droppedOldest: stats.droppedOldest },
        expected,
      );
      assert.equal(stats.fullEvents, 1);
      assert.deepEqual(drain(consumer, 100), range(0, 8));
    });
  }

  it('drop-oldest: a full 8-slot ring asked for 20 discards all 8 unread and grants 8', () => {
    const { ring, producer, consumer } = pair(8, 'drop-oldest');
    offerCounters(producer, 0, 8);
    const granted = producer.claim(20);
    assert.equal(granted, 8);
    for (let i = 0; i < granted; i++) writeCountedSlot(producer.view, producer.offsetOf(i), 100 + i);
    producer.publish(granted);
    assert.equal(readRingStats(ring).droppedOldest, 8);
    assert.deepEqual(drain(consumer), range(100, 108));
  });
});
