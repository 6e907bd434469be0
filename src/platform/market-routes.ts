import { type RouteHandler, type RouteKey, sendError, sendJson } from '../gateway/index.ts';
import type { MarketSnapshot } from '../pipeline/index.ts';
import { BAR_INTERVALS, formatDecimal, type SymbolRegistry } from '../wire/index.ts';
import type { MarketFeed } from './market-feed.ts';
import type { Candle, DepthLevel, DepthView, KlinesView, SymbolEntry, TickerRow } from './views.ts';

/** Rows of GET /api/v1/ticker. */
const TICKER_ROWS = 50;
/** Levels a side GET /api/v1/depth gives by default, and at most. */
const DEPTH_LEVELS = { default: 20, max: 100 } as const;
/** Candles GET /api/v1/klines gives by default, and at most (Binance's own cap). */
const KLINE_LIMIT = { default: 300, max: 1000 } as const;

/**
 * The node's market data over REST, for a screen's first paint before the stream takes over:
 * symbols and their wire ids, the ticker, the feed's own book of a symbol (`depth`, with the update
 * id that the stream's book ticks continue from) and candle history (`klines`, from the venue).
 */
export function marketRoutes(
  registry: SymbolRegistry,
  feed: MarketFeed | undefined,
  snapshot: MarketSnapshot | undefined,
): Partial<Record<RouteKey, RouteHandler>> {
  /** The symbol named by `?symbol=` on the feed's venue, or an answer saying why not. */
  const symbolOf = (request: { url?: string | undefined }, response: Parameters<RouteHandler>[1]) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    if (feed === undefined) {
      sendError(response, 404, 'NO_FEED', 'this node reads no market feed (--feed none)');
      return undefined;
    }
    const symbol = query.get('symbol') ?? '';
    const id = registry.idOf(feed.venue, symbol);
    if (id === undefined) {
      sendError(response, 404, 'UNKNOWN_SYMBOL', `no symbol ${JSON.stringify(symbol)} on ${feed.venue}`);
      return undefined;
    }
    return { feed, symbol, info: registry.info(id), query };
  };
  return {
    'GET /api/v1/symbols': (_request, response) =>
      sendJson(response, 200, {
        symbols: [...registry].map(({ id, venue, symbol, priceScale, sizeScale }): SymbolEntry => ({
          id,
          venue,
          symbol,
          priceScale,
          sizeScale,
        })),
      }),
    'GET /api/v1/ticker': (_request, response) =>
      sendJson(response, 200, { symbols: (snapshot?.rows(TICKER_ROWS) ?? []) satisfies TickerRow[] }),
    'GET /api/v1/depth': async (request, response) => {
      const found = symbolOf(request, response);
      if (found === undefined) return;
      const levels = boundedInteger(found.query.get('limit'), DEPTH_LEVELS);
      if (levels === undefined)
        return sendError(response, 400, 'BAD_REQUEST', `limit must be a whole number 1..${DEPTH_LEVELS.max}`);
      const book = await found.feed.book(found.symbol, levels);
      if (book === undefined)
        return sendError(
          response,
          404,
          'NO_BOOK',
          `the feed keeps no book of ${found.symbol} (no depth stream)`,
        );
      const { priceScale, sizeScale } = found.info;
      const side = (levels: [number, number][]) =>
        levels.map(([price, size]): DepthLevel => [
          formatDecimal(price, priceScale),
          formatDecimal(size, sizeScale),
        ]);
      sendJson(response, 200, {
        venue: found.feed.venue,
        symbol: found.symbol,
        state: book.state,
        lastUpdateId: book.lastUpdateId,
        bids: side(book.bids),
        asks: side(book.asks),
      } satisfies DepthView);
    },
    'GET /api/v1/klines': async (request, response) => {
      const found = symbolOf(request, response);
      if (found === undefined) return;
      const interval = found.query.get('interval') ?? '1m';
      if (!(BAR_INTERVALS as readonly string[]).includes(interval))
        return sendError(response, 400, 'BAD_REQUEST', `interval must be one of ${BAR_INTERVALS.join(', ')}`);
      const limit = boundedInteger(found.query.get('limit'), KLINE_LIMIT);
      if (limit === undefined)
        return sendError(response, 400, 'BAD_REQUEST', `limit must be a whole number 1..${KLINE_LIMIT.max}`);
      let rows;
      try {
        rows = await found.feed.klines(found.symbol, interval, limit);
      } catch (error) {
        return sendError(response, 502, 'VENUE_FAILED', (error as Error).message);
      }
      sendJson(response, 200, {
        venue: found.feed.venue,
        symbol: found.symbol,
        interval,
        candles: rows.map(([openTime, open, high, low, close, volume]): Candle => ({
          openTime,
          open,
          high,
          low,
          close,
          volume,
        })),
      } satisfies KlinesView);
    },
  };
}

/** A query's whole number within 1..max, its default when absent; undefined when it is not one. */
function boundedInteger(text: string | null, bounds: { default: number; max: number }): number | undefined {
  if (text === null) return bounds.default;
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 && value <= bounds.max ? value : undefined;
}
