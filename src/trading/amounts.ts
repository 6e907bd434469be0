/**
 * Amounts in trading: exact integers of 10^-8 (Binance's 8 decimals) as bigint, parsed from and
 * written as the exchange's decimal strings, so positions and P&L add up to the unit however many
 * fills they sum.
 */

const DECIMALS = 8;
const SCALE = 10n ** BigInt(DECIMALS);
const DECIMAL = /^(-?)(\d{1,20})(?:\.(\d{1,20}))?$/;

/** Exactly 8 decimals, as Binance writes every amount: the common case, one test and one BigInt. */
const EIGHT_DECIMALS = /^\d{1,20}\.\d{8}$/;

/** `"0.00100000"` as units of 10^-8; throws a RangeError for anything else or more than 8 decimals. */
export function units(text: string): bigint {
  // Every fill carries eight amounts: the exchange's own form skips the general parse below.
  if (EIGHT_DECIMALS.test(text)) return BigInt(text.slice(0, -9) + text.slice(-8));
  const match = DECIMAL.exec(text);
  if (match === null) throw new RangeError(`not a decimal amount: ${JSON.stringify(text)}`);
  const fraction = match[3] ?? '';
  if (/[1-9]/.test(fraction.slice(DECIMALS))) throw new RangeError(`more than ${DECIMALS} decimals: ${text}`);
  const value = BigInt(match[2]! + fraction.slice(0, DECIMALS).padEnd(DECIMALS, '0'));
  return match[1] === '-' ? -value : value;
}

/** Units of 10^-8 as an 8-decimal string. */
export function decimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(DECIMALS + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -DECIMALS)}.${digits.slice(-DECIMALS)}`;
}

/** price × quantity, both in units, as units (rounded toward zero, as a quote amount is written). */
export function multiply(price: bigint, quantity: bigint): bigint {
  return (price * quantity) / SCALE;
}

/** a ÷ b in units (rounded toward zero): an average price. */
export function divide(a: bigint, b: bigint): bigint {
  return b === 0n ? 0n : (a * SCALE) / b;
}
