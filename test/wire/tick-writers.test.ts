import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FLAG, messageTypeCode, SIDE, TICK_BYTES, Tick } from '../../src/wire/index.ts';
import { type TickFields, tickFields, writeFields } from './arbitraries.ts';
import { tickwireError } from './expect-error.ts';

// The writers check their arguments with arithmetic written for V8's inliner (one chain of
// comparisons, the times checked and stored by storeTimes) rather than with the readable rules
// that name the culprit. These tests hold the fast checks to the rules: every argument of every
// writer is tried with values that must be refused, and every accepted tick is compared byte for
// byte with an independent BigInt encoder.

const T0_MS = 1_763_719_200_123;

type Kind = 'small' | 'flags' | 'count' | 'signed' | 'ms' | 'nanos';
interface Writer {
  name: string;
  /** A valid argument list, and what kind of value each argument is. */
  args: number[];
  kinds: Kind[];
  write(tick: Tick, args: number[]): Tick;
}

const HEADER_KINDS: Kind[] = ['small', 'small', 'small', 'small', 'count', 'flags'];
const TIME_KINDS: Kind[] = ['ms', 'nanos', 'ms', 'nanos'];
const HEADER = [2, 77, 2, 8, 5_123_456_789];
const TIMES = [T0_MS, 456_789, T0_MS + 2, 1_000];

const WRITERS: Writer[] = [
  {
    name: 'writeTrade',
    args: [...HEADER, SIDE.sell | FLAG.final, ...TIMES, -6_712_345, 100_000, 2 ** 40],
    kinds: [...HEADER_KINDS, ...TIME_KINDS, 'signed', 'count', 'count'],
    write: (t, a) =>
      t.writeTrade(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        a[11]!,
        a[12]!,
      ),
  },
  {
    name: 'writeQuote',
    args: [...HEADER, FLAG.snapshot, ...TIMES, -100, 1, 2 ** 33, 2],
    kinds: [...HEADER_KINDS, ...TIME_KINDS, 'signed', 'count', 'signed', 'count'],
    write: (t, a) =>
      t.writeQuote(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        a[11]!,
        a[12]!,
        a[13]!,
      ),
  },
  {
    name: 'writeBook',
    args: [...HEADER, SIDE.bid, ...TIMES, 500, 0, 2 ** 35, 4],
    kinds: [...HEADER_KINDS, ...TIME_KINDS, 'signed', 'count', 'count', 'count'],
    write: (t, a) =>
      t.writeBook(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        a[11]!,
        a[12]!,
        a[13]!,
      ),
  },
  {
    name: 'writeBar',
    args: [...HEADER, FLAG.final, 6, ...TIMES, 10, -(2 ** 45), 9, 11],
    kinds: [...HEADER_KINDS, 'small', ...TIME_KINDS, 'signed', 'signed', 'signed', 'signed'],
    write: (t, a) =>
      t.writeBar(
        a[0]!,
        a[1]!,
        a[2]!,
        a[3]!,
        a[4]!,
        a[5]!,
        a[6]!,
        a[7]!,
        a[8]!,
        a[9]!,
        a[10]!,
        a[11]!,
        a[12]!,
        a[13]!,
        a[14]!,
      ),
  },
];

/** Refused in any argument: not a number, not finite, not an integer, or past ±(2^53 - 1). */
const ALWAYS_BAD = [
  Number.NaN,
  Infinity,
  -Infinity,
  0.5,
  -0.5,
  1e-300,
  2 ** 53,
  -(2 ** 53),
  2 ** 64,
  '7' as unknown as number,
];

function badValues(kind: Kind): number[] {
  return kind === 'signed' ? ALWAYS_BAD : [...ALWAYS_BAD, -1, -(2 ** 40)];
}

function hex(tick: Tick): string {
  return Buffer.from(tick.bytes.buffer, tick.bytes.byteOffset + tick.offset, TICK_BYTES).toString('hex');
}

describe('Tick writers: the fast checks refuse what the rules refuse', () => {
  for (const writer of WRITERS) {
    it(`${writer.name} accepts its valid arguments, -0 included`, () => {
      const tick = new Tick();
      writer.write(tick, writer.args);
      const before = hex(tick);
      writer.write(
        tick,
        writer.args.map((value) => (value === 0 ? -0 : value)),
      );
      assert.equal(hex(tick), before);
    });

    it(`${writer.name} refuses a bad value in any argument with WIRE_OVERFLOW and writes nothing`, () => {
      const tick = new Tick(new Uint8Array(TICK_BYTES * 2), TICK_BYTES);
      writer.write(tick, writer.args);
      const before = Buffer.from(tick.bytes).toString('hex');
      writer.kinds.forEach((kind, position) => {
        for (const bad of badValues(kind)) {
          const args = [...writer.args];
          args[position] = bad;
          assert.throws(
            () => writer.write(tick, args),
            tickwireError('WIRE_OVERFLOW', String(bad)),
            `${writer.name} argument ${position} = ${String(bad)}`,
          );
          assert.equal(
            Buffer.from(tick.bytes).toString('hex'),
            before,
            `${writer.name} argument ${position}`,
          );
        }
      });
    });
  }
});

/** The 64 bytes of a tick, built with DataView and BigInt: independent of the codec's arithmetic. */
function referenceBytes(f: TickFields): string {
  const view = new DataView(new ArrayBuffer(TICK_BYTES));
  view.setUint8(0, 0x10 | messageTypeCode(f.type));
  view.setUint8(1, (f.sizeScale << 4) | f.priceScale);
  view.setUint16(2, f.side | f.oneBitFlags | (f.type === 'bar' ? f.interval << 4 : 0), true);
  view.setUint32(4, f.venueId | (f.symbolId << 8), true);
  view.setBigInt64(8, BigInt(f.sequence), true);
  view.setBigUint64(16, BigInt(f.exchangeMs) * 1_000_000n + BigInt(f.exchangeNanosOfMs), true);
  view.setBigUint64(24, BigInt(f.receiveMs) * 1_000_000n + BigInt(f.receiveNanosOfMs), true);
  f.values.forEach((value, i) => view.setBigInt64(32 + 8 * i, BigInt(value), true));
  return Buffer.from(view.buffer).toString('hex');
}

describe('Tick writers: bytes', () => {
  it('write exactly the bytes an independent BigInt encoder writes, for any valid tick', () => {
    const tick = new Tick();
    fc.assert(
      fc.property(tickFields(), (fields) => {
        writeFields(tick, fields);
        assert.equal(hex(tick), referenceBytes(fields));
      }),
      { numRuns: 3000 },
    );
  });
});
