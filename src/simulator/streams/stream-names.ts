/**
 * Binance Spot stream names the simulator serves: `<symbol>@trade`, `@aggTrade`, `@bookTicker`,
 * `@depth` / `@depth@100ms` (diff depth), `@depth5|10|20` with optional `@100ms` (partial book),
 * `@kline_<interval>`, `@miniTicker`, `@ticker`, `@ticker_<1h|4h|1d>` and `@avgPrice`, and the
 * market-wide `!miniTicker@arr`, `!ticker@arr` and `!ticker_<1h|4h|1d>@arr`. Symbols in stream
 * names are lowercase, as Binance documents.
 */

import { BAR_INTERVALS } from '../../wire/index.ts';

/** Binance's kline intervals are exactly the wire's bar intervals. */
export const KLINE_INTERVALS = BAR_INTERVALS;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

export const PARTIAL_DEPTH_LEVELS = [5, 10, 20] as const;
export type PartialDepthLevels = (typeof PARTIAL_DEPTH_LEVELS)[number];

export const STREAM_KINDS = [
  'trade',
  'aggTrade',
  'bookTicker',
  'diffDepth',
  'partialDepth',
  'kline',
  'miniTicker',
  'ticker',
  'windowTicker',
  'avgPrice',
  'allMiniTickers',
  'allTickers',
  'allWindowTickers',
] as const;

/** Windows of the rolling-window ticker streams. */
export const TICKER_WINDOWS = ['1h', '4h', '1d'] as const;
export type TickerWindow = (typeof TICKER_WINDOWS)[number];
export type StreamKind = (typeof STREAM_KINDS)[number];

export interface ParsedStream {
  /** The name as the client spelled it (what LIST_SUBSCRIPTIONS returns). */
  name: string;
  /** The symbol part, as spelled (lowercase for a known symbol); '' for a market-wide stream. */
  symbol: string;
  kind: StreamKind;
  /** Depth streams: the 100 ms cadence instead of 1000 ms. */
  fast: boolean;
  levels: PartialDepthLevels | 0;
  interval: KlineInterval | undefined;
  window?: TickerWindow;
}

const STREAM_NAME =
  /^([A-Za-z0-9]{1,32})@(trade|aggTrade|bookTicker|depth(5|10|20)?(@100ms)?|kline_([0-9]{1,2}[smhdwM])|miniTicker|ticker|ticker_(1h|4h|1d)|avgPrice)$/;
const MARKET_WIDE = /^!(miniTicker|ticker|ticker_(1h|4h|1d))@arr$/;
const INTERVALS: ReadonlySet<string> = new Set(KLINE_INTERVALS);

/** The stream a name denotes, or undefined when it is not a stream name this simulator knows. */
export function parseStreamName(name: string): ParsedStream | undefined {
  const base = { name, fast: false, levels: 0, interval: undefined } as const;
  const wide = MARKET_WIDE.exec(name);
  if (wide !== null) {
    const window = wide[2] as TickerWindow | undefined;
    if (window !== undefined) return { ...base, symbol: '', kind: 'allWindowTickers', window };
    return { ...base, symbol: '', kind: wide[1] === 'ticker' ? 'allTickers' : 'allMiniTickers' };
  }
  const match = STREAM_NAME.exec(name);
  if (match === null) return undefined;
  const [, symbol, type, levels, fast, interval, window] = match as unknown as [
    string,
    string,
    string,
    string | undefined,
    string | undefined,
    string | undefined,
    TickerWindow | undefined,
  ];
  if (window !== undefined) return { ...base, symbol, kind: 'windowTicker', window };
  if (type === 'miniTicker' || type === 'ticker' || type === 'avgPrice')
    return { ...base, symbol, kind: type };
  if (interval !== undefined) {
    if (!INTERVALS.has(interval)) return undefined;
    return { name, symbol, kind: 'kline', fast: false, levels: 0, interval: interval as KlineInterval };
  }
  if (type.startsWith('depth')) {
    return {
      name,
      symbol,
      kind: levels === undefined ? 'diffDepth' : 'partialDepth',
      fast: fast !== undefined,
      levels: levels === undefined ? 0 : (Number(levels) as PartialDepthLevels),
      interval: undefined,
    };
  }
  return { name, symbol, kind: type as StreamKind, fast: false, levels: 0, interval: undefined };
}

/** Start of the kline that contains `time` (UTC; weeks start on Monday; months are calendar months). */
export function klineOpenTime(interval: KlineInterval, time: number): number {
  if (interval === '1M') {
    const date = new Date(time);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
  const length = KLINE_LENGTH_MS[interval];
  // 1970-01-01 was a Thursday: weekly klines are shifted to open on Mondays.
  const offset = interval === '1w' ? 4 * DAY_MS : 0;
  return Math.floor((time - offset) / length) * length + offset;
}

/** Close time of the kline opening at `openTime`: the last millisecond inside it, as Binance gives. */
export function klineCloseTime(interval: KlineInterval, openTime: number): number {
  if (interval === '1M') {
    const date = new Date(openTime);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) - 1;
  }
  return openTime + KLINE_LENGTH_MS[interval] - 1;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const KLINE_LENGTH_MS: Record<Exclude<KlineInterval, '1M'>, number> = {
  '1s': SECOND_MS,
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': HOUR_MS,
  '2h': 2 * HOUR_MS,
  '4h': 4 * HOUR_MS,
  '6h': 6 * HOUR_MS,
  '8h': 8 * HOUR_MS,
  '12h': 12 * HOUR_MS,
  '1d': DAY_MS,
  '3d': 3 * DAY_MS,
  '1w': 7 * DAY_MS,
};
