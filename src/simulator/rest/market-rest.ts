import { formatDecimal } from '../market/decimal.ts';
import { ASK, BID } from '../market/order-book.ts';
import { CANDLE, MINUTE_MS, type WindowStats } from '../market/trade-tape.ts';
import { formatEight } from '../matching/amounts.ts';
import { ExchangeRejection } from '../matching/rejection.ts';
import type { RateLimitSettings } from '../api/rate-limits.ts';
import type { ExchangeMarket } from '../streams/exchange-market.ts';
import { levelsJson } from '../streams/payloads.ts';
import { tickerFigures } from '../streams/ticker-figures.ts';
import {
  KLINE_INTERVALS,
  type KlineInterval,
  klineCloseTime,
  klineOpenTime,
} from '../streams/stream-names.ts';
import { exchangeInfoJson, symbolInfoJson } from './exchange-info.ts';
import type { RestRoute } from './trading-rest.ts';

/** Binance REST errors the simulator answers with (HTTP 400, `{"code":…,"msg":…}`). */
export const REST_ERRORS = {
  unknown: -1000,
  illegalChars: -1100,
  tooManyParameters: -1101,
  mandatoryParameter: -1102,
  badSymbol: -1121,
  badCombination: -1128,
  invalidParameter: -1130,
  duplicateSymbols: -1151,
} as const;

/** Depth limits: Binance's default and its cap (a larger limit returns the cap). */
const DEFAULT_DEPTH_LIMIT = 100;
const MAX_DEPTH_LIMIT = 5_000;
/** trades, historicalTrades, aggTrades, klines: default and largest `limit`. */
const DEFAULT_LIST_LIMIT = 500;
const MAX_LIST_LIMIT = 1_000;
const SYMBOL_PATTERN = /^[A-Z0-9-_.]{1,20}$/;
const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
/** avgPrice's window: the last five minutes of trades. */
const AVERAGE_PRICE_MINUTES = 5;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WINDOW_SIZE = /^([1-9][0-9]?)([mhd])$/;

const binanceError = (code: number, message: string): ExchangeRejection =>
  new ExchangeRejection(code, message);

/**
 * Binance Spot's public market-data REST endpoints: ping, time, exchangeInfo, depth, trades,
 * historicalTrades, aggTrades, klines, uiKlines, avgPrice, the tickers (24hr, tradingDay, rolling
 * window, price, bookTicker). Trades and windows come from the market's TradeTape (market/
 * trade-tape.ts): the tickers' windows have one-minute precision, and what lies before the
 * simulator started (or beyond what the tape keeps) is not there.
 */
export function marketRoutes(market: ExchangeMarket, limits: RateLimitSettings): Record<string, RestRoute> {
  let allSymbolsJson: string | undefined;
  const tape = market.tape;

  const symbolParam = (value: string): number => {
    if (!SYMBOL_PATTERN.test(value)) {
      throw binanceError(
        REST_ERRORS.illegalChars,
        `Illegal characters found in parameter 'symbol'; legal range is '${SYMBOL_RANGE}'.`,
      );
    }
    const index = market.symbolIndex(value);
    if (index === undefined) throw binanceError(REST_ERRORS.badSymbol, 'Invalid symbol.');
    return index;
  };

  const symbolsParam = (value: string): number[] => {
    let names: unknown;
    try {
      names = JSON.parse(value);
    } catch {
      names = undefined;
    }
    if (
      !Array.isArray(names) ||
      !names.every((name) => typeof name === 'string' && SYMBOL_PATTERN.test(name))
    ) {
      throw binanceError(
        REST_ERRORS.illegalChars,
        `Illegal characters found in parameter 'symbols'; legal range is '${SYMBOLS_RANGE}'.`,
      );
    }
    if (names.length === 0) {
      throw binanceError(
        REST_ERRORS.mandatoryParameter,
        "Mandatory parameter 'symbols' was not sent, was empty/null, or malformed.",
      );
    }
    if (new Set(names).size !== names.length) {
      throw binanceError(REST_ERRORS.duplicateSymbols, 'Symbol is present multiple times in the list.');
    }
    return (names as string[]).map((name) => symbolParam(name));
  };

  /** The symbols a request names with `symbol` or `symbols`, or undefined for all. */
  const selectedSymbols = (query: URLSearchParams): number[] | undefined => {
    const one = query.get('symbol');
    const many = query.get('symbols');
    if (one !== null && many !== null)
      throw binanceError(REST_ERRORS.badCombination, 'Combination of optional parameters invalid.');
    if (one !== null) return [symbolParam(one)];
    if (many !== null) return symbolsParam(many);
    return undefined;
  };

  const requiredSymbol = (query: URLSearchParams): number => {
    const symbol = query.get('symbol');
    if (symbol === null || symbol === '') {
      throw binanceError(
        REST_ERRORS.mandatoryParameter,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      );
    }
    return symbolParam(symbol);
  };

  /** An optional whole-number parameter. */
  const numberParam = (query: URLSearchParams, name: string): number | undefined => {
    const text = query.get(name);
    if (text === null) return undefined;
    if (!/^[0-9]{1,20}$/.test(text))
      throw binanceError(
        REST_ERRORS.illegalChars,
        `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`,
      );
    return Number(text);
  };

  const listLimit = (query: URLSearchParams): number => {
    const limit = numberParam(query, 'limit') ?? DEFAULT_LIST_LIMIT;
    if (limit < 1)
      throw binanceError(REST_ERRORS.invalidParameter, "Data sent for parameter 'limit' is not valid.");
    return Math.min(limit, MAX_LIST_LIMIT);
  };

  /** One row per symbol (an object for `symbol`, an array for `symbols` or all). */
  const perSymbol = (
    query: URLSearchParams,
    row: (index: number) => Record<string, unknown>,
    all = true,
  ): string => {
    if (query.get('symbol') !== null && query.get('symbols') === null)
      return JSON.stringify(row(symbolParam(query.get('symbol')!)));
    const selected = selectedSymbols(query);
    if (selected === undefined && !all)
      throw binanceError(
        REST_ERRORS.mandatoryParameter,
        "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
      );
    return JSON.stringify((selected ?? market.symbols.map((_, index) => index)).map(row));
  };

  const price = (index: number, mantissa: number) => formatEight(mantissa, market.symbols[index]!.priceScale);
  const quantity = (index: number, mantissa: number) =>
    formatEight(mantissa, market.symbols[index]!.sizeScale);
  /** A quote amount (price × quantity mantissas) in the quote asset, 8 decimals. */
  const quote = (index: number, amount: number) => {
    const { priceScale, sizeScale } = market.symbols[index]!;
    return (amount / 10 ** (priceScale + sizeScale)).toFixed(8);
  };

  /** The window statistics every REST ticker reports (streams/ticker-figures.ts), under REST's names. */
  const windowTicker = (index: number, stats: WindowStats | undefined, from: number, now: number) => {
    const figures = tickerFigures(market.symbols[index]!, stats, market.lastPrice(index), from, now);
    return {
      symbol: market.symbols[index]!.symbol,
      priceChange: figures.priceChange,
      priceChangePercent: figures.priceChangePercent.toFixed(3),
      weightedAvgPrice: figures.weightedAvgPrice,
      openPrice: figures.open,
      highPrice: figures.high,
      lowPrice: figures.low,
      lastPrice: figures.last,
      volume: figures.volume,
      quoteVolume: figures.quoteVolume,
      openTime: figures.openTime,
      closeTime: figures.closeTime,
      firstId: figures.firstId,
      lastId: figures.lastId,
      count: figures.count,
    };
  };

  const miniFields = [
    'symbol',
    'openPrice',
    'highPrice',
    'lowPrice',
    'lastPrice',
    'volume',
    'quoteVolume',
    'openTime',
    'closeTime',
    'firstId',
    'lastId',
    'count',
  ];
  const withType = (query: URLSearchParams, row: Record<string, unknown>) => {
    const type = query.get('type') ?? 'FULL';
    if (type !== 'FULL' && type !== 'MINI')
      throw binanceError(REST_ERRORS.invalidParameter, "Data sent for parameter 'type' is not valid.");
    return type === 'FULL' ? row : Object.fromEntries(miniFields.map((name) => [name, row[name]]));
  };

  const tradeRows = (query: URLSearchParams, fromId: number | undefined) => {
    const index = requiredSymbol(query);
    return JSON.stringify(
      tape.recentTrades(index, listLimit(query), fromId).map((trade) => ({
        id: trade.id,
        price: price(index, trade.price),
        qty: quantity(index, trade.quantity),
        quoteQty: quote(index, trade.price * trade.quantity),
        time: trade.time,
        isBuyerMaker: trade.buyerIsMaker,
        isBestMatch: true,
      })),
    );
  };

  /** Klines of an interval from the one-minute candles (and `1s` from the recent trades). */
  const klines = (query: URLSearchParams): string => {
    const index = requiredSymbol(query);
    const interval = query.get('interval');
    if (interval === null || interval === '')
      throw binanceError(
        REST_ERRORS.mandatoryParameter,
        "Mandatory parameter 'interval' was not sent, was empty/null, or malformed.",
      );
    if (!(KLINE_INTERVALS as readonly string[]).includes(interval))
      throw binanceError(REST_ERRORS.invalidParameter, 'Invalid interval.');
    const startTime = numberParam(query, 'startTime');
    const endTime = numberParam(query, 'endTime');
    const limit = listLimit(query);
    const rows = new Map<number, number[]>();
    const add = (
      openTime: number,
      open: number,
      high: number,
      low: number,
      close: number,
      volume: number,
      quoteAmount: number,
      trades: number,
      buyVolume: number,
      buyQuote: number,
    ) => {
      const row = rows.get(openTime);
      if (row === undefined) {
        rows.set(openTime, [
          openTime,
          open,
          high,
          low,
          close,
          volume,
          quoteAmount,
          trades,
          buyVolume,
          buyQuote,
        ]);
        return;
      }
      row[2] = Math.max(row[2]!, high);
      row[3] = Math.min(row[3]!, low);
      row[4] = close;
      row[5]! += volume;
      row[6]! += quoteAmount;
      row[7]! += trades;
      row[8]! += buyVolume;
      row[9]! += buyQuote;
    };
    if (interval === '1s') {
      for (const trade of tape.recentTrades(index, MAX_LIST_LIMIT * 10)) {
        const amount = trade.price * trade.quantity;
        const buy = trade.buyerIsMaker ? 0 : 1;
        add(
          Math.floor(trade.time / 1_000) * 1_000,
          trade.price,
          trade.price,
          trade.price,
          trade.price,
          trade.quantity,
          amount,
          1,
          buy * trade.quantity,
          buy * amount,
        );
      }
    } else {
      for (const candle of tape.candles(index, 0, Number.MAX_SAFE_INTEGER)) {
        add(
          klineOpenTime(interval as KlineInterval, candle[CANDLE.openTime]!),
          candle[CANDLE.open]!,
          candle[CANDLE.high]!,
          candle[CANDLE.low]!,
          candle[CANDLE.close]!,
          candle[CANDLE.volume]!,
          candle[CANDLE.quote]!,
          candle[CANDLE.trades]!,
          candle[CANDLE.takerBuyVolume]!,
          candle[CANDLE.takerBuyQuote]!,
        );
      }
    }
    // The kline that contains startTime is the first one, as on Binance.
    let selected = [...rows.values()].filter(
      (row) =>
        (startTime === undefined || klineCloseTime(interval as KlineInterval, row[0]!) >= startTime) &&
        (endTime === undefined || row[0]! <= endTime),
    );
    selected = startTime === undefined ? selected.slice(-limit) : selected.slice(0, limit);
    return JSON.stringify(
      selected.map((row) => [
        row[0],
        price(index, row[1]!),
        price(index, row[2]!),
        price(index, row[3]!),
        price(index, row[4]!),
        quantity(index, row[5]!),
        klineCloseTime(interval as KlineInterval, row[0]!),
        quote(index, row[6]!),
        row[7],
        quantity(index, row[8]!),
        quote(index, row[9]!),
        '0',
      ]),
    );
  };

  return {
    'GET /api/v3/ping': () => '{}',
    'GET /api/v3/time': () => `{"serverTime":${Date.now()}}`,
    'GET /api/v3/depth': ({ query }) => {
      const symbol = query.get('symbol');
      if (symbol === null || symbol === '') {
        throw binanceError(
          REST_ERRORS.mandatoryParameter,
          "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
        );
      }
      const index = symbolParam(symbol);
      const limitText = query.get('limit');
      let limit = DEFAULT_DEPTH_LIMIT;
      if (limitText !== null) {
        if (!/^[0-9]{1,20}$/.test(limitText)) {
          throw binanceError(
            REST_ERRORS.illegalChars,
            "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
          );
        }
        limit = Number(limitText);
        if (limit < 1)
          throw binanceError(REST_ERRORS.invalidParameter, "Data sent for parameter 'limit' is not valid.");
        limit = Math.min(limit, MAX_DEPTH_LIMIT);
      }
      const book = market.book(index);
      const { priceScale, sizeScale } = market.symbols[index]!;
      return `{"lastUpdateId":${book.updateId},"bids":${levelsJson(book.prices[BID], book.quantities[BID], limit, priceScale, sizeScale)},"asks":${levelsJson(book.prices[ASK], book.quantities[ASK], limit, priceScale, sizeScale)}}`;
    },
    'GET /api/v3/exchangeInfo': ({ query }) => {
      const selected = selectedSymbols(query);
      if (selected === undefined) {
        allSymbolsJson ??= market.symbols.map(symbolInfoJson).join(',');
        return exchangeInfoJson(Date.now(), allSymbolsJson, limits);
      }
      return exchangeInfoJson(
        Date.now(),
        selected.map((index) => symbolInfoJson(market.symbols[index]!)).join(','),
        limits,
      );
    },
    'GET /api/v3/ticker/price': ({ query }) => {
      const price = (index: number) => {
        const symbol = market.symbols[index]!;
        return `{"symbol":"${symbol.symbol}","price":"${formatDecimal(market.lastPrice(index), symbol.priceScale)}"}`;
      };
      if (query.get('symbol') !== null && query.get('symbols') === null)
        return price(symbolParam(query.get('symbol')!));
      const selected = selectedSymbols(query) ?? market.symbols.map((_, index) => index);
      return `[${selected.map(price).join(',')}]`;
    },
    'GET /api/v3/trades': ({ query }) => tradeRows(query, undefined),
    'GET /api/v3/historicalTrades': ({ query }) => tradeRows(query, numberParam(query, 'fromId')),
    'GET /api/v3/aggTrades': ({ query }) => {
      const index = requiredSymbol(query);
      const startTime = numberParam(query, 'startTime');
      const endTime = numberParam(query, 'endTime');
      const trades = tape
        .recentTrades(index, MAX_LIST_LIMIT * 10, numberParam(query, 'fromId'))
        .filter(
          (trade) =>
            (startTime === undefined || trade.time >= startTime) &&
            (endTime === undefined || trade.time <= endTime),
        );
      const limit = listLimit(query);
      // Each simulated taker order fills at one price: one trade per aggregate, as the aggTrade stream sends.
      const chosen =
        query.has('fromId') || startTime !== undefined ? trades.slice(0, limit) : trades.slice(-limit);
      return JSON.stringify(
        chosen.map((trade) => ({
          a: trade.id,
          p: price(index, trade.price),
          q: quantity(index, trade.quantity),
          f: trade.id,
          l: trade.id,
          T: trade.time,
          m: trade.buyerIsMaker,
          M: true,
        })),
      );
    },
    'GET /api/v3/klines': ({ query }) => klines(query),
    'GET /api/v3/uiKlines': ({ query }) => klines(query),
    'GET /api/v3/avgPrice': ({ query }) => {
      const index = requiredSymbol(query);
      const now = Date.now();
      return JSON.stringify({
        mins: AVERAGE_PRICE_MINUTES,
        price: market.averagePrice(index, now),
        closeTime: tape.lastTradeTime(index) || now,
      });
    },
    'GET /api/v3/ticker/24hr': ({ query }) => {
      const now = Date.now();
      const from = now - DAY_MS;
      return perSymbol(query, (index) => {
        const row = windowTicker(index, tape.window(index, from), from, now);
        const touch = market.touchOf(index);
        const lastTrade = tape.recentTrades(index, 1)[0];
        const full = {
          symbol: row.symbol,
          priceChange: row.priceChange,
          priceChangePercent: row.priceChangePercent,
          weightedAvgPrice: row.weightedAvgPrice,
          prevClosePrice: row.openPrice,
          lastPrice: row.lastPrice,
          lastQty: quantity(index, lastTrade?.quantity ?? 0),
          bidPrice: price(index, touch.bidPrice),
          bidQty: quantity(index, touch.bidSize),
          askPrice: price(index, touch.askPrice),
          askQty: quantity(index, touch.askSize),
          openPrice: row.openPrice,
          highPrice: row.highPrice,
          lowPrice: row.lowPrice,
          volume: row.volume,
          quoteVolume: row.quoteVolume,
          openTime: row.openTime,
          closeTime: row.closeTime,
          firstId: row.firstId,
          lastId: row.lastId,
          count: row.count,
        };
        return withType(query, full);
      });
    },
    'GET /api/v3/ticker/tradingDay': ({ query }) => {
      const now = Date.now();
      const from = Math.floor(now / DAY_MS) * DAY_MS;
      return perSymbol(
        query,
        (index) => withType(query, windowTicker(index, tape.window(index, from), from, now)),
        false,
      );
    },
    'GET /api/v3/ticker': ({ query }) => {
      const text = query.get('windowSize') ?? '1d';
      const match = WINDOW_SIZE.exec(text);
      const amount = match === null ? 0 : Number(match[1]);
      const unit = match?.[2];
      const valid =
        (unit === 'm' && amount <= 59) || (unit === 'h' && amount <= 23) || (unit === 'd' && amount <= 7);
      if (!valid) throw binanceError(REST_ERRORS.invalidParameter, 'Invalid windowSize.');
      const windowMs = amount * (unit === 'm' ? MINUTE_MS : unit === 'h' ? 60 * MINUTE_MS : DAY_MS);
      const now = Date.now();
      const from = now - windowMs;
      return perSymbol(
        query,
        (index) => withType(query, windowTicker(index, tape.window(index, from), from, now)),
        false,
      );
    },
    'GET /api/v3/ticker/bookTicker': ({ query }) =>
      perSymbol(query, (index) => {
        const touch = market.touchOf(index);
        return {
          symbol: market.symbols[index]!.symbol,
          bidPrice: price(index, touch.bidPrice),
          bidQty: quantity(index, touch.bidSize),
          askPrice: price(index, touch.askPrice),
          askQty: quantity(index, touch.askSize),
        };
      }),
  };
}
