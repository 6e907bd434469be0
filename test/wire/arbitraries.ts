import fc from 'fast-check';
import {
  BAR_INTERVALS,
  FLAG,
  MAX_NANOS_OF_MS,
  MAX_TIME_MS,
  MESSAGE_TYPES,
  type MessageType,
  type Tick,
} from '../../src/wire/index.ts';

/** Every field of a tick as the writers take them; `sequence` is the volume for bars. */
export interface TickFields {
  type: MessageType;
  venueId: number;
  symbolId: number;
  priceScale: number;
  sizeScale: number;
  side: 0 | 1 | 2;
  oneBitFlags: number;
  interval: number;
  sequence: number;
  exchangeMs: number;
  exchangeNanosOfMs: number;
  receiveMs: number;
  receiveNanosOfMs: number;
  values: [number, number, number, number];
}

const ONE_BIT_FLAGS = Object.values(FLAG);
const safe = fc.maxSafeInteger();
const count = fc.maxSafeNat();
/** Mostly realistic times (this century), sometimes anywhere in the u64 range. */
const timeMs = fc.oneof(
  fc.integer({ min: 946_684_800_000, max: 4_102_444_799_999 }),
  fc.integer({ min: 0, max: MAX_TIME_MS - 1 }),
);

/** Valid writer arguments for any message type; `symbols` bounds symbolId to registered ids. */
export function tickFields(options: { symbolIds?: readonly number[]; venueIds?: readonly number[] } = {}) {
  return fc
    .record({
      type: fc.constantFrom(...MESSAGE_TYPES),
      venueId: options.venueIds ? fc.constantFrom(...options.venueIds) : fc.integer({ min: 0, max: 255 }),
      symbolId: options.symbolIds
        ? fc.constantFrom(...options.symbolIds)
        : fc.integer({ min: 0, max: 0xff_ffff }),
      priceScale: fc.integer({ min: 0, max: 15 }),
      sizeScale: fc.integer({ min: 0, max: 15 }),
      side: fc.constantFrom(0 as const, 1 as const, 2 as const),
      oneBitFlags: fc.subarray(ONE_BIT_FLAGS).map((bits) => bits.reduce((all, bit) => all | bit, 0)),
      interval: fc.integer({ min: 0, max: BAR_INTERVALS.length - 1 }),
      sequence: count,
      exchangeMs: timeMs,
      exchangeNanosOfMs: fc.integer({ min: 0, max: MAX_NANOS_OF_MS }),
      receiveMs: timeMs,
      receiveNanosOfMs: fc.integer({ min: 0, max: MAX_NANOS_OF_MS }),
      values: fc.tuple(safe, safe, safe, safe),
    })
    .map((fields): TickFields => {
      const [v0, v1, v2, v3] = fields.values;
      // Per-type constraints: sizes, ids and levels are non-negative; a trade's last slot is 0;
      // only trades and book levels have a side; only bars an interval.
      switch (fields.type) {
        case 'trade':
          return { ...fields, interval: 0, values: [v0, Math.abs(v1), Math.abs(v2), 0] };
        case 'quote':
          return { ...fields, interval: 0, side: 0, values: [v0, Math.abs(v1), v2, Math.abs(v3)] };
        case 'book':
          return { ...fields, interval: 0, values: [v0, Math.abs(v1), Math.abs(v2), Math.abs(v3)] };
        default:
          return { ...fields, side: 0 }; // bar
      }
    });
}

/** Writes `f` into `tick` with the writer of its type. */
export function writeFields(tick: Tick, f: TickFields): Tick {
  const flags = f.side | f.oneBitFlags;
  const [v0, v1, v2, v3] = f.values;
  const header = [f.venueId, f.symbolId, f.priceScale, f.sizeScale] as const;
  const times = [f.exchangeMs, f.exchangeNanosOfMs, f.receiveMs, f.receiveNanosOfMs] as const;
  switch (f.type) {
    case 'trade':
      return tick.writeTrade(...header, f.sequence, flags, ...times, v0, v1, v2);
    case 'quote':
      return tick.writeQuote(...header, f.sequence, flags, ...times, v0, v1, v2, v3);
    case 'book':
      return tick.writeBook(...header, f.sequence, flags, ...times, v0, v1, v2, v3);
    case 'bar':
      return tick.writeBar(...header, f.sequence, flags, f.interval, ...times, v0, v1, v2, v3);
  }
}

/** Reads back, through the getters, the fields writeFields wrote. */
export function readFields(tick: Tick): TickFields {
  const type = MESSAGE_TYPES[tick.type - 1]!;
  const oneBitFlags = tick.flags & ~0b11 & ~(0b1111 << 4);
  return {
    type,
    venueId: tick.venueId,
    symbolId: tick.symbolId,
    priceScale: tick.priceScale,
    sizeScale: tick.sizeScale,
    side: tick.side as 0 | 1 | 2,
    oneBitFlags,
    interval: tick.barInterval,
    sequence: type === 'bar' ? tick.volume : tick.sequence,
    exchangeMs: tick.exchangeMs,
    exchangeNanosOfMs: tick.exchangeNanosOfMs,
    receiveMs: tick.receiveMs,
    receiveNanosOfMs: tick.receiveNanosOfMs,
    values: [tick.value(0), tick.value(1), tick.value(2), tick.value(3)],
  };
}
