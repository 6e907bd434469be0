import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTickwireError } from '../../src/errors.ts';
import {
  createRing,
  type FullPolicy,
  HEADER_BYTES,
  RingConsumer,
  RingProducer,
} from '../../src/shm/index.ts';
import { CACHE_LINE_BYTES, HEADER, I32, RING_LAYOUT_VERSION, RING_MAGIC } from '../../src/shm/ring-layout.ts';

function throwsCode(fn: () => unknown, code: 'RING_BAD_ARGUMENT' | 'RING_LAYOUT_MISMATCH', text: RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isTickwireError(error, code), `expected ${code}, got ${String(error)}`);
    assert.match(error.message, text);
    return true;
  });
}

describe('ring arguments', () => {
  it('rejects capacities that are not powers of two in range', () => {
    for (const capacity of [0, 3, 6, 1.5, -4, 2 ** 31, Number.NaN]) {
      throwsCode(
        () => createRing({ capacity }),
        'RING_BAD_ARGUMENT',
        new RegExp(`capacity .* got ${capacity}`),
      );
    }
  });

  it('rejects slot sizes that are not multiples of 8 in range', () => {
    for (const slotSize of [0, 4, 12, 63, 65544, 8.5]) {
      throwsCode(
        () => createRing({ capacity: 8, slotSize }),
        'RING_BAD_ARGUMENT',
        new RegExp(`slotSize .* got ${slotSize}`),
      );
    }
  });

  it('rejects unknown policies', () => {
    const policy = 'drop-random' as FullPolicy; // invalid on purpose
    throwsCode(() => createRing({ capacity: 8, policy }), 'RING_BAD_ARGUMENT', /policy .*"drop-random"/);
  });

  it('rejects a buffer that is not shared', () => {
    const descriptor = createRing({ capacity: 8 });
    const buffer = new ArrayBuffer(descriptor.buffer.byteLength) as unknown as SharedArrayBuffer;
    throwsCode(
      () => new RingProducer({ ...descriptor, buffer }),
      'RING_BAD_ARGUMENT',
      /SharedArrayBuffer, got ArrayBuffer/,
    );
  });
});

describe('ring attach', () => {
  const descriptor = createRing({ capacity: 16, slotSize: 64, policy: 'drop-newest' });

  it('accepts the layout it was created with, on both sides', () => {
    assert.equal(new RingProducer(descriptor).capacity, 16);
    assert.equal(new RingConsumer(descriptor).slotSize, 64);
  });

  it('names the field that differs', () => {
    throwsCode(
      () => new RingConsumer({ ...descriptor, capacity: 32 }),
      'RING_LAYOUT_MISMATCH',
      /capacity differs: buffer has 16, attach expected 32/,
    );
    throwsCode(
      () => new RingConsumer({ ...descriptor, slotSize: 128 }),
      'RING_LAYOUT_MISMATCH',
      /slot size differs: buffer has 64, attach expected 128/,
    );
    throwsCode(
      () => new RingProducer({ ...descriptor, policy: 'block' }),
      'RING_LAYOUT_MISMATCH',
      /full policy differs: buffer has drop-newest, attach expected block/,
    );
  });

  it('detects a buffer that is not a ring (magic)', () => {
    const buffer = new SharedArrayBuffer(descriptor.buffer.byteLength);
    throwsCode(
      () => new RingProducer({ ...descriptor, buffer }),
      'RING_LAYOUT_MISMATCH',
      /magic differs: buffer has 0x00000000, attach expected 0x47525754/,
    );
  });

  it('detects another layout version', () => {
    const copy = copyOf(descriptor.buffer, descriptor.buffer.byteLength);
    new Int32Array(copy)[I32.version] = RING_LAYOUT_VERSION + 1;
    throwsCode(
      () => new RingConsumer({ ...descriptor, buffer: copy }),
      'RING_LAYOUT_MISMATCH',
      /layout version differs: buffer has 2, attach expected 1/,
    );
  });

  it('detects a buffer of the wrong length', () => {
    const longer = copyOf(descriptor.buffer, descriptor.buffer.byteLength + 64);
    throwsCode(
      () => new RingConsumer({ ...descriptor, buffer: longer }),
      'RING_LAYOUT_MISMATCH',
      /buffer length differs: buffer has 1600, attach expected 1536/,
    );
    const tiny = new SharedArrayBuffer(16);
    throwsCode(
      () => new RingConsumer({ ...descriptor, buffer: tiny }),
      'RING_LAYOUT_MISMATCH',
      /buffer length differs: buffer has 16/,
    );
  });
});

describe('ring header layout', () => {
  it('keeps producer-written and consumer-written words on cache lines at least 128 bytes apart', () => {
    const producerLine = [
      HEADER.writeCursor,
      HEADER.fullEvents,
      HEADER.droppedNewest,
      HEADER.droppedOldest,
      HEADER.producerHighWater,
    ];
    const consumerLine = [HEADER.readCursor, HEADER.consumed, HEADER.consumerHighWater, HEADER.readOwner];
    const lineOf = (offset: number) => Math.floor(offset / CACHE_LINE_BYTES);
    assert.equal(new Set(producerLine.map(lineOf)).size, 1);
    assert.equal(new Set(consumerLine.map(lineOf)).size, 1);
    assert.notEqual(lineOf(HEADER.writeCursor), lineOf(HEADER.readCursor));
    assert.ok(Math.abs(HEADER.readCursor - HEADER.writeCursor) >= 128);
    assert.equal(HEADER_BYTES % CACHE_LINE_BYTES, 0);
  });

  it('stores the fields at the documented byte offsets', () => {
    const ring = createRing({ capacity: 8, slotSize: 16, policy: 'drop-oldest' });
    const producer = new RingProducer(ring);
    const consumer = new RingConsumer(ring);
    for (let i = 0; i < 11; i++) producer.offer(() => {});
    consumer.poll(() => {}, 3);
    const view = new DataView(ring.buffer);
    assert.equal(view.getUint32(0, true), RING_MAGIC);
    assert.equal(view.getUint32(4, true), 1);
    assert.equal(view.getUint32(8, true), 16);
    assert.equal(view.getUint32(12, true), 8);
    assert.equal(view.getUint32(16, true), 2);
    assert.equal(view.getBigInt64(128, true), 11n); // write cursor
    assert.equal(view.getBigInt64(136, true), 3n); // full events
    assert.equal(view.getBigInt64(152, true), 3n); // dropped oldest
    assert.equal(view.getBigInt64(256, true), 6n); // read cursor = 3 dropped + 3 consumed
    assert.equal(view.getBigInt64(264, true), 3n); // consumed
    assert.equal(ring.buffer.byteLength, 512 + 8 * 16);
  });

  it('descriptors survive structured cloning and still share the buffer', () => {
    const ring = createRing({ capacity: 4 });
    const producer = new RingProducer(structuredClone(ring));
    const consumer = new RingConsumer(ring);
    producer.offer((bytes, offset) => {
      bytes[offset] = 42;
    });
    const seen: number[] = [];
    consumer.poll((bytes, offset) => seen.push(bytes[offset]!));
    assert.deepEqual(seen, [42]);
  });
});

function copyOf(buffer: SharedArrayBuffer, byteLength: number): SharedArrayBuffer {
  const copy = new SharedArrayBuffer(byteLength);
  new Uint8Array(copy).set(new Uint8Array(buffer));
  return copy;
}
