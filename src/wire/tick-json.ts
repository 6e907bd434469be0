import { TickwireError } from '../errors.ts';
import { formatDecimal, parseDecimal } from './fixed-point.ts';
import {
  BAR_INTERVALS,
  type BarInterval,
  BODY_SLOTS,
  BOOK_SIDES,
  type BookSide,
  FLAG,
  FLAG_NAMES,
  type FlagName,
  HAS_SIDE,
  MESSAGE_TYPES,
  type MessageType,
  messageTypeName,
  SEQUENCE_SLOT,
  type SlotSpec,
  TRADE_SIDES,
  type TradeSide,
  WIRE_VERSION,
} from './layout.ts';
import type { SymbolRegistry } from './symbols.ts';
import type { Tick } from './tick.ts';
import { msOfTimeNs, nanosOfMsOfTimeNs } from './time-ns.ts';
import { type Venue, venueName } from './venues.ts';

/**
 * The JSON view of a tick, for humans, REST and WebSocket clients that do not decode binary.
 * Prices, sizes and volumes are exact decimal strings with the tick's number of decimals
 * ("67123.45000000", as Binance sends them); nanosecond times are decimal strings because they
 * exceed 2^53. Integers that the writers keep below 2^53 (seq, ids, level) are JSON numbers.
 */

interface TickJsonBase {
  v: typeof WIRE_VERSION;
  venue: Venue;
  symbol: string;
  /** Nanoseconds since the Unix epoch, as a decimal string. Bars: the bar's open time. */
  exchangeTimeNs: string;
  receiveTimeNs: string;
  /** One-bit flags that are set, in bit order. */
  flags: FlagName[];
}

export interface TradeJson extends TickJsonBase {
  type: 'trade';
  seq: number;
  /** Aggressor side. */
  side: TradeSide;
  price: string;
  size: string;
  /** 0 = none. */
  tradeId: number;
}

export interface QuoteJson extends TickJsonBase {
  type: 'quote';
  seq: number;
  bidPrice: string;
  bidSize: string;
  askPrice: string;
  askSize: string;
}

export interface BookJson extends TickJsonBase {
  type: 'book';
  seq: number;
  side: BookSide;
  price: string;
  /** "0" with the tick's decimals when the level is removed. */
  size: string;
  /** 0 = none. */
  firstUpdateId: number;
  level: number;
}

export interface BarJson extends TickJsonBase {
  type: 'bar';
  interval: BarInterval;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export type TickJson = TradeJson | QuoteJson | BookJson | BarJson;

const TIME_NS_TEXT = /^[0-9]{1,20}$/;

/**
 * The JSON view of the tick `tick` currently points at. The symbol name comes from `symbols`;
 * throws UNKNOWN_SYMBOL if the tick's symbol id is not registered there under the tick's venue.
 * Assumes a valid tick (validateTick first for untrusted bytes).
 */
export function tickToJson(tick: Tick, symbols: SymbolRegistry): TickJson {
  const type = messageTypeName(tick.type);
  if (type === undefined) {
    throw new TickwireError(
      'WIRE_BAD_TYPE',
      `tick has message type ${tick.type}; known: ${MESSAGE_TYPES.join(', ')}`,
    );
  }
  const venue = venueName(tick.venueId);
  const info = symbols.info(tick.symbolId);
  if (info.venueId !== tick.venueId) {
    throw new TickwireError(
      'UNKNOWN_SYMBOL',
      `tick has venue ${venue} and symbol id ${tick.symbolId}, but that id is ${info.key} in the registry`,
    );
  }
  const json: Record<string, unknown> = { v: WIRE_VERSION, type, venue, symbol: info.symbol };
  const sequenceSlot = SEQUENCE_SLOT[type];
  if (type === 'bar') json.interval = BAR_INTERVALS[tick.barInterval];
  if (sequenceSlot.kind === 'count') json[sequenceSlot.name] = tick.sequence;
  json.exchangeTimeNs = tick.exchangeTimeNs().toString();
  json.receiveTimeNs = tick.receiveTimeNs().toString();
  if (HAS_SIDE[type]) json.side = (type === 'book' ? BOOK_SIDES : TRADE_SIDES)[tick.side];
  const body: readonly SlotSpec[] = BODY_SLOTS[type];
  for (let i = 0; i < body.length; i++) {
    const slot = body[i]!;
    if (slot.kind !== 'zero') json[slot.name] = slotToJson(slot, tick.value(i), tick);
  }
  if (sequenceSlot.kind !== 'count') json[sequenceSlot.name] = slotToJson(sequenceSlot, tick.volume, tick);
  const flags = tick.flags;
  json.flags = FLAG_NAMES.filter((name) => (flags & FLAG[name]) !== 0);
  return json as unknown as TickJson;
}

/**
 * Writes the tick described by `json` into `target` and returns `target`. Validates everything:
 * WIRE_BAD_JSON for a missing, unknown or mistyped field, WIRE_BAD_VERSION / WIRE_BAD_TYPE,
 * UNKNOWN_VENUE / UNKNOWN_SYMBOL, WIRE_BAD_DECIMAL / WIRE_PRECISION / WIRE_OVERFLOW for values.
 * Decimals are read at the registry's scales for the symbol.
 */
export function tickFromJson(json: unknown, symbols: SymbolRegistry, target: Tick): Tick {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badJson(
      `a tick must be a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`,
    );
  }
  const record = json as Record<string, unknown>;
  if (record.v !== WIRE_VERSION) {
    throw new TickwireError(
      'WIRE_BAD_VERSION',
      `tick JSON has v ${show(record.v)}; this build reads v ${WIRE_VERSION}`,
    );
  }
  const type = record.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    throw new TickwireError(
      'WIRE_BAD_TYPE',
      `tick JSON has type ${show(type)}; known: ${MESSAGE_TYPES.join(', ')}`,
    );
  }
  const messageType = type as MessageType;
  checkKeys(record, messageType);

  const venue = stringField(record, 'venue');
  const symbol = stringField(record, 'symbol');
  const info = symbols.info(symbols.requireId(venue, symbol));
  const { priceScale, sizeScale } = info;
  const exchange = timeField(record, 'exchangeTimeNs');
  const receive = timeField(record, 'receiveTimeNs');
  const flags = flagsField(record, messageType);
  const slot = (spec: SlotSpec): number => slotFromJson(record, spec, priceScale, sizeScale);
  const body = BODY_SLOTS[messageType];
  const exchangeMs = msOfTimeNs(exchange, 'exchangeTimeNs');
  const exchangeNanos = nanosOfMsOfTimeNs(exchange, 'exchangeTimeNs');
  const receiveMs = msOfTimeNs(receive, 'receiveTimeNs');
  const receiveNanos = nanosOfMsOfTimeNs(receive, 'receiveTimeNs');
  const ids = [info.venueId, info.id, priceScale, sizeScale] as const;

  switch (messageType) {
    case 'trade':
      return target.writeTrade(
        ...ids,
        slot(SEQUENCE_SLOT.trade),
        flags,
        exchangeMs,
        exchangeNanos,
        receiveMs,
        receiveNanos,
        slot(body[0]),
        slot(body[1]),
        slot(body[2]),
      );
    case 'quote':
      return target.writeQuote(
        ...ids,
        slot(SEQUENCE_SLOT.quote),
        flags,
        exchangeMs,
        exchangeNanos,
        receiveMs,
        receiveNanos,
        slot(body[0]),
        slot(body[1]),
        slot(body[2]),
        slot(body[3]),
      );
    case 'book':
      return target.writeBook(
        ...ids,
        slot(SEQUENCE_SLOT.book),
        flags,
        exchangeMs,
        exchangeNanos,
        receiveMs,
        receiveNanos,
        slot(body[0]),
        slot(body[1]),
        slot(body[2]),
        slot(body[3]),
      );
    case 'bar':
      return target.writeBar(
        ...ids,
        slot(SEQUENCE_SLOT.bar),
        flags,
        intervalField(record),
        exchangeMs,
        exchangeNanos,
        receiveMs,
        receiveNanos,
        slot(body[0]),
        slot(body[1]),
        slot(body[2]),
        slot(body[3]),
      );
  }
}

/** The JSON keys of each type, in the order tickToJson writes them. */
export function tickJsonKeys(type: MessageType): readonly string[] {
  const keys: string[] = ['v', 'type', 'venue', 'symbol'];
  if (type === 'bar') keys.push('interval');
  const sequenceSlot = SEQUENCE_SLOT[type];
  if (sequenceSlot.kind === 'count') keys.push(sequenceSlot.name);
  keys.push('exchangeTimeNs', 'receiveTimeNs');
  if (HAS_SIDE[type]) keys.push('side');
  for (const slot of BODY_SLOTS[type] as readonly SlotSpec[]) if (slot.kind !== 'zero') keys.push(slot.name);
  if (sequenceSlot.kind !== 'count') keys.push(sequenceSlot.name);
  keys.push('flags');
  return keys;
}

function slotToJson(slot: SlotSpec, value: number, tick: Tick): string | number {
  switch (slot.kind) {
    case 'price':
      return formatDecimal(value, tick.priceScale);
    case 'size':
      return formatDecimal(value, tick.sizeScale);
    default:
      return value;
  }
}

function slotFromJson(
  record: Record<string, unknown>,
  slot: SlotSpec,
  priceScale: number,
  sizeScale: number,
): number {
  if (slot.kind === 'zero') return 0;
  const value = record[slot.name];
  if (slot.kind === 'count') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw badJson(`${slot.name} ${show(value)} must be an integer 0..2^53-1`);
    }
    return value;
  }
  if (typeof value !== 'string') {
    throw badJson(`${slot.name} ${show(value)} must be a decimal string such as "67123.45"`);
  }
  return parseDecimal(value, slot.kind === 'price' ? priceScale : sizeScale, slot.name);
}

function checkKeys(record: Record<string, unknown>, type: MessageType): void {
  const expected = tickJsonKeys(type);
  for (const key of expected) {
    if (!(key in record))
      throw badJson(`${type} tick JSON lacks "${key}" (expected keys: ${expected.join(', ')})`);
  }
  for (const key of Object.keys(record)) {
    if (!expected.includes(key)) {
      throw badJson(`${type} tick JSON has unknown key "${key}" (expected keys: ${expected.join(', ')})`);
    }
  }
}

function stringField(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw badJson(`${key} ${show(value)} must be a string`);
  return value;
}

function timeField(record: Record<string, unknown>, key: string): bigint {
  const value = record[key];
  if (typeof value !== 'string' || !TIME_NS_TEXT.test(value)) {
    throw badJson(`${key} ${show(value)} must be a string of 1-20 digits (nanoseconds since the Unix epoch)`);
  }
  return BigInt(value);
}

function flagsField(record: Record<string, unknown>, type: MessageType): number {
  const list = record.flags;
  if (!Array.isArray(list)) throw badJson(`flags ${show(list)} must be an array of flag names`);
  let flags = 0;
  for (const name of list) {
    if (typeof name !== 'string' || !(FLAG_NAMES as readonly string[]).includes(name)) {
      throw badJson(`flag ${show(name)} is not one of ${FLAG_NAMES.join(', ')}`);
    }
    const bit = FLAG[name as FlagName];
    if ((flags & bit) !== 0) throw badJson(`flag "${name}" is listed twice`);
    flags |= bit;
  }
  if (HAS_SIDE[type]) {
    const sides: readonly string[] = type === 'book' ? BOOK_SIDES : TRADE_SIDES;
    const side = sides.indexOf(record.side as string);
    if (side < 0) throw badJson(`${type} side ${show(record.side)} is not one of ${sides.join(', ')}`);
    flags |= side;
  }
  return flags;
}

function intervalField(record: Record<string, unknown>): number {
  const code = (BAR_INTERVALS as readonly unknown[]).indexOf(record.interval);
  if (code < 0) {
    throw badJson(`bar interval ${show(record.interval)} is not one of ${BAR_INTERVALS.join(', ')}`);
  }
  return code;
}

/** A value for an error message; unlike JSON.stringify it never throws (bigint) or returns undefined. */
function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? String(value);
}

function badJson(message: string): TickwireError {
  return new TickwireError('WIRE_BAD_JSON', message);
}
