/**
 * What the exchange remembers of each symbol's trades, for the REST endpoints and streams that
 * look back (trades, historicalTrades, aggTrades, klines, avgPrice, the tickers): the most recent
 * trades one by one, and one-minute candles. Both are kept per symbol in typed arrays that grow on
 * demand up to a cap shared out over the symbols, so a universe of 50,000 symbols costs what its
 * trades need and no more. Prices and quantities are the symbol's mantissas; quote amounts are
 * price × quantity mantissas (at priceScale + sizeScale), summed as doubles.
 */

/** Recent trades kept per symbol: Binance's largest `limit` (1,000), fewer for large universes. */
const MAX_TRADES_PER_SYMBOL = 1_000;
const MIN_TRADES_PER_SYMBOL = 100;
/** One-minute candles kept per symbol: a day (the 24-hour ticker's window), less for large universes. */
const MAX_MINUTES_PER_SYMBOL = 1_440;
const MIN_MINUTES_PER_SYMBOL = 60;
/** Trades and candles over all symbols, at most (about 100 MB of arrays). */
const TRADE_BUDGET = 2_000_000;
const MINUTE_BUDGET = 1_440_000;
export const MINUTE_MS = 60_000;

/** Candle fields, one Float64Array row of CANDLE_FIELDS per minute. */
export const CANDLE = {
  openTime: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
  quote: 6,
  trades: 7,
  firstId: 8,
  lastId: 9,
  takerBuyVolume: 10,
  takerBuyQuote: 11,
} as const;
const CANDLE_FIELDS = 12;
const TRADE_FIELDS = 5;
const TRADE = { id: 0, price: 1, quantity: 2, time: 3, buyerIsMaker: 4 } as const;

export interface TapeTrade {
  id: number;
  price: number;
  quantity: number;
  time: number;
  buyerIsMaker: boolean;
}

/** Statistics of a window of candles, as the tickers report them. */
export interface WindowStats {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quote: number;
  trades: number;
  firstId: number;
  lastId: number;
}

/** A growable ring of fixed-size rows. */
class Ring {
  private data: Float64Array;
  /** Rows ever written; the newest is at (count - 1) % capacity. */
  count = 0;

  constructor(
    private readonly fields: number,
    private readonly cap: number,
  ) {
    this.data = new Float64Array(fields * Math.min(8, cap));
  }

  get size(): number {
    return Math.min(this.count, this.capacity);
  }

  private get capacity(): number {
    return this.data.length / this.fields;
  }

  /** Offset of the row `back` rows before the newest (0 = newest). */
  offset(back: number): number {
    return ((this.count - 1 - back) % this.capacity) * this.fields;
  }

  row(back: number): Float64Array {
    const at = this.offset(back);
    return this.data.subarray(at, at + this.fields);
  }

  /** Appends a row and returns it to be filled. */
  push(): Float64Array {
    if (this.count >= this.capacity && this.capacity < this.cap) this.grow();
    this.count++;
    return this.row(0);
  }

  private grow(): void {
    const capacity = Math.min(this.cap, this.capacity * 2);
    const data = new Float64Array(capacity * this.fields);
    // Unroll the ring oldest first (while full, oldest is at count % capacity).
    for (let back = this.size - 1, i = 0; back >= 0; back--, i++) {
      const at = this.offset(back);
      data.set(this.data.subarray(at, at + this.fields), i * this.fields);
    }
    this.count = this.size;
    this.data = data;
  }
}

export class TradeTape {
  private readonly trades: (Ring | undefined)[];
  private readonly minutes: (Ring | undefined)[];
  private readonly tradeCap: number;
  private readonly minuteCap: number;

  constructor(symbolCount: number) {
    this.trades = new Array<Ring | undefined>(symbolCount);
    this.minutes = new Array<Ring | undefined>(symbolCount);
    this.tradeCap = clamp(
      Math.floor(TRADE_BUDGET / symbolCount),
      MIN_TRADES_PER_SYMBOL,
      MAX_TRADES_PER_SYMBOL,
    );
    this.minuteCap = clamp(
      Math.floor(MINUTE_BUDGET / symbolCount),
      MIN_MINUTES_PER_SYMBOL,
      MAX_MINUTES_PER_SYMBOL,
    );
  }

  /** How far back the candles reach per symbol (the 24-hour ticker covers at most this). */
  get minutesKept(): number {
    return this.minuteCap;
  }

  record(
    index: number,
    id: number,
    price: number,
    quantity: number,
    time: number,
    buyerIsMaker: boolean,
  ): void {
    const trades = (this.trades[index] ??= new Ring(TRADE_FIELDS, this.tradeCap));
    const trade = trades.push();
    trade[TRADE.id] = id;
    trade[TRADE.price] = price;
    trade[TRADE.quantity] = quantity;
    trade[TRADE.time] = time;
    trade[TRADE.buyerIsMaker] = buyerIsMaker ? 1 : 0;

    const minutes = (this.minutes[index] ??= new Ring(CANDLE_FIELDS, this.minuteCap));
    const openTime = Math.floor(time / MINUTE_MS) * MINUTE_MS;
    const quote = price * quantity;
    let candle = minutes.size > 0 ? minutes.row(0) : undefined;
    if (candle === undefined || candle[CANDLE.openTime]! < openTime) {
      candle = minutes.push();
      candle.fill(0);
      candle[CANDLE.openTime] = openTime;
      candle[CANDLE.open] = price;
      candle[CANDLE.high] = price;
      candle[CANDLE.low] = price;
      candle[CANDLE.firstId] = id;
    }
    if (price > candle[CANDLE.high]!) candle[CANDLE.high] = price;
    if (price < candle[CANDLE.low]!) candle[CANDLE.low] = price;
    candle[CANDLE.close] = price;
    candle[CANDLE.volume]! += quantity;
    candle[CANDLE.quote]! += quote;
    candle[CANDLE.trades]!++;
    candle[CANDLE.lastId] = id;
    if (!buyerIsMaker) {
      candle[CANDLE.takerBuyVolume]! += quantity;
      candle[CANDLE.takerBuyQuote]! += quote;
    }
  }

  /** Recent trades, oldest first: the last `limit`, or `limit` from trade id `fromId` on. */
  recentTrades(index: number, limit: number, fromId?: number): TapeTrade[] {
    const trades = this.trades[index];
    if (trades === undefined) return [];
    const out: TapeTrade[] = [];
    for (let back = trades.size - 1; back >= 0; back--) {
      const row = trades.row(back);
      if (fromId !== undefined && row[TRADE.id]! < fromId) continue;
      out.push({
        id: row[TRADE.id]!,
        price: row[TRADE.price]!,
        quantity: row[TRADE.quantity]!,
        time: row[TRADE.time]!,
        buyerIsMaker: row[TRADE.buyerIsMaker] === 1,
      });
    }
    return fromId === undefined ? out.slice(-limit) : out.slice(0, limit);
  }

  /** The one-minute candles with openTime in [from, to], oldest first (rows are views: copy to keep). */
  candles(index: number, from: number, to: number): Float64Array[] {
    const minutes = this.minutes[index];
    if (minutes === undefined) return [];
    const out: Float64Array[] = [];
    for (let back = minutes.size - 1; back >= 0; back--) {
      const row = minutes.row(back);
      const openTime = row[CANDLE.openTime]!;
      if (openTime >= from && openTime <= to) out.push(row);
    }
    return out;
  }

  /** Statistics of the candles from `from` to now, or undefined when no trade fell in the window. */
  window(index: number, from: number): WindowStats | undefined {
    const rows = this.candles(index, Math.floor(from / MINUTE_MS) * MINUTE_MS, Number.MAX_SAFE_INTEGER);
    if (rows.length === 0) return undefined;
    const first = rows[0]!;
    const last = rows[rows.length - 1]!;
    const stats: WindowStats = {
      openTime: first[CANDLE.openTime]!,
      open: first[CANDLE.open]!,
      high: first[CANDLE.high]!,
      low: first[CANDLE.low]!,
      close: last[CANDLE.close]!,
      volume: 0,
      quote: 0,
      trades: 0,
      firstId: first[CANDLE.firstId]!,
      lastId: last[CANDLE.lastId]!,
    };
    for (const row of rows) {
      if (row[CANDLE.high]! > stats.high) stats.high = row[CANDLE.high]!;
      if (row[CANDLE.low]! < stats.low) stats.low = row[CANDLE.low]!;
      stats.volume += row[CANDLE.volume]!;
      stats.quote += row[CANDLE.quote]!;
      stats.trades += row[CANDLE.trades]!;
    }
    return stats;
  }

  /** The time of the symbol's last trade, or 0. */
  lastTradeTime(index: number): number {
    const trades = this.trades[index];
    return trades === undefined || trades.size === 0 ? 0 : trades.row(0)[TRADE.time]!;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, value));
}
