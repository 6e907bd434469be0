import { formatEight } from '../matching/amounts.ts';
import type { TradeTape, WindowStats } from '../market/trade-tape.ts';
import type { SimulatedSymbol } from '../market/universe.ts';

/**
 * A ticker's figures over a window of a symbol's trades, as strings and numbers ready for a REST
 * answer or a stream payload (which name them differently): prices and volumes with 8 decimals,
 * the change in percent with 3 (REST) or 2 (streams, as Binance's examples show). An empty window
 * reports the last price and zero volume.
 */
export interface TickerFigures {
  priceChange: string;
  priceChangePercent: number;
  weightedAvgPrice: string;
  open: string;
  high: string;
  low: string;
  last: string;
  volume: string;
  quoteVolume: string;
  openTime: number;
  closeTime: number;
  firstId: number;
  lastId: number;
  count: number;
}

export function tickerFigures(
  symbol: SimulatedSymbol,
  stats: WindowStats | undefined,
  lastPrice: number,
  from: number,
  now: number,
): TickerFigures {
  const { priceScale, sizeScale } = symbol;
  const open = stats?.open ?? lastPrice;
  const close = stats?.close ?? lastPrice;
  const volume = stats?.volume ?? 0;
  const average = volume > 0 ? stats!.quote / volume / 10 ** priceScale : 0;
  return {
    priceChange: ((close - open) / 10 ** priceScale).toFixed(8),
    priceChangePercent: open > 0 ? ((close - open) / open) * 100 : 0,
    weightedAvgPrice: average.toFixed(8),
    open: formatEight(open, priceScale),
    high: formatEight(stats?.high ?? lastPrice, priceScale),
    low: formatEight(stats?.low ?? lastPrice, priceScale),
    last: formatEight(close, priceScale),
    volume: formatEight(volume, sizeScale),
    quoteVolume: ((stats?.quote ?? 0) / 10 ** (priceScale + sizeScale)).toFixed(8),
    openTime: stats?.openTime ?? from,
    closeTime: now,
    firstId: stats?.firstId ?? -1,
    lastId: stats?.lastId ?? -1,
    count: stats?.trades ?? 0,
  };
}

/** The figures of the window [now - windowMs, now] from the tape. */
export function windowFigures(
  tape: TradeTape,
  symbol: SimulatedSymbol,
  index: number,
  lastPrice: number,
  windowMs: number,
  now: number,
): TickerFigures {
  const from = now - windowMs;
  return tickerFigures(symbol, tape.window(index, from), lastPrice, from, now);
}
