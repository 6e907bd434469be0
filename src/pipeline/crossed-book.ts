/**
 * True when a quote's bid is at or above its ask. Both prices are mantissas at the symbol's one
 * price scale, so they compare directly. A side with no size (or no price) is an empty side, and a
 * one-sided book cannot be crossed.
 */
export function isCrossedQuote(
  bidPrice: number,
  bidSize: number,
  askPrice: number,
  askSize: number,
): boolean {
  return bidSize > 0 && askSize > 0 && bidPrice > 0 && askPrice > 0 && bidPrice >= askPrice;
}
