import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANE_INDEX, laneOf } from '../../src/gateway/lanes.ts';
import { OutboundMessage } from '../../src/gateway/outbound-message.ts';
import { OutboundQueue } from '../../src/gateway/outbound-queue.ts';

function message(topic: string, value: unknown): OutboundMessage {
  return new OutboundMessage(
    topic,
    value as never,
    laneOf(topic, value as never),
    undefined,
    (payload) => payload,
  );
}

function drained(queue: OutboundQueue, lastLane?: number): [string, unknown, boolean][] {
  const written: [string, unknown, boolean][] = [];
  queue.drain({ write: (m, _binary, conflated) => written.push([m.topic, m.payload, conflated]) }, lastLane);
  return written;
}

describe('lanes', () => {
  it('puts fills and order rejects in critical, other order and bot events high, market data normal, monitoring low', () => {
    assert.equal(laneOf('fills.acc1', {}), LANE_INDEX.critical);
    assert.equal(laneOf('orders.acc1', { status: 'rejected' }), LANE_INDEX.critical);
    assert.equal(laneOf('orders.acc1', { event: 'rejected' }), LANE_INDEX.critical);
    assert.equal(laneOf('orders.acc1', { status: 'new' }), LANE_INDEX.high);
    assert.equal(laneOf('bots.acc1.b1', {}), LANE_INDEX.high);
    assert.equal(laneOf('alerts.performance', {}), LANE_INDEX.high);
    assert.equal(laneOf('md.trade.SIM.BTCUSDT', new Uint8Array(64)), LANE_INDEX.normal);
    assert.equal(laneOf('monitor.hardware', {}), LANE_INDEX.low);
  });
});

describe('OutboundQueue', () => {
  it('drains highest lane first, each lane in arrival order', () => {
    const queue = new OutboundQueue();
    for (const [topic, value] of [
      ['md.trade.SIM.A', 1],
      ['monitor.hardware', 2],
      ['orders.acc1', 3],
      ['md.trade.SIM.A', 4],
      ['fills.acc1', 5],
    ] as const) {
      queue.push(message(topic, value), false, false);
    }
    assert.deepEqual(
      drained(queue).map(([, value]) => value),
      [5, 3, 1, 4, 2],
    );
    assert.equal(queue.bytes, 0);
    assert.equal(queue.hasQueued(), false);
  });

  it('conflates per topic on conflatable lanes only, keeps the latest, marks replacements, keeps byte counts', () => {
    const queue = new OutboundQueue();
    const messages = [
      message('md.trade.SIM.A', 1),
      message('md.trade.SIM.B', 2),
      message('md.trade.SIM.A', 3),
      message('fills.acc1', 4),
      message('fills.acc1', 5),
      message('md.trade.SIM.A', 6),
    ];
    const replaced = messages.map((m) => queue.push(m, false, true));
    assert.deepEqual(replaced, [false, false, true, false, false, true]);
    assert.equal(queue.conflated, 2);
    const expectedBytes = [1, 3, 4, 5].reduce((sum, i) => sum + messages[i]!.sizeFor(false), 0);
    assert.equal(queue.bytes, expectedBytes);
    assert.deepEqual(queue.depths(), { critical: 2, high: 0, normal: 2, low: 0 });
    assert.deepEqual(drained(queue), [
      ['fills.acc1', 4, false],
      ['fills.acc1', 5, false],
      ['md.trade.SIM.A', 6, true],
      ['md.trade.SIM.B', 2, false],
    ]);
    assert.equal(queue.bytes, 0);
  });

  it('drains only up to the given lane and keeps the rest', () => {
    const queue = new OutboundQueue();
    queue.push(message('md.trade.SIM.A', 1), false, false);
    queue.push(message('fills.acc1', 2), false, false);
    assert.deepEqual(
      drained(queue, LANE_INDEX.high).map(([, value]) => value),
      [2],
    );
    assert.ok(queue.hasQueued());
    assert.deepEqual(
      drained(queue).map(([, value]) => value),
      [1],
    );
  });

  it('puts a message in another lane when asked (the lanes-off baseline)', () => {
    const queue = new OutboundQueue();
    queue.push(message('md.trade.SIM.A', 1), false, false, LANE_INDEX.normal);
    queue.push(message('fills.acc1', 2), false, false, LANE_INDEX.normal);
    assert.deepEqual(
      drained(queue).map(([, value]) => value),
      [1, 2],
    );
  });

  it('counts binary ticks at 64 bytes and JSON at their frame size', () => {
    const queue = new OutboundQueue();
    const tick = message('md.trade.SIM.A', new Uint8Array(64));
    queue.push(tick, true, false);
    assert.equal(queue.bytes, 64);
    queue.clear();
    assert.equal(queue.bytes, 0);
    assert.equal(queue.hasQueued(), false);
  });
});
