/**
 * Integer mantissas to the decimal strings Binance sends ("97000.15", "0.00012"). On the hot path
 * (every trade and book level of every payload), so string slicing, no Number formatting.
 */

const ZEROS = '000000000000000000';

/** `mantissa` / 10^scale with exactly `scale` decimals; mantissa is a non-negative integer. */
export function formatDecimal(mantissa: number, scale: number): string {
  const digits = String(mantissa);
  if (scale === 0) return digits;
  if (digits.length > scale)
    return `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return `0.${ZEROS.slice(0, scale - digits.length)}${digits}`;
}

/** One step at `scale`, written with Binance's 8 decimals (tickSize "0.01000000"). */
export function stepWithEightDecimals(scale: number): string {
  if (scale === 0) return '1.00000000';
  return `0.${ZEROS.slice(0, scale - 1)}1${ZEROS.slice(0, 8 - scale)}`;
}

/** A real number with 8 decimals (quote volumes, maximum prices in filters). */
export function eightDecimals(value: number): string {
  return value.toFixed(8);
}
