import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  barIntervalCode,
  FLAG,
  MAX_TIME_MS,
  SIDE,
  TICK_BYTES,
  Tick,
  validateTick,
  validateTicks,
} from '../../src/wire/index.ts';
import { readFields, tickFields, writeFields } from './arbitraries.ts';
import { tickwireError } from './expect-error.ts';

const T0_MS = 1_763_719_200_123; // 2025-11-21T10:00:00.123Z
const TWO_POW_64 = 1n << 64n;

function trade(tick = new Tick()): Tick {
  return tick.writeTrade(
    1,
    7,
    2,
    8,
    42,
    SIDE.buy | FLAG.final,
    T0_MS,
    456_789,
    T0_MS + 2,
    1_000,
    6_712_345,
    100_000,
    9,
  );
}

function hex(tick: Tick): string {
  return Buffer.from(tick.bytes.buffer, tick.bytes.byteOffset + tick.offset, TICK_BYTES).toString('hex');
}

describe('Tick writers and getters', () => {
  it('reads back every field of a trade', () => {
    const tick = trade();
    assert.equal(tick.version, 1);
    assert.equal(tick.type, 1);
    assert.equal(tick.venueId, 1);
    assert.equal(tick.symbolId, 7);
    assert.equal(tick.priceScale, 2);
    assert.equal(tick.sizeScale, 8);
    assert.equal(tick.sequence, 42);
    assert.equal(tick.side, SIDE.buy);
    assert.ok(tick.hasFlag(FLAG.final));
    assert.ok(!tick.hasFlag(FLAG.gap));
    assert.equal(tick.exchangeMs, T0_MS);
    assert.equal(tick.exchangeNanosOfMs, 456_789);
    assert.equal(tick.receiveMs, T0_MS + 2);
    assert.equal(tick.receiveNanosOfMs, 1_000);
    assert.equal(tick.exchangeTimeNs(), 1_763_719_200_123_456_789n);
    assert.equal(tick.price, 6_712_345);
    assert.equal(tick.size, 100_000);
    assert.equal(tick.tradeId, 9);
    assert.equal(tick.value(3), 0);
  });

  it('lays the bytes out as docs/WIRE.md says (little-endian, fixed offsets)', () => {
    const view = new DataView(trade().bytes.buffer);
    assert.equal(view.getUint8(0), 0x11); // version 1, type 1
    assert.equal(view.getUint8(1), 0x82); // sizeScale 8, priceScale 2
    assert.equal(view.getUint16(2, true), SIDE.buy | FLAG.final);
    assert.equal(view.getUint8(4), 1);
    assert.equal(view.getUint32(4, true) >>> 8, 7);
    assert.equal(view.getBigUint64(8, true), 42n);
    assert.equal(view.getBigUint64(16, true), 1_763_719_200_123_456_789n);
    assert.equal(view.getBigUint64(24, true), 1_763_719_200_125_001_000n);
    assert.equal(view.getBigInt64(32, true), 6_712_345n);
    assert.equal(view.getBigInt64(40, true), 100_000n);
    assert.equal(view.getBigInt64(48, true), 9n);
    assert.equal(view.getBigInt64(56, true), 0n);
  });

  it('names the body values of each type', () => {
    const tick = new Tick();
    tick.writeQuote(2, 3, 2, 3, 5, 0, T0_MS, 0, T0_MS, 0, -100, 1, 101, 2);
    assert.deepEqual(
      [tick.type, tick.bidPrice, tick.bidSize, tick.askPrice, tick.askSize],
      [2, -100, 1, 101, 2],
    );
    tick.writeBook(2, 3, 2, 3, 6, SIDE.ask | FLAG.snapshot, T0_MS, 0, T0_MS, 0, 500, 0, 77, 4);
    assert.deepEqual(
      [tick.type, tick.side, tick.price, tick.size, tick.firstUpdateId, tick.level],
      [3, 2, 500, 0, 77, 4],
    );
    tick.writeBar(2, 3, 2, 3, 12_345, FLAG.final, barIntervalCode('1h'), T0_MS, 0, T0_MS, 0, 10, 12, 9, 11);
    assert.deepEqual(
      [tick.type, tick.volume, tick.barInterval, tick.open, tick.high, tick.low, tick.close],
      [4, 12_345, 6, 10, 12, 9, 11],
    );
    assert.ok(tick.hasFlag(FLAG.final));
  });

  it('round-trips any valid tick of any type through the getters', () => {
    const tick = new Tick();
    fc.assert(
      fc.property(tickFields(), (fields) => {
        writeFields(tick, fields);
        assert.deepEqual(readFields(tick), fields);
        validateTick(tick.bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps negative 64-bit values exact down to -(2^53-1)', () => {
    const tick = new Tick();
    for (const price of [-1, -(2 ** 32), -(2 ** 32) - 1, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]) {
      tick.writeQuote(1, 1, 0, 0, 0, 0, 0, 0, 0, 0, price, 0, price, 0);
      assert.equal(tick.bidPrice, price);
      assert.equal(new DataView(tick.bytes.buffer).getBigInt64(32, true), BigInt(price));
    }
  });
});

describe('Tick timestamps', () => {
  const msAndNanos = (ns: bigint) => [Number(ns / 1_000_000n), Number(ns % 1_000_000n)] as const;

  it('converts ms + nanos to the u64 exactly for every instant of 2000-01-01..2099-12-31', () => {
    const tick = new Tick();
    fc.assert(
      fc.property(fc.bigInt({ min: 946_684_800_000_000_000n, max: 4_102_444_799_999_999_999n }), (ns) => {
        const [ms, nanos] = msAndNanos(ns);
        tick.writeTrade(1, 1, 0, 0, 0, 0, ms, nanos, ms, nanos, 0, 0, 0);
        assert.equal(tick.exchangeTimeNs(), ns);
        assert.equal(new DataView(tick.bytes.buffer).getBigUint64(24, true), ns);
        assert.equal(tick.exchangeMs, ms);
        assert.equal(tick.exchangeNanosOfMs, nanos);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads every u64, up to 2^64-1, exactly as ms + nanos', () => {
    const tick = new Tick();
    const check = (ns: bigint) => {
      tick.setExchangeTimeNs(ns).setReceiveTimeNs(ns);
      assert.equal(tick.exchangeTimeNs(), ns);
      assert.equal(tick.receiveTimeNs(), ns);
      const [ms, nanos] = msAndNanos(ns);
      assert.equal(tick.exchangeMs, ms);
      assert.equal(tick.exchangeNanosOfMs, nanos);
      assert.equal(tick.receiveMs, ms);
      assert.equal(tick.receiveNanosOfMs, nanos);
    };
    for (const ns of [
      0n,
      1n,
      999_999n,
      1_000_000n,
      (1n << 32n) - 1n,
      1n << 32n,
      (1n << 63n) - 1n,
      TWO_POW_64 - 1n,
    ]) {
      check(ns);
    }
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: TWO_POW_64 - 1n }), check), { numRuns: 5000 });
  });

  it('writes ms + nanos up to the last instant a u64 holds, and not one nanosecond more', () => {
    const tick = new Tick();
    tick.writeTrade(1, 1, 0, 0, 0, 0, MAX_TIME_MS, 551_615, 0, 0, 0, 0, 0);
    assert.equal(tick.exchangeTimeNs(), TWO_POW_64 - 1n);
    assert.throws(
      () => tick.writeTrade(1, 1, 0, 0, 0, 0, MAX_TIME_MS, 551_616, 0, 0, 0, 0, 0),
      tickwireError('WIRE_OVERFLOW', 'exchange time', '551616'),
    );
    assert.throws(() => tick.setExchangeTimeNs(TWO_POW_64), tickwireError('WIRE_OVERFLOW', 'exchangeTimeNs'));
    assert.throws(() => tick.setReceiveTimeNs(-1n), tickwireError('WIRE_OVERFLOW', 'receiveTimeNs'));
  });
});

describe('Tick writers refuse values that do not fit', () => {
  // [description, write, fragments the message must contain]
  const cases: [string, (t: Tick) => Tick, string[]][] = [
    ['negative sequence', (t) => t.writeTrade(1, 1, 2, 8, -1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1), ['seq -1']],
    ['side 3', (t) => t.writeTrade(1, 1, 2, 8, 1, 3, T0_MS, 0, T0_MS, 0, 1, 1, 1), ['side 3']],
    [
      'reserved bit 15',
      (t) => t.writeTrade(1, 1, 2, 8, 1, 0x8000, T0_MS, 0, T0_MS, 0, 1, 1, 1),
      ['reserved bit 15'],
    ],
    ['venueId 256', (t) => t.writeTrade(256, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1), ['venueId 256']],
    [
      'symbolId 2^24',
      (t) => t.writeTrade(1, 2 ** 24, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1),
      ['symbolId 16777216'],
    ],
    ['priceScale 16', (t) => t.writeTrade(1, 1, 16, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1), ['priceScale 16']],
    ['sizeScale -1', (t) => t.writeTrade(1, 1, 2, -1, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1), ['sizeScale -1']],
    [
      'price 2^53',
      (t) => t.writeTrade(1, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 2 ** 53, 1, 1),
      ['price 9007199254740992'],
    ],
    ['fractional size', (t) => t.writeTrade(1, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 0.5, 1), ['size 0.5']],
    [
      'NaN price',
      (t) => t.writeBook(1, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, Number.NaN, 1, 1, 0),
      ['price NaN'],
    ],
    ['negative level', (t) => t.writeBook(1, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 1, -2), ['level -2']],
    ['nanos 10^6', (t) => t.writeTrade(1, 1, 2, 8, 1, 0, T0_MS, 1e6, T0_MS, 0, 1, 1, 1), ['1000000']],
    ['negative ms', (t) => t.writeTrade(1, 1, 2, 8, 1, 0, T0_MS, 0, -1, 0, 1, 1, 1), ['receive time', '-1']],
    [
      'interval bits on a trade',
      (t) => t.writeTrade(1, 1, 2, 8, 1, 0x10, T0_MS, 0, T0_MS, 0, 1, 1, 1),
      ['bar-interval'],
    ],
    [
      'side on a quote',
      (t) => t.writeQuote(1, 1, 2, 8, 1, SIDE.buy, T0_MS, 0, T0_MS, 0, 1, 1, 2, 1),
      ['no side'],
    ],
    [
      'negative ask size',
      (t) => t.writeQuote(1, 1, 2, 8, 1, 0, T0_MS, 0, T0_MS, 0, 1, 1, 2, -1),
      ['askSize -1'],
    ],
    [
      'interval 16',
      (t) => t.writeBar(1, 1, 2, 8, 1, 0, 16, T0_MS, 0, T0_MS, 0, 1, 1, 1, 1),
      ['interval code 16'],
    ],
    [
      'interval in flags',
      (t) => t.writeBar(1, 1, 2, 8, 1, 0x20, 1, T0_MS, 0, T0_MS, 0, 1, 1, 1, 1),
      ['bits 4-7'],
    ],
    [
      'side on a bar',
      (t) => t.writeBar(1, 1, 2, 8, 1, SIDE.sell, 1, T0_MS, 0, T0_MS, 0, 1, 1, 1, 1),
      ['no side'],
    ],
    [
      'negative volume',
      (t) => t.writeBar(1, 1, 2, 8, -5, 0, 1, T0_MS, 0, T0_MS, 0, 1, 1, 1, 1),
      ['volume -5'],
    ],
  ];
  for (const [description, write, fragments] of cases) {
    it(`refuses ${description} with WIRE_OVERFLOW and writes nothing`, () => {
      const tick = trade();
      const before = hex(tick);
      assert.throws(() => write(tick), tickwireError('WIRE_OVERFLOW', ...fragments));
      assert.equal(hex(tick), before);
    });
  }
});

describe('Tick buffers and offsets', () => {
  it('walks a buffer of ticks with moveTo', () => {
    const bytes = new Uint8Array(TICK_BYTES * 4);
    const tick = new Tick(bytes);
    for (let i = 0; i < 4; i++)
      tick.moveTo(i * TICK_BYTES).writeTrade(1, i, 0, 0, i, 0, T0_MS, 0, T0_MS, 0, i * 10, 1, 0);
    const reader = new Tick(bytes);
    for (let i = 0; i < 4; i++) {
      reader.moveTo(i * TICK_BYTES);
      assert.deepEqual(
        [reader.offset, reader.symbolId, reader.sequence, reader.price],
        [i * 64, i, i, i * 10],
      );
    }
    assert.equal(validateTicks(bytes), 4);
  });

  it('shares ticks through a SharedArrayBuffer', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(TICK_BYTES * 2));
    trade(new Tick(shared, TICK_BYTES));
    const reader = new Tick().wrap(shared, TICK_BYTES);
    assert.equal(reader.price, 6_712_345);
    assert.equal(reader.exchangeTimeNs(), 1_763_719_200_123_456_789n);
  });

  it('refuses offsets outside the buffer with WIRE_BAD_LENGTH', () => {
    const tick = new Tick(new Uint8Array(128));
    assert.throws(() => tick.moveTo(65), tickwireError('WIRE_BAD_LENGTH', '65'));
    assert.throws(() => tick.moveTo(-4), tickwireError('WIRE_BAD_LENGTH', '-4'));
    assert.throws(() => tick.moveTo(4.5), tickwireError('WIRE_BAD_LENGTH', '4.5'));
    assert.throws(() => tick.moveTo(Number.NaN), tickwireError('WIRE_BAD_LENGTH', 'NaN'));
    assert.throws(() => tick.moveTo(2 ** 32), tickwireError('WIRE_BAD_LENGTH', '4294967296'));
    assert.throws(() => new Tick(new Uint8Array(63)), tickwireError('WIRE_BAD_LENGTH', '63 bytes'));
  });

  it('needs each tick on a 4-byte boundary of its ArrayBuffer, and says so', () => {
    const buffer = new ArrayBuffer(200);
    const unaligned = new Uint8Array(buffer, 1, 130);
    assert.throws(() => new Tick(unaligned, 0), tickwireError('WIRE_MISALIGNED', 'byte 1'));
    // Offset 3 puts the tick at byte 4 of the buffer: aligned again.
    const tick = trade(new Tick(unaligned, 3));
    assert.equal(tick.offset, 3);
    assert.equal(tick.price, 6_712_345);
    validateTick(unaligned, 3);
    assert.equal(hex(tick), hex(trade()));
  });

  it('copies, clears and flags ticks in place', () => {
    const source = trade();
    const target = new Tick(new Uint8Array(128), 64);
    target.copyFrom(source);
    assert.equal(hex(target), hex(source));
    target.addFlags(FLAG.gap | FLAG.stale);
    assert.ok(target.hasFlag(FLAG.gap) && target.hasFlag(FLAG.stale) && target.hasFlag(FLAG.final));
    assert.equal(target.side, SIDE.buy);
    target.removeFlags(FLAG.final | FLAG.gap);
    assert.equal(target.flags, SIDE.buy | FLAG.stale);
    assert.throws(() => target.addFlags(SIDE.sell), tickwireError('WIRE_OVERFLOW', 'one-bit flags'));
    target.clear();
    assert.equal(hex(target), '00'.repeat(64));
    assert.throws(() => target.value(4), tickwireError('WIRE_OVERFLOW', 'index 4'));
  });
});

describe('validateTick', () => {
  function corrupt(edit: (view: DataView) => void): Uint8Array {
    const bytes = trade().bytes;
    edit(new DataView(bytes.buffer));
    return bytes;
  }

  it('accepts what the writers produce', () => {
    validateTick(trade().bytes);
  });

  it('refuses other versions, unknown types, bad flags and unreadable values', () => {
    assert.throws(
      () => validateTick(corrupt((v) => v.setUint8(0, 0x21))),
      tickwireError('WIRE_BAD_VERSION', 'version 2'),
    );
    assert.throws(() => validateTick(new Uint8Array(64)), tickwireError('WIRE_BAD_VERSION', 'version 0'));
    assert.throws(
      () => validateTick(corrupt((v) => v.setUint8(0, 0x10))),
      tickwireError('WIRE_BAD_TYPE', 'type 0'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setUint8(0, 0x15))),
      tickwireError('WIRE_BAD_TYPE', 'type 5'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setUint16(2, 0x8000, true))),
      tickwireError('WIRE_OVERFLOW', 'bit 15'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setUint16(2, 3, true))),
      tickwireError('WIRE_OVERFLOW', 'side 3'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setBigInt64(32, 1n << 53n, true))),
      tickwireError('WIRE_OVERFLOW', 'price'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setBigInt64(32, -(1n << 53n), true))),
      tickwireError('WIRE_OVERFLOW', 'price'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setBigUint64(8, 1n << 63n, true))),
      tickwireError('WIRE_OVERFLOW', 'seq'),
    );
    assert.throws(
      () => validateTick(corrupt((v) => v.setBigInt64(56, 1n, true))),
      tickwireError('WIRE_OVERFLOW', 'reserved'),
    );
    assert.throws(() => validateTick(new Uint8Array(64), 4), tickwireError('WIRE_BAD_LENGTH'));
    assert.throws(() => validateTicks(new Uint8Array(65)), tickwireError('WIRE_BAD_LENGTH', '65 bytes'));
  });

  it('accepts a tick exactly when the writers could have produced it', () => {
    // Flip one random byte of a valid tick: validateTick must either refuse the result, or the
    // getters must read values from which the writer reproduces the same 64 bytes.
    const original = new Tick();
    const rewritten = new Tick();
    fc.assert(
      fc.property(
        tickFields(),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 1, max: 255 }),
        (fields, at, xor) => {
          writeFields(original, fields);
          original.bytes[at]! ^= xor;
          let valid = true;
          try {
            validateTick(original.bytes);
          } catch {
            valid = false;
          }
          if (valid) {
            writeFields(rewritten, readFields(original));
            assert.equal(hex(rewritten), hex(original));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
