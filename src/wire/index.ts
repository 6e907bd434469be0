/**
 * The wire format: 64-byte little-endian ticks (docs/WIRE.md), their fixed-point values and
 * nanosecond times, the venue table and the symbol registry with its 64-bit symbol hash.
 */

export { clock, readClock, wallClockMs } from './clock.ts';
export { formatDecimal, fromFixedPoint, parseDecimal, toFixedPoint } from './fixed-point.ts';
export { type Hash64, hash64Hex, symbolHash64, symbolHash64BigInt } from './hash.ts';
export {
  BAR,
  BAR_INTERVALS,
  type BarInterval,
  BOOK,
  BOOK_SIDES,
  type BookSide,
  barIntervalCode,
  FLAG,
  FLAG_NAMES,
  type FlagName,
  MAX_SCALE,
  MAX_SYMBOL_ID,
  MAX_VENUE_ID,
  MESSAGE_TYPES,
  type MessageType,
  type MessageTypeCode,
  messageTypeCode,
  messageTypeName,
  QUOTE,
  SIDE,
  type SideCode,
  TICK_BYTES,
  TRADE,
  TRADE_SIDES,
  type TradeSide,
  WIRE_VERSION,
} from './layout.ts';
export {
  knownQuoteSplit,
  QUOTE_ASSETS,
  SYMBOL_NAME,
  type SymbolInfo,
  SymbolRegistry,
  type SymbolScales,
} from './symbols.ts';
export { Tick } from './tick.ts';
export {
  type BarJson,
  type BookJson,
  type QuoteJson,
  type TickJson,
  type TradeJson,
  tickFromJson,
  tickJsonKeys,
  tickToJson,
} from './tick-json.ts';
export {
  MAX_NANOS_OF_MS,
  MAX_TIME_MS,
  msOfTimeNs,
  NANOS_PER_MS,
  nanosOfMsOfTimeNs,
  timeNs,
} from './time-ns.ts';
export { validateTick, validateTicks } from './validate.ts';
export { isVenue, VENUES, type Venue, venueId, venueName } from './venues.ts';
