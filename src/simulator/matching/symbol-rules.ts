import { stepWithEightDecimals } from '../market/decimal.ts';
import { quoteUnits } from './amounts.ts';
import { rejections } from './rejection.ts';

/** What matching needs of a symbol: its assets and decimals. */
export interface SymbolSpec {
  readonly symbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly priceScale: number;
  readonly sizeScale: number;
}

/**
 * The filters every symbol has, as exchangeInfo lists them and the matching engine enforces them:
 * PRICE_FILTER (tick = one unit of priceScale), LOT_SIZE (step = one unit of sizeScale), NOTIONAL
 * (at least 1 quote unit, market orders checked at the last price) and MAX_NUM_ORDERS (open orders
 * per account and symbol).
 */
export const SYMBOL_LIMITS = {
  maxPrice: 1_000_000,
  maxQty: 9_000_000,
  minNotional: 100_000_000n, // 1.00000000 quote
  maxNotional: 900_000_000_000_000n, // 9,000,000.00000000 quote
  maxNumOrders: 200,
} as const;

export function filtersJson(spec: Pick<SymbolSpec, 'priceScale' | 'sizeScale'>): string {
  const tick = stepWithEightDecimals(spec.priceScale);
  const step = stepWithEightDecimals(spec.sizeScale);
  return (
    `[{"filterType":"PRICE_FILTER","minPrice":"${tick}","maxPrice":"${SYMBOL_LIMITS.maxPrice}.00000000","tickSize":"${tick}"},` +
    `{"filterType":"LOT_SIZE","minQty":"${step}","maxQty":"${SYMBOL_LIMITS.maxQty}.00000000","stepSize":"${step}"},` +
    `{"filterType":"NOTIONAL","minNotional":"1.00000000","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":0},` +
    `{"filterType":"MAX_NUM_ORDERS","maxNumOrders":${SYMBOL_LIMITS.maxNumOrders}}]`
  );
}

/** PRICE_FILTER on a limit or stop price mantissa. */
export function checkPrice(spec: SymbolSpec, price: number): void {
  if (price < 1 || price > SYMBOL_LIMITS.maxPrice * 10 ** spec.priceScale)
    throw rejections.filterFailure('PRICE_FILTER');
}

/** LOT_SIZE on a quantity mantissa. */
export function checkQuantity(spec: SymbolSpec, quantity: number): void {
  if (quantity < 1 || quantity > SYMBOL_LIMITS.maxQty * 10 ** spec.sizeScale)
    throw rejections.filterFailure('LOT_SIZE');
}

/** NOTIONAL: price × quantity within the bounds (the maximum applies to limit orders only). */
export function checkNotional(spec: SymbolSpec, price: number, quantity: number, isMarket: boolean): void {
  const notional = quoteUnits(price, quantity, spec.priceScale, spec.sizeScale);
  if (notional < SYMBOL_LIMITS.minNotional || (!isMarket && notional > SYMBOL_LIMITS.maxNotional))
    throw rejections.filterFailure('NOTIONAL');
}
