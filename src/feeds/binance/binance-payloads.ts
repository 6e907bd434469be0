/**
 * Binance Spot's raw payloads as Binance documents them: Spot WebSocket Streams, REST
 * /api/v3/depth and /api/v3/exchangeInfo. Types only; the mapper reads them.
 */

/** A price level: [price, quantity] as decimal strings. Quantity "0…" removes the level. */
export type BinanceLevel = readonly [price: string, quantity: string];

/** `<symbol>@trade` */
export interface BinanceTrade {
  readonly e: 'trade';
  /** Event time, ms. */
  readonly E: number;
  readonly s: string;
  /** Trade id, consecutive per symbol. */
  readonly t: number;
  readonly p: string;
  readonly q: string;
  /** Trade time, ms. */
  readonly T: number;
  /** Is the buyer the market maker? true → the seller was the aggressor. */
  readonly m: boolean;
  readonly M?: boolean;
}

/** `<symbol>@aggTrade` */
export interface BinanceAggTrade {
  readonly e: 'aggTrade';
  readonly E: number;
  readonly s: string;
  /** Aggregate trade id, consecutive per symbol. */
  readonly a: number;
  readonly p: string;
  readonly q: string;
  /** First and last trade id in the aggregate. */
  readonly f: number;
  readonly l: number;
  readonly T: number;
  readonly m: boolean;
  readonly M?: boolean;
}

/** `<symbol>@bookTicker`. Spot sends no event time; `u` is the order book update id. */
export interface BinanceBookTicker {
  readonly u: number;
  readonly s: string;
  readonly b: string;
  readonly B: string;
  readonly a: string;
  readonly A: string;
  readonly E?: number;
}

/** `<symbol>@depth[@100ms]`: a diff of the book, update ids U..u. */
export interface BinanceDepthDiff {
  readonly e: 'depthUpdate';
  readonly E: number;
  readonly s: string;
  /** First update id in the event. */
  readonly U: number;
  /** Final update id in the event. */
  readonly u: number;
  readonly b: readonly BinanceLevel[];
  readonly a: readonly BinanceLevel[];
}

/** `<symbol>@depth<5|10|20>[@100ms]`, and REST GET /api/v3/depth. */
export interface BinanceDepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: readonly BinanceLevel[];
  readonly asks: readonly BinanceLevel[];
}

/** `<symbol>@kline_<interval>` */
export interface BinanceKline {
  readonly e: 'kline';
  readonly E: number;
  readonly s: string;
  readonly k: {
    /** Open time, ms. */
    readonly t: number;
    readonly T: number;
    readonly s: string;
    readonly i: string;
    readonly f: number;
    readonly L: number;
    readonly o: string;
    readonly c: string;
    readonly h: string;
    readonly l: string;
    /** Base asset volume. */
    readonly v: string;
    readonly n: number;
    /** Is this kline closed? */
    readonly x: boolean;
    readonly q: string;
    readonly V: string;
    readonly Q: string;
  };
}

export type BinanceStreamPayload =
  BinanceTrade | BinanceAggTrade | BinanceBookTicker | BinanceDepthDiff | BinanceDepthSnapshot | BinanceKline;

/** What /stream?streams=… sends: every payload wrapped with its stream name. */
export interface BinanceCombinedFrame {
  readonly stream: string;
  readonly data: BinanceStreamPayload;
}

export interface BinancePriceFilter {
  readonly filterType: 'PRICE_FILTER';
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly tickSize: string;
}

export interface BinanceLotSizeFilter {
  readonly filterType: 'LOT_SIZE';
  readonly minQty: string;
  readonly maxQty: string;
  readonly stepSize: string;
}

export interface BinanceOtherFilter {
  readonly filterType: string;
}

export interface BinanceSymbolInfo {
  readonly symbol: string;
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly filters: readonly (BinancePriceFilter | BinanceLotSizeFilter | BinanceOtherFilter)[];
}

export interface BinanceExchangeInfo {
  readonly symbols: readonly BinanceSymbolInfo[];
}

/** A candle as `GET /api/v3/klines` sends it: open time (ms), open, high, low, close, volume, close time, … */
export type BinanceKlineRow = [number, string, string, string, string, string, number, ...unknown[]];
