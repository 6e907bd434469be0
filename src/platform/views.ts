/**
 * What the node's market REST routes answer (`market-routes.ts`), for a screen's first paint. No
 * imports: the client SDK's browser build compiles this file. Prices and sizes are decimal strings.
 */

/** `GET /api/v1/symbols`: a symbol, and the id binary ticks name it by on this node. */
export interface SymbolEntry {
  id: number;
  venue: string;
  symbol: string;
  priceScale: number;
  sizeScale: number;
}

/** `GET /api/v1/ticker`: the latest trade and top of book of a symbol (null before the first). */
export interface TickerRow {
  venue: string;
  symbol: string;
  price: string | null;
  bidPrice: string | null;
  askPrice: string | null;
  trades: number;
}

/** A price level: [price, size]. */
export type DepthLevel = [price: string, size: string];

/**
 * `GET /api/v1/depth`: the feed's own book of a symbol, best levels first. Book ticks on
 * `md.book.<venue>.<symbol>` continue it: the first diff after it has `firstUpdateId`
 * `lastUpdateId + 1`, and ticks with `sequence <= lastUpdateId` are already in it.
 */
export interface DepthView {
  venue: string;
  symbol: string;
  /** `synced` when the book is in step with the exchange; otherwise it is being (re)built. */
  state: string;
  lastUpdateId: number;
  bids: DepthLevel[];
  asks: DepthLevel[];
}

/** A candle of `GET /api/v1/klines`, oldest first. */
export interface Candle {
  /** ms since the epoch. */
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

/** `GET /api/v1/klines`. */
export interface KlinesView {
  venue: string;
  symbol: string;
  interval: string;
  candles: Candle[];
}
