import { TickwireError } from '../../errors.ts';
import { FLAG, parseDecimal, SIDE } from '../../wire/index.ts';
import type { TickSink } from '../tick-sink.ts';
import type {
  BinanceAggTrade,
  BinanceBookTicker,
  BinanceDepthDiff,
  BinanceDepthSnapshot,
  BinanceKline,
  BinanceLevel,
  BinanceTrade,
} from './binance-payloads.ts';
import type { StreamRoute } from './stream-routes.ts';

/**
 * Pure writers: one payload → ticks. No checks of the sequence and no state beyond the route's
 * scales and ids; a sink that refuses is reported, never waited for.
 */

/** A trade; the aggressor is the seller when the buyer was the maker. Returns ticks written (0 or 1). */
export function writeTradeTick(
  data: BinanceTrade,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  return writeTrade(data.t, data, route, receiveMs, receiveNanosOfMs, sink);
}

/** An aggregate trade: sequence and trade id are the aggregate id `a`. */
export function writeAggTradeTick(
  data: BinanceAggTrade,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  return writeTrade(data.a, data, route, receiveMs, receiveNanosOfMs, sink);
}

/** What a trade and an aggregate trade have in common, numbered by `id` (sequence and trade id). */
function writeTrade(
  id: number,
  data: Pick<BinanceTrade, 'm' | 'T' | 'p' | 'q'>,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  return writeTradeValues(
    route,
    id,
    Boolean(data.m),
    data.T,
    parseDecimal(data.p, route.priceScale, 'price'),
    parseDecimal(data.q, route.sizeScale, 'quantity'),
    receiveMs,
    receiveNanosOfMs,
    sink,
  );
}

/** A trade from its values (price and quantity as mantissas). Returns ticks written (1), or -1 when the sink refused. */
export function writeTradeValues(
  route: StreamRoute,
  id: number,
  buyerIsMaker: boolean,
  tradeTime: number,
  price: number,
  quantity: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  const tick = sink.claim(route.symbolId);
  if (tick === undefined) return -1;
  tick.writeTrade(
    route.venueId,
    route.symbolId,
    route.priceScale,
    route.sizeScale,
    id,
    buyerIsMaker ? SIDE.sell : SIDE.buy,
    tradeTime,
    0,
    receiveMs,
    receiveNanosOfMs,
    price,
    quantity,
    id,
  );
  sink.commit();
  return 1;
}

/** Top of book; flagged `crossed` when bid >= ask. Spot sends no event time: the receive time stands in. */
export function writeBookTickerTick(
  data: BinanceBookTicker,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  const bidPrice = parseDecimal(data.b, route.priceScale, 'bid price');
  const bidSize = parseDecimal(data.B, route.sizeScale, 'bid quantity');
  const askPrice = parseDecimal(data.a, route.priceScale, 'ask price');
  const askSize = parseDecimal(data.A, route.sizeScale, 'ask quantity');
  const crossed = bidSize > 0 && askSize > 0 && bidPrice >= askPrice;
  const tick = sink.claim(route.symbolId);
  if (tick === undefined) return -1;
  const exchangeMs = typeof data.E === 'number' ? data.E : receiveMs;
  tick.writeQuote(
    route.venueId,
    route.symbolId,
    route.priceScale,
    route.sizeScale,
    data.u,
    crossed ? FLAG.crossed : 0,
    exchangeMs,
    exchangeMs === receiveMs ? receiveNanosOfMs : 0,
    receiveMs,
    receiveNanosOfMs,
    bidPrice,
    bidSize,
    askPrice,
    askSize,
  );
  sink.commit();
  return crossed ? 2 : 1;
}

/** A candle; `final` once Binance says it is closed (`x`). The volume rides in the sequence slot. */
export function writeKlineTick(
  data: BinanceKline,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  const k = data.k;
  const volume = parseDecimal(k.v, route.sizeScale, 'volume');
  const open = parseDecimal(k.o, route.priceScale, 'open');
  const high = parseDecimal(k.h, route.priceScale, 'high');
  const low = parseDecimal(k.l, route.priceScale, 'low');
  const close = parseDecimal(k.c, route.priceScale, 'close');
  const tick = sink.claim(route.symbolId);
  if (tick === undefined) return -1;
  tick.writeBar(
    route.venueId,
    route.symbolId,
    route.priceScale,
    route.sizeScale,
    volume,
    k.x ? FLAG.final : 0,
    route.interval,
    k.t,
    0,
    receiveMs,
    receiveNanosOfMs,
    open,
    high,
    low,
    close,
  );
  sink.commit();
  return 1;
}

/**
 * Writes book levels as ticks: one per level, bids first, `final` on the last. `flags` adds
 * one-bit flags (snapshot, gap, crossed); `positions` numbers the levels 1, 2, 3… (a partial-book
 * snapshot) instead of leaving them 0. The levels come already parsed, so a caller can validate a
 * whole event before writing any of it.
 * Returns ticks written; the sink's refusals are added to `refused.sinkRefused`.
 */
export function writeBookLevels(
  route: StreamRoute,
  levels: LevelScratch,
  sequence: number,
  firstUpdateId: number,
  flags: number,
  positions: boolean,
  exchangeMs: number,
  exchangeNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
  refused: { sinkRefused: number },
): number {
  const { count, sides, prices, sizes } = levels;
  let written = 0;
  let bidPosition = 0;
  let askPosition = 0;
  for (let i = 0; i < count; i++) {
    const tick = sink.claim(route.symbolId);
    if (tick === undefined) {
      refused.sinkRefused++;
      continue;
    }
    const side = sides[i]!;
    const position = !positions ? 0 : side === SIDE.bid ? ++bidPosition : ++askPosition;
    tick.writeBook(
      route.venueId,
      route.symbolId,
      route.priceScale,
      route.sizeScale,
      sequence,
      side | flags | (i === count - 1 ? FLAG.final : 0),
      exchangeMs,
      exchangeNanosOfMs,
      receiveMs,
      receiveNanosOfMs,
      prices[i]!,
      sizes[i]!,
      firstUpdateId,
      position,
    );
    sink.commit();
    written++;
  }
  return written;
}

/**
 * Parsed levels of one event, reused from event to event so a diff allocates nothing beyond what
 * JSON.parse already did. `load` parses every level before anything is applied or written: a bad
 * decimal in the last level must not leave half an event behind.
 */
export class LevelScratch {
  sides = new Uint8Array(64);
  prices = new Float64Array(64);
  sizes = new Float64Array(64);
  count = 0;

  load(
    bids: readonly BinanceLevel[],
    asks: readonly BinanceLevel[],
    priceScale: number,
    sizeScale: number,
  ): void {
    if (!Array.isArray(bids) || !Array.isArray(asks)) {
      throw new TickwireError('FEED_BAD_PAYLOAD', 'book levels are not arrays');
    }
    const total = bids.length + asks.length;
    if (total > this.sides.length) this.grow(total);
    let n = 0;
    for (let side = SIDE.bid; side <= SIDE.ask; side++) {
      const levels = side === SIDE.bid ? bids : asks;
      for (let i = 0; i < levels.length; i++) {
        const level = levels[i]!;
        this.sides[n] = side;
        this.prices[n] = parseDecimal(level[0], priceScale, 'level price');
        const size = parseDecimal(level[1], sizeScale, 'level quantity');
        if (size < 0) throw new TickwireError('FEED_BAD_PAYLOAD', `level quantity ${level[1]} is negative`);
        this.sizes[n] = size;
        n++;
      }
    }
    this.count = n;
  }

  /** Appends one parsed level (the frame scanner's way in). */
  push(side: number, price: number, size: number): void {
    const n = this.count;
    if (n === this.sides.length) this.grow(n + 1, n);
    this.sides[n] = side;
    this.prices[n] = price;
    this.sizes[n] = size;
    this.count = n + 1;
  }

  /** Room for `total` levels, keeping the first `keep`. */
  private grow(total: number, keep = 0): void {
    const capacity = Math.max(total, this.sides.length * 2);
    const { sides, prices, sizes } = this;
    this.sides = new Uint8Array(capacity);
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.sides.set(sides.subarray(0, keep));
    this.prices.set(prices.subarray(0, keep));
    this.sizes.set(sizes.subarray(0, keep));
  }
}

const rawScratch = new LevelScratch();

/** A diff written as it comes, for a diff stream without a local book. */
export function writeDepthDiffTicks(
  data: BinanceDepthDiff,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
  refused: { sinkRefused: number },
): number {
  const scratch = rawScratch;
  scratch.load(data.b, data.a, route.priceScale, route.sizeScale);
  return writeDiffLevels(route, data.U, data.u, data.E, scratch, receiveMs, receiveNanosOfMs, sink, refused);
}

/** A diff's levels, already read, written as they come (no local book). */
export function writeDiffLevels(
  route: StreamRoute,
  firstUpdateId: number,
  lastUpdateId: number,
  eventTime: number,
  levels: LevelScratch,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
  refused: { sinkRefused: number },
): number {
  return writeBookLevels(
    route,
    levels,
    lastUpdateId,
    firstUpdateId,
    0,
    false,
    eventTime,
    0,
    receiveMs,
    receiveNanosOfMs,
    sink,
    refused,
  );
}

/** A partial book (top 5/10/20): every level flagged `snapshot`, numbered from the top. */
export function writePartialDepthTicks(
  data: BinanceDepthSnapshot,
  route: StreamRoute,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
  refused: { sinkRefused: number },
): number {
  const scratch = rawScratch;
  scratch.load(data.bids, data.asks, route.priceScale, route.sizeScale);
  return writeBookLevels(
    route,
    scratch,
    data.lastUpdateId,
    0,
    FLAG.snapshot,
    true,
    receiveMs,
    receiveNanosOfMs,
    receiveMs,
    receiveNanosOfMs,
    sink,
    refused,
  );
}
