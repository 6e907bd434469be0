import { TickwireError } from '../../errors.ts';
import type { SymbolRegistry, Venue } from '../../wire/index.ts';
import type { BinanceLotSizeFilter, BinancePriceFilter, BinanceSymbolInfo } from './binance-payloads.ts';

/** A symbol's price and size scales, from the filters of its exchangeInfo entry. */

/**
 * Decimals of a tick or step size: '0.01000000' → 2, '1.00000000' → 0, '10' → 0. Prices are
 * multiples of the tick size, so this many decimals hold every price exactly.
 */
export function decimalsOf(size: string): number {
  const point = size.indexOf('.');
  if (point < 0) return 0;
  let end = size.length;
  while (end > point + 1 && size.charCodeAt(end - 1) === 48) end--;
  return end - point - 1;
}

/** priceScale and sizeScale of one exchangeInfo symbol, from PRICE_FILTER.tickSize and LOT_SIZE.stepSize. */
export function scalesOf(info: BinanceSymbolInfo): { priceScale: number; sizeScale: number } {
  let tickSize: string | undefined;
  let stepSize: string | undefined;
  for (const filter of info.filters) {
    if (filter.filterType === 'PRICE_FILTER') tickSize = (filter as BinancePriceFilter).tickSize;
    else if (filter.filterType === 'LOT_SIZE') stepSize = (filter as BinanceLotSizeFilter).stepSize;
  }
  if (typeof tickSize !== 'string' || typeof stepSize !== 'string') {
    throw new TickwireError(
      'FEED_BAD_PAYLOAD',
      `exchangeInfo symbol ${info.symbol} lacks PRICE_FILTER.tickSize or LOT_SIZE.stepSize`,
    );
  }
  return { priceScale: decimalsOf(tickSize), sizeScale: decimalsOf(stepSize) };
}

/** Registers one exchangeInfo symbol under `venue` with the scales its filters give. */
export function registerSymbol(
  registry: SymbolRegistry,
  venue: Venue,
  info: BinanceSymbolInfo,
): { id: number; priceScale: number; sizeScale: number } {
  const scales = scalesOf(info);
  const id = registry.register(venue, info.symbol, scales);
  return { id, ...scales };
}
