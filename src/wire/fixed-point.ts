import { TickwireError } from '../errors.ts';
import { MAX_SCALE } from './layout.ts';

/**
 * Prices and sizes travel as integers (mantissas) with a per-symbol count of decimals (the scale):
 * 67123.45 at scale 8 is 6712345000000. Binance sends decimals as strings for the same reason:
 * a double cannot hold 0.1 exactly, an integer mantissa can. Every conversion here is exact or
 * throws; nothing rounds silently.
 */

/** 10^0 .. 10^15; all exact doubles. */
export const POW10: readonly number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MINUS = 45;
const POINT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * The mantissa of a decimal string at `scale` decimals: parseDecimal('67123.45', 2) === 6712345.
 * Accepts an optional leading '-', digits, and an optional '.' followed by digits; decimals past
 * `scale` are accepted only when they are zeros ('1.50000000' at scale 2). Scans char codes, so
 * it allocates nothing on success. `field` only names the value in error messages.
 */
export function parseDecimal(text: string, scale: number, field = 'value'): number {
  checkScale(scale, field);
  const length = text.length;
  let i = 0;
  let negative = false;
  if (length > 0 && text.charCodeAt(0) === MINUS) {
    negative = true;
    i = 1;
  }
  let mantissa = 0;
  let integerDigits = 0;
  let fractionDigits = 0;
  let keptDecimals = 0;
  let sawPoint = false;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      const digit = code - ZERO;
      if (!sawPoint) {
        integerDigits++;
        mantissa = mantissa * 10 + digit;
      } else {
        fractionDigits++;
        if (keptDecimals < scale) {
          keptDecimals++;
          mantissa = mantissa * 10 + digit;
        } else if (digit !== 0) {
          throw new TickwireError(
            'WIRE_PRECISION',
            `${field} ${quote(text)} has more than ${scale} decimal${scale === 1 ? '' : 's'}`,
          );
        }
      }
      // Past 2^53 the sum may round, but never down to a safe value, so this test is exact.
      if (mantissa > MAX_SAFE) throw overflow(field, text, scale);
    } else if (code === POINT && !sawPoint) {
      sawPoint = true;
    } else {
      throw malformed(field, text);
    }
  }
  if (integerDigits === 0 || (sawPoint && fractionDigits === 0)) throw malformed(field, text);
  if (keptDecimals < scale) {
    mantissa *= POW10[scale - keptDecimals]!;
    if (mantissa > MAX_SAFE) throw overflow(field, text, scale);
  }
  // `-0` would leak a negative zero into comparisons and JSON.
  return negative && mantissa !== 0 ? -mantissa : mantissa;
}

/** The exact decimal string of `mantissa` at `scale`, always with `scale` decimals: (1, 8) -> '0.00000001'. */
export function formatDecimal(mantissa: number, scale: number): string {
  checkScale(scale, 'scale');
  checkSafe(mantissa, 'mantissa');
  const digits = String(Math.abs(mantissa)).padStart(scale + 1, '0');
  const sign = mantissa < 0 ? '-' : '';
  if (scale === 0) return sign + digits;
  const point = digits.length - scale;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * The mantissa of a double at `scale`: toFixedPoint(0.1, 1) === 1. Throws WIRE_PRECISION unless
 * the mantissa converts back to exactly the same double, so 0.123 at scale 2 is refused rather
 * than rounded to 0.12.
 */
export function toFixedPoint(value: number, scale: number, field = 'value'): number {
  checkScale(scale, field);
  if (!Number.isFinite(value)) {
    throw new TickwireError('WIRE_OVERFLOW', `${field} ${value} is not a finite number`);
  }
  const power = POW10[scale]!;
  const mantissa = Math.round(value * power);
  if (!Number.isSafeInteger(mantissa)) {
    throw new TickwireError(
      'WIRE_OVERFLOW',
      `${field} ${value} at scale ${scale} needs mantissa ${mantissa}, beyond ±(2^53-1)`,
    );
  }
  if (mantissa / power !== value) {
    throw new TickwireError(
      'WIRE_PRECISION',
      `${field} ${value} has more than ${scale} decimal${scale === 1 ? '' : 's'}`,
    );
  }
  return mantissa === 0 ? 0 : mantissa;
}

/** The double nearest to mantissa / 10^scale (exact when the decimal is representable). */
export function fromFixedPoint(mantissa: number, scale: number): number {
  checkScale(scale, 'scale');
  return mantissa / POW10[scale]!;
}

function checkScale(scale: number, field: string): void {
  if ((scale & MAX_SCALE) !== scale) {
    throw new TickwireError(
      'WIRE_OVERFLOW',
      `scale of ${field} is ${scale}; it must be an integer 0..${MAX_SCALE}`,
    );
  }
}

function checkSafe(value: number, field: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new TickwireError('WIRE_OVERFLOW', `${field} ${value} is not an integer within ±(2^53-1)`);
  }
}

function overflow(field: string, text: string, scale: number): TickwireError {
  return new TickwireError(
    'WIRE_OVERFLOW',
    `${field} ${quote(text)} at scale ${scale} needs a mantissa beyond ±(2^53-1)`,
  );
}

function malformed(field: string, text: string): TickwireError {
  return new TickwireError(
    'WIRE_BAD_DECIMAL',
    `${field} ${quote(text)} is not a decimal number (digits, an optional '.' and digits, an optional leading '-')`,
  );
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
