import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTickwireError } from '../../src/errors.ts';
import { RingConsumer, RingPool, RingProducer } from '../../src/shm/index.ts';

const feed = { producer: 'feed-worker', consumer: 'main' } as const;
const orders = { producer: 'main', consumer: 'risk-worker' } as const;

describe('ring pool', () => {
  it('creates one ring per producer/consumer pair and finds it again', () => {
    const pool = new RingPool();
    const ring = pool.create(feed, { capacity: 16 });
    assert.equal(pool.get({ ...feed }), ring);
    assert.ok(pool.has(feed));
    assert.ok(!pool.has(orders));
    assert.throws(
      () => pool.create(feed, { capacity: 8 }),
      (error) => isTickwireError(error, 'RING_BAD_ARGUMENT') && /feed-worker->main/.test(error.message),
    );
    assert.throws(
      () => pool.get(orders),
      (error) => isTickwireError(error, 'RING_BAD_ARGUMENT'),
    );
    assert.throws(
      () => pool.create({ producer: '', consumer: 'x' }, { capacity: 8 }),
      (error) =>
        isTickwireError(error, 'RING_BAD_ARGUMENT') &&
        /producer must be a non-empty string/.test(error.message),
    );
    assert.ok(pool.delete(feed));
    assert.ok(!pool.has(feed));
  });

  it('reports per-ring fill, high-water marks, totals and overall utilization', () => {
    const pool = new RingPool();
    const feedRing = pool.create(feed, { capacity: 16 });
    const orderRing = pool.create(orders, { capacity: 4, policy: 'drop-newest' });
    const feedProducer = new RingProducer(feedRing);
    const feedConsumer = new RingConsumer(feedRing);
    const orderProducer = new RingProducer(orderRing);

    for (let i = 0; i < 12; i++) feedProducer.offer(() => {});
    feedConsumer.poll(() => {}, 8); // 4 left, 12 seen at most
    for (let i = 0; i < 6; i++) orderProducer.offer(() => {}); // 4 kept, 2 refused

    const stats = pool.stats();
    const [feedStats, orderStats] = stats.rings;
    assert.equal(feedStats?.producer, 'feed-worker');
    assert.equal(feedStats?.used, 4);
    assert.equal(feedStats?.fill, 0.25);
    assert.equal(feedStats?.highWater, 12); // seen by the consumer when it polled
    assert.equal(orderStats?.consumer, 'risk-worker');
    assert.equal(orderStats?.fill, 1);
    assert.equal(orderStats?.highWater, 4);
    assert.equal(orderStats?.droppedNewest, 2);
    assert.deepEqual(stats.totals, {
      rings: 2,
      capacity: 20,
      used: 8,
      bytes: feedRing.buffer.byteLength + orderRing.buffer.byteLength,
      published: 16,
      consumed: 8,
      fullEvents: 2,
      droppedNewest: 2,
      droppedOldest: 0,
    });
    assert.equal(stats.utilization, 8 / 20);
  });

  it('has zero utilization when empty', () => {
    assert.equal(new RingPool().stats().utilization, 0);
  });
});
