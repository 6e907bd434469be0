/**
 * Amounts on the simulated exchange. Prices and quantities are integer mantissas at the symbol's
 * `priceScale` and `sizeScale` (as the market model keeps them); balances, quote amounts and fees
 * are bigint counts of 10^-8 of an asset (Binance's 8 decimals), so no sum over any number of
 * fills loses a unit. A quote amount is price × quantity, exact when priceScale + sizeScale ≤ 8
 * (every generated symbol), else rounded half up to 8 decimals.
 */

import { formatDecimal } from '../market/decimal.ts';

export const ASSET_DECIMALS = 8;
const POW10 = Array.from({ length: 19 }, (_, exponent) => 10n ** BigInt(exponent));

/** A base quantity (mantissa at `sizeScale`) in units of 10^-8. */
export function baseUnits(quantity: number, sizeScale: number): bigint {
  return BigInt(quantity) * POW10[ASSET_DECIMALS - sizeScale]!;
}

/** price × quantity in quote units of 10^-8. */
export function quoteUnits(price: number, quantity: number, priceScale: number, sizeScale: number): bigint {
  const product = BigInt(price) * BigInt(quantity);
  const shift = ASSET_DECIMALS - priceScale - sizeScale;
  if (shift >= 0) return product * POW10[shift]!;
  const divisor = POW10[-shift]!;
  return (product + divisor / 2n) / divisor;
}

/** The largest quantity mantissa whose quote amount at `price` fits in `budget` units. */
export function quantityFor(budget: bigint, price: number, priceScale: number, sizeScale: number): number {
  if (price <= 0 || budget <= 0n) return 0;
  const shift = ASSET_DECIMALS - priceScale - sizeScale;
  const quantity =
    shift >= 0 ? budget / (BigInt(price) * POW10[shift]!) : (budget * POW10[-shift]!) / BigInt(price);
  let result = Number(quantity);
  // Rounding half up can make the found quantity cost one unit more than the budget.
  while (result > 0 && quoteUnits(price, result, priceScale, sizeScale) > budget) result--;
  return result;
}

const MAX_SAFE_UNITS = BigInt(Number.MAX_SAFE_INTEGER);

/** Units of 10^-8 as Binance writes an amount: `"12.34000000"`. */
export function formatUnits(units: bigint): string {
  // Most amounts fit a double exactly: string work on its digits is cheaper than on a bigint's.
  if (units >= 0n && units <= MAX_SAFE_UNITS) return formatDecimal(Number(units), ASSET_DECIMALS);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(ASSET_DECIMALS + 1, '0');
  const text = `${digits.slice(0, -ASSET_DECIMALS)}.${digits.slice(-ASSET_DECIMALS)}`;
  return negative ? `-${text}` : text;
}

const EIGHT_ZEROS = '00000000';

/**
 * A mantissa at `scale` (at most 8) written with 8 decimals, as Binance writes prices and
 * quantities in its answers: string work only, it runs several times per order answered.
 */
export function formatEight(mantissa: number, scale: number): string {
  const text = formatDecimal(mantissa, scale);
  return scale === 0 ? `${text}.${EIGHT_ZEROS}` : text + EIGHT_ZEROS.slice(scale);
}

const DECIMAL = /^(\d{1,20})(?:\.(\d{1,20}))?$/;

/**
 * A decimal parameter (`"0.00100000"`) as a mantissa at `scale`, or: `'syntax'` when it is not
 * a plain decimal, `'precision'` when it has non-zero digits past `scale` (a step or tick filter
 * failure), `'range'` when it does not fit a safe integer.
 */
export function parseMantissa(text: string, scale: number): number | 'syntax' | 'precision' | 'range' {
  const match = DECIMAL.exec(text);
  if (match === null) return 'syntax';
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(scale))) return 'precision';
  const value = Number(whole + fraction.slice(0, scale).padEnd(scale, '0'));
  return Number.isSafeInteger(value) ? value : 'range';
}

/** A decimal parameter as units of 10^-8 (quote amounts: `quoteOrderQty`). */
export function parseUnits(text: string): bigint | 'syntax' | 'precision' {
  const match = DECIMAL.exec(text);
  if (match === null) return 'syntax';
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(ASSET_DECIMALS))) return 'precision';
  return BigInt(match[1]! + fraction.slice(0, ASSET_DECIMALS).padEnd(ASSET_DECIMALS, '0'));
}
