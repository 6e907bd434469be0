import { BAR_INTERVALS, type BarInterval } from '../../wire/index.ts';

/**
 * Every Binance stream name the adapter uses is built here, and nowhere else. Binance writes
 * symbols lowercase in stream names (`btcusdt@trade`) and uppercase everywhere else (`BTCUSDT`).
 */

/** Stream kinds a feed can ask for per symbol. `depth` is the diff stream behind a local book. */
export const BINANCE_STREAM_KINDS = [
  'trade',
  'aggTrade',
  'bookTicker',
  'depth',
  'depth5',
  'depth10',
  'depth20',
  ...BAR_INTERVALS.map((interval) => `kline_${interval}` as const),
] as const;
export type BinanceStreamKind = (typeof BINANCE_STREAM_KINDS)[number];

/** Update speeds Binance offers for the diff and partial depth streams. */
export const DEPTH_SPEEDS = ['100ms', '1000ms'] as const;
export type DepthSpeed = (typeof DEPTH_SPEEDS)[number];

/** What a stream's frames become: the mapper dispatches on this, never on the name again. */
export const ROUTE_KINDS = ['trade', 'aggTrade', 'bookTicker', 'depthDiff', 'partialDepth', 'kline'] as const;
export type RouteKind = (typeof ROUTE_KINDS)[number];

export function isBinanceStreamKind(kind: string): kind is BinanceStreamKind {
  return (BINANCE_STREAM_KINDS as readonly string[]).includes(kind);
}

/**
 * The stream name of `symbol` (any case) and `kind`. Depth streams carry their speed as a suffix
 * except at 1000 ms, which is Binance's unsuffixed default.
 */
export function streamName(
  symbol: string,
  kind: BinanceStreamKind,
  depthSpeed: DepthSpeed = '100ms',
): string {
  const base = `${symbol.toLowerCase()}@${kind}`;
  if (kind.startsWith('depth') && depthSpeed !== '1000ms') return `${base}@${depthSpeed}`;
  return base;
}

/** The route kind of a stream kind. */
export function routeKindOf(kind: BinanceStreamKind): RouteKind {
  if (kind === 'depth') return 'depthDiff';
  if (kind === 'depth5' || kind === 'depth10' || kind === 'depth20') return 'partialDepth';
  if (kind.startsWith('kline_')) return 'kline';
  return kind as 'trade' | 'aggTrade' | 'bookTicker';
}

/** The bar interval of a kline stream kind. */
export function klineInterval(kind: BinanceStreamKind): BarInterval | undefined {
  if (!kind.startsWith('kline_')) return undefined;
  return kind.slice('kline_'.length) as BarInterval;
}

/** Levels a partial depth stream carries (5, 10 or 20), 0 for any other kind. */
export function partialDepthLevels(kind: BinanceStreamKind): number {
  return kind === 'depth5' ? 5 : kind === 'depth10' ? 10 : kind === 'depth20' ? 20 : 0;
}
