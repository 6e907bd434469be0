import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflationBuffer } from '../../src/pipeline/conflation-buffer.ts';
import { createRing, RingConsumer, RingProducer } from '../../src/shm/index.ts';
import { FLAG, QUOTE, Tick, TRADE } from '../../src/wire/index.ts';
import { quoteTick, tradeTick } from './quality-fixtures.ts';

const keyOf = (tick: Tick) => tick.symbolId * 4 + tick.type - 1;

function put(buffer: ConflationBuffer, tick: Tick): boolean {
  return buffer.put(keyOf(tick), tick.bytes, tick.offset);
}

function drain(consumer: RingConsumer): { symbol: number; type: number; seq: number; conflated: boolean }[] {
  const out: { symbol: number; type: number; seq: number; conflated: boolean }[] = [];
  const tick = new Tick();
  consumer.poll((bytes, offset) => {
    tick.wrap(bytes, offset);
    out.push({
      symbol: tick.symbolId,
      type: tick.type,
      seq: tick.sequence,
      conflated: tick.hasFlag(FLAG.conflated),
    });
  });
  return out;
}

describe('ConflationBuffer', () => {
  it('keeps the latest tick per symbol and type, in first-arrival order, flagging replaced ones', () => {
    const buffer = new ConflationBuffer(16);
    put(buffer, quoteTick(1, 1, 100, 101));
    put(buffer, tradeTick(1, 1, 100));
    put(buffer, quoteTick(2, 1, 100, 101));
    put(buffer, quoteTick(1, 2, 100, 101));
    put(buffer, quoteTick(1, 3, 100, 101));
    assert.equal(buffer.pending, 3);
    assert.equal(buffer.conflated, 2);
    const ring = createRing({ capacity: 8, policy: 'drop-newest' });
    assert.equal(buffer.flushInto(new RingProducer(ring), 8), 3);
    assert.deepEqual(drain(new RingConsumer(ring)), [
      { symbol: 1, type: QUOTE, seq: 3, conflated: true },
      { symbol: 1, type: TRADE, seq: 1, conflated: false },
      { symbol: 2, type: QUOTE, seq: 1, conflated: false },
    ]);
    assert.equal(buffer.pending, 0);
  });

  it('moves no more than the limit and resumes with the next key; a flushed key starts afresh', () => {
    const buffer = new ConflationBuffer(4);
    for (let symbol = 0; symbol < 4; symbol++) put(buffer, quoteTick(symbol, 1, 100, 101));
    assert.equal(put(buffer, quoteTick(9, 1, 100, 101)), false, 'a fifth key overflows');
    assert.equal(buffer.overflow, 1);
    const ring = createRing({ capacity: 8, policy: 'drop-newest' });
    const producer = new RingProducer(ring);
    const consumer = new RingConsumer(ring);
    assert.equal(buffer.flushInto(producer, 2), 2);
    put(buffer, quoteTick(0, 2, 100, 101));
    put(buffer, quoteTick(3, 2, 100, 101));
    assert.equal(buffer.flushInto(producer, 8), 3);
    assert.deepEqual(
      drain(consumer).map((t) => [t.symbol, t.seq, t.conflated]),
      [
        [0, 1, false],
        [1, 1, false],
        [2, 1, false],
        [3, 2, true],
        [0, 2, false],
      ],
    );
  });

  it('clear() forgets the waiting ticks and reports how many', () => {
    const buffer = new ConflationBuffer(4);
    put(buffer, quoteTick(0, 1, 100, 101));
    put(buffer, quoteTick(1, 1, 100, 101));
    assert.equal(buffer.clear(), 2);
    assert.equal(buffer.pending, 0);
    assert.equal(put(buffer, quoteTick(0, 2, 100, 101)), true);
    assert.equal(buffer.conflated, 0, 'the cleared key is a new key again');
  });
});
