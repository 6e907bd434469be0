import { formatDecimal } from '../market/decimal.ts';
import type { TickerFigures } from './ticker-figures.ts';

/**
 * Binance Spot stream payloads, field for field as "WebSocket Streams for Binance" documents
 * them, built with string templates: JSON.stringify of an object per event costs several times
 * more, and every field here is a number, a boolean or a known-safe string (symbols are A-Z0-9).
 */

/** `<symbol>@trade`. `m`: the buyer was the maker, i.e. the seller was the aggressor. */
export function tradePayload(
  eventTime: number,
  symbol: string,
  tradeId: number,
  price: string,
  quantity: string,
  buyerIsMaker: boolean,
): string {
  return `{"e":"trade","E":${eventTime},"s":"${symbol}","t":${tradeId},"p":"${price}","q":"${quantity}","T":${eventTime},"m":${buyerIsMaker},"M":true}`;
}

/** `<symbol>@aggTrade`: each simulated taker order fills at one price, so first = last trade id. */
export function aggTradePayload(
  eventTime: number,
  symbol: string,
  aggregateId: number,
  price: string,
  quantity: string,
  tradeId: number,
  buyerIsMaker: boolean,
): string {
  return `{"e":"aggTrade","E":${eventTime},"s":"${symbol}","a":${aggregateId},"p":"${price}","q":"${quantity}","f":${tradeId},"l":${tradeId},"T":${eventTime},"m":${buyerIsMaker},"M":true}`;
}

/** `<symbol>@bookTicker` (no event type or time in spot's form). */
export function bookTickerPayload(
  updateId: number,
  symbol: string,
  bidPrice: string,
  bidQuantity: string,
  askPrice: string,
  askQuantity: string,
): string {
  return `{"u":${updateId},"s":"${symbol}","b":"${bidPrice}","B":"${bidQuantity}","a":"${askPrice}","A":"${askQuantity}"}`;
}

/** `[["price","qty"],…]` of the first `count` levels of parallel arrays. */
export function levelsJson(
  prices: readonly number[],
  quantities: readonly number[],
  count: number,
  priceScale: number,
  sizeScale: number,
): string {
  const n = Math.min(count, prices.length);
  if (n === 0) return '[]';
  let json = '[';
  for (let i = 0; i < n; i++) {
    if (i > 0) json += ',';
    json += `["${formatDecimal(prices[i]!, priceScale)}","${formatDecimal(quantities[i]!, sizeScale)}"]`;
  }
  return `${json}]`;
}

/** `[["price","qty"],…]` of changed levels (quantity 0 = removed), in insertion order. */
export function changedLevelsJson(
  levels: ReadonlyMap<number, number>,
  priceScale: number,
  sizeScale: number,
): string {
  if (levels.size === 0) return '[]';
  let json = '[';
  let first = true;
  for (const [price, quantity] of levels) {
    if (!first) json += ',';
    first = false;
    json += `["${formatDecimal(price, priceScale)}","${formatDecimal(quantity, sizeScale)}"]`;
  }
  return `${json}]`;
}

/** `<symbol>@depth<levels>[@100ms]`: no symbol in the payload (the stream name carries it). */
export function partialDepthPayload(lastUpdateId: number, bids: string, asks: string): string {
  return `{"lastUpdateId":${lastUpdateId},"bids":${bids},"asks":${asks}}`;
}

/** `<symbol>@depth[@100ms]` diff event. */
export function depthUpdatePayload(
  eventTime: number,
  symbol: string,
  firstUpdateId: number,
  finalUpdateId: number,
  bids: string,
  asks: string,
): string {
  return `{"e":"depthUpdate","E":${eventTime},"s":"${symbol}","U":${firstUpdateId},"u":${finalUpdateId},"b":${bids},"a":${asks}}`;
}

/** The fields of one kline, already formatted. */
export interface KlineFields {
  openTime: number;
  closeTime: number;
  interval: string;
  firstTradeId: number;
  lastTradeId: number;
  open: string;
  close: string;
  high: string;
  low: string;
  volume: string;
  trades: number;
  closed: boolean;
  quoteVolume: string;
  takerBuyVolume: string;
  takerBuyQuoteVolume: string;
}

/** `<symbol>@kline_<interval>`. */
export function klinePayload(eventTime: number, symbol: string, k: KlineFields): string {
  return `{"e":"kline","E":${eventTime},"s":"${symbol}","k":{"t":${k.openTime},"T":${k.closeTime},"s":"${symbol}","i":"${k.interval}","f":${k.firstTradeId},"L":${k.lastTradeId},"o":"${k.open}","c":"${k.close}","h":"${k.high}","l":"${k.low}","v":"${k.volume}","n":${k.trades},"x":${k.closed},"q":"${k.quoteVolume}","V":"${k.takerBuyVolume}","Q":"${k.takerBuyQuoteVolume}","B":"0"}}`;
}

/** `{"stream":"<name>","data":` — the combined-stream envelope is this, the payload and `}`. */
export function combinedPrefix(streamName: string): string {
  return `{"stream":"${streamName}","data":`;
}

/** `<symbol>@miniTicker` (and each element of `!miniTicker@arr`). */
export function miniTickerPayload(eventTime: number, symbol: string, f: TickerFigures): string {
  return `{"e":"24hrMiniTicker","E":${eventTime},"s":"${symbol}","c":"${f.last}","o":"${f.open}","h":"${f.high}","l":"${f.low}","v":"${f.volume}","q":"${f.quoteVolume}"}`;
}

/** What `@ticker` adds to the window figures: the last quantity and the top of book. */
export interface TickerExtras {
  lastQty: string;
  bid: string;
  bidQty: string;
  ask: string;
  askQty: string;
}

/** `<symbol>@ticker` (and each element of `!ticker@arr`): the 24-hour rolling window. */
export function tickerPayload(eventTime: number, symbol: string, f: TickerFigures, x: TickerExtras): string {
  return `{"e":"24hrTicker","E":${eventTime},"s":"${symbol}","p":"${f.priceChange}","P":"${f.priceChangePercent.toFixed(2)}","w":"${f.weightedAvgPrice}","x":"${f.open}","c":"${f.last}","Q":"${x.lastQty}","b":"${x.bid}","B":"${x.bidQty}","a":"${x.ask}","A":"${x.askQty}","o":"${f.open}","h":"${f.high}","l":"${f.low}","v":"${f.volume}","q":"${f.quoteVolume}","O":${f.openTime},"C":${f.closeTime},"F":${f.firstId},"L":${f.lastId},"n":${f.count}}`;
}

/** `<symbol>@ticker_<window>` (and each element of `!ticker_<window>@arr`). */
export function windowTickerPayload(
  eventTime: number,
  symbol: string,
  window: string,
  f: TickerFigures,
): string {
  return `{"e":"${window}Ticker","E":${eventTime},"s":"${symbol}","p":"${f.priceChange}","P":"${f.priceChangePercent.toFixed(2)}","o":"${f.open}","h":"${f.high}","l":"${f.low}","c":"${f.last}","w":"${f.weightedAvgPrice}","v":"${f.volume}","q":"${f.quoteVolume}","O":${f.openTime},"C":${f.closeTime},"F":${f.firstId},"L":${f.lastId},"n":${f.count}}`;
}

/** `<symbol>@avgPrice`: the average price of the last 5 minutes and the last trade's time. */
export function avgPricePayload(
  eventTime: number,
  symbol: string,
  price: string,
  lastTradeTime: number,
): string {
  return `{"e":"avgPrice","E":${eventTime},"s":"${symbol}","i":"5m","w":"${price}","T":${lastTradeTime}}`;
}
