import type { SimulatedSymbol } from '../market/universe.ts';
import { stepWithEightDecimals } from '../market/decimal.ts';

/** Quote assets recognised at the end of a symbol name, longest first. */
const QUOTE_ASSETS = [
  'FDUSD',
  'USDT',
  'USDC',
  'TUSD',
  'BUSD',
  'EUR',
  'TRY',
  'BTC',
  'ETH',
  'BNB',
  'USD',
] as const;

/** Splits `BTCUSDT` into `BTC` and `USDT`; a name with no known quote asset keeps its last 3 letters as quote. */
export function splitAssets(symbol: string): { base: string; quote: string } {
  for (const quote of QUOTE_ASSETS) {
    if (symbol.length > quote.length && symbol.endsWith(quote)) {
      return { base: symbol.slice(0, -quote.length), quote };
    }
  }
  const cut = Math.max(1, symbol.length - 3);
  return { base: symbol.slice(0, cut), quote: symbol.slice(cut) };
}

const ORDER_TYPES =
  '["LIMIT","LIMIT_MAKER","MARKET","STOP_LOSS","STOP_LOSS_LIMIT","TAKE_PROFIT","TAKE_PROFIT_LIMIT"]';

/**
 * One entry of `exchangeInfo.symbols`, with the fields Binance documents; PRICE_FILTER's tickSize
 * and LOT_SIZE's stepSize follow the symbol's decimals (written with Binance's 8 decimals).
 */
export function symbolInfoJson(symbol: SimulatedSymbol): string {
  const { base, quote } = splitAssets(symbol.symbol);
  const tick = stepWithEightDecimals(symbol.priceScale);
  const step = stepWithEightDecimals(symbol.sizeScale);
  return (
    `{"symbol":"${symbol.symbol}","status":"TRADING","baseAsset":"${base}","baseAssetPrecision":8,` +
    `"quoteAsset":"${quote}","quotePrecision":8,"quoteAssetPrecision":8,"baseCommissionPrecision":8,` +
    `"quoteCommissionPrecision":8,"orderTypes":${ORDER_TYPES},"icebergAllowed":true,"ocoAllowed":true,` +
    `"otoAllowed":true,"quoteOrderQtyMarketAllowed":true,"allowTrailingStop":true,"cancelReplaceAllowed":true,` +
    `"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,"filters":[` +
    `{"filterType":"PRICE_FILTER","minPrice":"${tick}","maxPrice":"1000000.00000000","tickSize":"${tick}"},` +
    `{"filterType":"LOT_SIZE","minQty":"${step}","maxQty":"9000000.00000000","stepSize":"${step}"}],` +
    `"permissions":[],"permissionSets":[["SPOT"]],"defaultSelfTradePreventionMode":"EXPIRE_MAKER",` +
    `"allowedSelfTradePreventionModes":["EXPIRE_TAKER","EXPIRE_MAKER","EXPIRE_BOTH"]}`
  );
}

/** The whole `exchangeInfo` body for the given symbol entries (already JSON). */
export function exchangeInfoJson(serverTime: number, symbolEntries: string): string {
  return (
    `{"timezone":"UTC","serverTime":${serverTime},"rateLimits":[` +
    `{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},` +
    `{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":100},` +
    `{"rateLimitType":"RAW_REQUESTS","interval":"MINUTE","intervalNum":5,"limit":61000}],` +
    `"exchangeFilters":[],"symbols":[${symbolEntries}]}`
  );
}
