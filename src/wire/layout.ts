/**
 * The wire layout, version 1: every number here is part of the format, so this is the one place
 * it is written down in code. docs/WIRE.md explains the layout; the tests check the two agree.
 *
 *   byte  0      version (high nibble) | message type (low nibble)
 *   byte  1      sizeScale (high nibble) | priceScale (low nibble)
 *   bytes 2-3    u16 flags
 *   byte  4      u8 venueId
 *   bytes 5-7    u24 symbolId
 *   bytes 8-15   u64 sequence (bar: i64 volume)
 *   bytes 16-23  u64 exchangeTs, ns since the Unix epoch (bar: open time)
 *   bytes 24-31  u64 receiveTs, ns since the Unix epoch
 *   bytes 32-63  i64 v0..v3, meaning set by the message type
 */

export const TICK_BYTES = 64;
export const WIRE_VERSION = 1;

/** Message types; the wire code is the index + 1 (0 is never a valid type). */
export const MESSAGE_TYPES = ['trade', 'quote', 'book', 'bar'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
/** The 4-bit code of a message type on the wire: 1 trade, 2 quote, 3 book, 4 bar. */
export type MessageTypeCode = 1 | 2 | 3 | 4;

export const TRADE = 1 satisfies MessageTypeCode;
export const QUOTE = 2 satisfies MessageTypeCode;
export const BOOK = 3 satisfies MessageTypeCode;
export const BAR = 4 satisfies MessageTypeCode;

export function messageTypeCode(type: MessageType): MessageTypeCode {
  return (MESSAGE_TYPES.indexOf(type) + 1) as MessageTypeCode;
}

/** The name of a type code, or undefined for a code this version does not define. */
export function messageTypeName(code: number): MessageType | undefined {
  return MESSAGE_TYPES[code - 1];
}

/** Largest value of each narrow header field. */
export const MAX_SCALE = 15;
export const MAX_VENUE_ID = 0xff;
export const MAX_SYMBOL_ID = 0xff_ffff;

/** Side codes in flag bits 0-1. A trade's side is the aggressor's; a book level's side is bid or ask. */
export const SIDE = { none: 0, buy: 1, sell: 2, bid: 1, ask: 2 } as const;
export type SideCode = 0 | 1 | 2;
export const TRADE_SIDES = ['none', 'buy', 'sell'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];
export const BOOK_SIDES = ['none', 'bid', 'ask'] as const;
export type BookSide = (typeof BOOK_SIDES)[number];

/** Mask of the side bits; the value 3 in them is invalid. */
export const SIDE_MASK = 0b11;
/** Bits 4-7: the bar interval code (bar ticks only; zero on every other type). */
export const INTERVAL_SHIFT = 4;
export const INTERVAL_MASK = 0b1111 << INTERVAL_SHIFT;
/** Bit 15 is reserved in version 1 and must be zero. */
export const RESERVED_FLAG = 1 << 15;

/** One-bit flags, by the name they carry in JSON. */
export const FLAG = {
  snapshot: 1 << 2,
  conflated: 1 << 3,
  gap: 1 << 8,
  outOfOrder: 1 << 9,
  duplicate: 1 << 10,
  stale: 1 << 11,
  crossed: 1 << 12,
  spike: 1 << 13,
  final: 1 << 14,
} as const;
export type FlagName = keyof typeof FLAG;
export const FLAG_NAMES = Object.keys(FLAG) as readonly FlagName[];

/** Bar intervals; the 4-bit code in flag bits 4-7 is the index. */
export const BAR_INTERVALS = [
  '1s',
  '1m',
  '3m',
  '5m',
  '15m',
  '30m',
  '1h',
  '2h',
  '4h',
  '6h',
  '8h',
  '12h',
  '1d',
  '3d',
  '1w',
  '1M',
] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

export function barIntervalCode(interval: BarInterval): number {
  return BAR_INTERVALS.indexOf(interval);
}

/**
 * Flag bits a writer accepts per type. Side is meaningful only for trades (aggressor) and book
 * levels (bid/ask); the interval bits only for bars, and writeBar sets them from its own argument.
 */
const ONE_BIT_FLAGS = Object.values(FLAG).reduce((all, bit) => all | bit, 0);
export const ALLOWED_FLAGS_WITH_SIDE = ONE_BIT_FLAGS | SIDE_MASK;
export const ALLOWED_FLAGS_WITHOUT_SIDE = ONE_BIT_FLAGS;

/**
 * How each 64-bit slot is read, per type. `price` and `size` are signed/non-negative fixed-point
 * mantissas at priceScale/sizeScale; `count` is a non-negative integer (sequence, ids, level);
 * `zero` is reserved and must be 0. The codec, the validator and the JSON view all read this one
 * table, so they cannot disagree about what a valid tick is.
 */
export type SlotKind = 'price' | 'size' | 'count' | 'zero';
export interface SlotSpec {
  readonly name: string;
  readonly kind: SlotKind;
}

/** The sequence slot: a per-stream count for every type but bar, where it holds the volume. */
export const SEQUENCE_SLOT: Readonly<Record<MessageType, SlotSpec>> = {
  trade: { name: 'seq', kind: 'count' },
  quote: { name: 'seq', kind: 'count' },
  book: { name: 'seq', kind: 'count' },
  bar: { name: 'volume', kind: 'size' },
};

export const BODY_SLOTS = {
  trade: [
    { name: 'price', kind: 'price' },
    { name: 'size', kind: 'size' },
    { name: 'tradeId', kind: 'count' },
    { name: 'reserved', kind: 'zero' },
  ],
  quote: [
    { name: 'bidPrice', kind: 'price' },
    { name: 'bidSize', kind: 'size' },
    { name: 'askPrice', kind: 'price' },
    { name: 'askSize', kind: 'size' },
  ],
  book: [
    { name: 'price', kind: 'price' },
    { name: 'size', kind: 'size' },
    { name: 'firstUpdateId', kind: 'count' },
    { name: 'level', kind: 'count' },
  ],
  bar: [
    { name: 'open', kind: 'price' },
    { name: 'high', kind: 'price' },
    { name: 'low', kind: 'price' },
    { name: 'close', kind: 'price' },
  ],
} as const satisfies Record<MessageType, readonly [SlotSpec, SlotSpec, SlotSpec, SlotSpec]>;

/** Whether flag bits 0-1 (side) may be non-zero for a type. */
export const HAS_SIDE: Readonly<Record<MessageType, boolean>> = {
  trade: true,
  quote: false,
  book: true,
  bar: false,
};
