import type { RateLimitSettings } from '../api/rate-limits.ts';
import type { SimulatedSymbol } from '../market/universe.ts';
import { DEFAULT_STP_MODE, STP_MODES } from '../matching/order.ts';
import { filtersJson } from '../matching/symbol-rules.ts';
import { knownQuoteSplit } from '../../wire/index.ts';

/** Splits `BTCUSDT` into `BTC` and `USDT`; a name with no known quote asset keeps its last 3 letters as quote. */
export function splitAssets(symbol: string): { base: string; quote: string } {
  const known = knownQuoteSplit(symbol);
  if (known !== undefined) return known;
  const cut = Math.max(1, symbol.length - 3);
  return { base: symbol.slice(0, cut), quote: symbol.slice(cut) };
}

const ORDER_TYPES =
  '["LIMIT","LIMIT_MAKER","MARKET","STOP_LOSS","STOP_LOSS_LIMIT","TAKE_PROFIT","TAKE_PROFIT_LIMIT"]';

/**
 * One entry of `exchangeInfo.symbols`, with the fields Binance documents and the filters the
 * matching engine enforces (matching/symbol-rules.ts). What the simulator does not offer
 * (iceberg, OTO order lists, trailing stops) is listed as not allowed.
 */
export function symbolInfoJson(symbol: SimulatedSymbol): string {
  const { base, quote } = splitAssets(symbol.symbol);
  return (
    `{"symbol":"${symbol.symbol}","status":"TRADING","baseAsset":"${base}","baseAssetPrecision":8,` +
    `"quoteAsset":"${quote}","quotePrecision":8,"quoteAssetPrecision":8,"baseCommissionPrecision":8,` +
    `"quoteCommissionPrecision":8,"orderTypes":${ORDER_TYPES},"icebergAllowed":false,"ocoAllowed":true,` +
    `"otoAllowed":false,"quoteOrderQtyMarketAllowed":true,"allowTrailingStop":false,"cancelReplaceAllowed":true,` +
    `"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,"filters":${filtersJson(symbol)},` +
    `"permissions":[],"permissionSets":[["SPOT"]],"defaultSelfTradePreventionMode":"${DEFAULT_STP_MODE}",` +
    `"allowedSelfTradePreventionModes":${JSON.stringify(STP_MODES)}}`
  );
}

/** The whole `exchangeInfo` body for the given symbol entries (already JSON). */
export function exchangeInfoJson(
  serverTime: number,
  symbolEntries: string,
  limits: RateLimitSettings,
): string {
  return (
    `{"timezone":"UTC","serverTime":${serverTime},"rateLimits":[` +
    `{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":${limits.requestWeightPerMinute}},` +
    `{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":${limits.ordersPer10Seconds}},` +
    `{"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000}],` +
    `"exchangeFilters":[],"symbols":[${symbolEntries}]}`
  );
}
