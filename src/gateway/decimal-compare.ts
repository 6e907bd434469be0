/**
 * Exact comparison of a filter's decimal value (a JSON number or a decimal string such as
 * "67000.25") against the three ways a field can carry a number:
 *
 * - a tick's fixed-point mantissa at a scale (67123.45 at scale 2 is 6712345),
 * - a decimal string (the JSON view of a tick: "67123.45000000"),
 * - a JSON number (a double).
 *
 * Everything costly (BigInt arithmetic, string building) happens once, when the filter is
 * compiled; the per-message methods only compare numbers and char codes and allocate nothing.
 * Every comparison returns -1, 0 or 1 for field <, =, > value, or NaN when the field holds no
 * number, so `c > 0`, `c === 0`, ... are false for a missing field without a separate check.
 */

/** The largest scale a tick field can have: the wire keeps the scale in 4 bits. */
export const MAX_FIELD_SCALE = 15;

const MINUS = 45;
const POINT = 46;
const ZERO = 48;
const NINE = 57;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** 2^53 and -2^53: exact doubles just outside the safe range, so no safe mantissa ever equals them. */
const ABOVE_SAFE = 2 ** 53;
const BELOW_SAFE = -(2 ** 53);

/** The decimal string grammar, shared with the wire: an optional '-', digits, an optional '.' and digits. */
const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;
/** What String(n) prints for a finite number: '123', '-1.5', '1e+21', '1.5e-7'. */
const NUMBER_TEXT = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

export function isDecimalText(text: string): boolean {
  return DECIMAL_TEXT.test(text);
}

/** value = coefficient * 10^exponent, exactly. */
interface DecimalParts {
  readonly coefficient: bigint;
  readonly exponent: number;
}

function partsOf(sign: string, integer: string, fraction: string, exponent: number): DecimalParts {
  return { coefficient: BigInt(`${sign}${integer}${fraction}`), exponent: exponent - fraction.length };
}

function partsOfNumber(value: number): DecimalParts {
  const match = NUMBER_TEXT.exec(String(value));
  if (!match) throw new RangeError(`not a finite number: ${value}`);
  const [, sign = '', integer = '0', fraction = '', exponent = '0'] = match;
  return partsOf(sign, integer, fraction, Number(exponent));
}

function compareParts(a: DecimalParts, b: DecimalParts): -1 | 0 | 1 {
  const exponent = Math.min(a.exponent, b.exponent);
  const left = a.coefficient * 10n ** BigInt(a.exponent - exponent);
  const right = b.coefficient * 10n ** BigInt(b.exponent - exponent);
  return left < right ? -1 : left > right ? 1 : 0;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

/** A filter value, compiled for exact comparison. Build with `fromText` or `fromNumber`. */
export class ExactDecimal {
  /** Canonical form: no '+', no leading zeros, no trailing fraction zeros, '0' for zero. */
  readonly text: string;
  /** -1, 0 or 1. */
  readonly #sign: number;
  /** Digits before the point without leading zeros ('' for a value below 1). */
  readonly #integerDigits: string;
  /** Digits after the point without trailing zeros. */
  readonly #fractionDigits: string;
  /** Per scale s: floor(value * 10^s), clamped to ±2^53; and whether that floor is the value exactly. */
  readonly #floors = new Float64Array(MAX_FIELD_SCALE + 1);
  readonly #exact = new Uint8Array(MAX_FIELD_SCALE + 1);
  /** The double nearest the value, and sign(shortestDecimal(nearest) - value). */
  readonly #nearest: number;
  readonly #atNearest: number;

  /** The value of a decimal string ('-12.50'), or undefined when it is not one. */
  static fromText(text: string): ExactDecimal | undefined {
    if (!DECIMAL_TEXT.test(text)) return undefined;
    const negative = text.charCodeAt(0) === MINUS;
    const body = negative ? text.slice(1) : text;
    const point = body.indexOf('.');
    const integer = point < 0 ? body : body.slice(0, point);
    const fraction = point < 0 ? '' : body.slice(point + 1);
    return new ExactDecimal(partsOf(negative ? '-' : '', integer, fraction, 0));
  }

  /**
   * The decimal a finite number stands for: the shortest decimal that reads back as the same
   * double (what String(n) prints), so 0.1 means exactly 1/10, as the JSON text "0.1" did.
   */
  static fromNumber(value: number): ExactDecimal {
    return new ExactDecimal(partsOfNumber(value));
  }

  private constructor(parts: DecimalParts) {
    let { coefficient, exponent } = parts;
    while (coefficient !== 0n && coefficient % 10n === 0n) {
      coefficient /= 10n;
      exponent++;
    }
    if (coefficient === 0n) exponent = 0;

    const negative = coefficient < 0n;
    this.#sign = coefficient === 0n ? 0 : negative ? -1 : 1;
    const digits = (negative ? -coefficient : coefficient).toString();
    if (coefficient === 0n) {
      this.#integerDigits = '';
      this.#fractionDigits = '';
    } else if (exponent >= 0) {
      this.#integerDigits = digits + '0'.repeat(exponent);
      this.#fractionDigits = '';
    } else {
      const decimals = -exponent;
      const padded = digits.padStart(decimals + 1, '0');
      this.#integerDigits = padded.slice(0, padded.length - decimals).replace(/^0+/, '');
      this.#fractionDigits = padded.slice(padded.length - decimals);
    }
    this.text = `${negative ? '-' : ''}${this.#integerDigits || '0'}${this.#fractionDigits ? `.${this.#fractionDigits}` : ''}`;

    for (let scale = 0; scale <= MAX_FIELD_SCALE; scale++) {
      const shift = exponent + scale;
      let floor: bigint;
      let exact: boolean;
      if (shift >= 0) {
        floor = coefficient * 10n ** BigInt(shift);
        exact = true;
      } else {
        const divisor = 10n ** BigInt(-shift);
        // BigInt division truncates toward zero; floor needs one less for an inexact negative.
        floor = coefficient / divisor;
        exact = coefficient % divisor === 0n;
        if (!exact && negative) floor -= 1n;
      }
      // Mantissas are safe integers, so a floor past ±(2^53 - 1) puts the value beyond every
      // mantissa at this scale: clamping it to ±2^53 (marked inexact) keeps compareMantissa's
      // answer right ("always less" above, "always greater" below) and never equal.
      if (floor > SAFE) {
        this.#floors[scale] = ABOVE_SAFE;
        this.#exact[scale] = 0;
      } else if (floor < -SAFE) {
        this.#floors[scale] = BELOW_SAFE;
        this.#exact[scale] = 0;
      } else {
        this.#floors[scale] = Number(floor);
        this.#exact[scale] = exact ? 1 : 0;
      }
    }

    this.#nearest = Number(this.text);
    // An infinite nearest (a value past Number.MAX_VALUE) is never equal to a finite field, so
    // the tie-breaker is never read.
    this.#atNearest = Number.isFinite(this.#nearest)
      ? compareParts(partsOfNumber(this.#nearest), { coefficient, exponent })
      : 0;
  }

  /**
   * A fixed-point field (mantissa at `scale` decimals) against this value. With f = floor(v*10^s)
   * and e = (f is exactly v*10^s), for an integer x:
   *   x > f  implies x >= f + 1 > v*10^s              -> field greater;
   *   x < f  implies x < f <= v*10^s                  -> field less;
   *   x = f  is equal when e, and less otherwise (f < v*10^s when inexact).
   * So gt is x > f; gte is e ? x >= f : x > f; lt is e ? x < f : x <= f; lte is x <= f; eq is
   * e && x === f. `mantissa` must be a safe integer (the wire guarantees it); a scale outside
   * 0..15 reads as no number.
   */
  compareMantissa(mantissa: number, scale: number): number {
    const floor = this.#floors[scale];
    if (floor === undefined) return Number.NaN;
    if (mantissa > floor) return 1;
    if (mantissa < floor) return -1;
    return this.#exact[scale] === 1 ? 0 : -1;
  }

  /** The mantissa equal to this value at `scale`, or undefined when the value needs more decimals. */
  mantissaAt(scale: number): number | undefined {
    return this.#exact[scale] === 1 ? this.#floors[scale] : undefined;
  }

  /**
   * A JSON number against this value, reading the number as the shortest decimal that round-trips
   * to it (so a payload 0.1 equals a filter "0.1"). Rounding to the nearest double is monotonic, so
   * a field x below or above the value's nearest double D is below or above the value itself; only
   * x === D needs the precomputed tie-breaker sign(shortestDecimal(D) - value). Non-finite: no number.
   */
  compareDouble(value: number): number {
    if (!Number.isFinite(value)) return Number.NaN;
    if (value < this.#nearest) return -1;
    if (value > this.#nearest) return 1;
    return this.#atNearest;
  }

  /** A decimal string field against this value by its numeric value ('1.50' equals '1.5'); other text: no number. */
  compareText(text: string): number {
    const length = text.length;
    let i = 0;
    const negative = length > 0 && text.charCodeAt(0) === MINUS;
    if (negative) i = 1;
    const integerStart = i;
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    const integerEnd = i;
    if (integerEnd === integerStart) return Number.NaN;
    let fractionStart = i;
    if (i < length) {
      if (text.charCodeAt(i) !== POINT) return Number.NaN;
      i++;
      fractionStart = i;
      while (i < length && isDigit(text.charCodeAt(i))) i++;
      if (i === fractionStart || i !== length) return Number.NaN;
    }
    const fractionEnd = i;

    let significantStart = integerStart;
    while (significantStart < integerEnd && text.charCodeAt(significantStart) === ZERO) significantStart++;
    let significantEnd = fractionEnd;
    while (significantEnd > fractionStart && text.charCodeAt(significantEnd - 1) === ZERO) significantEnd--;

    const isZero = significantStart === integerEnd && significantEnd === fractionStart;
    const sign = isZero ? 0 : negative ? -1 : 1;
    if (sign !== this.#sign) return sign < this.#sign ? -1 : 1;
    if (sign === 0) return 0;
    const magnitude = this.#compareMagnitude(
      text,
      significantStart,
      integerEnd,
      fractionStart,
      significantEnd,
    );
    return negative ? -magnitude : magnitude;
  }

  #compareMagnitude(
    text: string,
    integerStart: number,
    integerEnd: number,
    fractionStart: number,
    fractionEnd: number,
  ): number {
    const integerDigits = this.#integerDigits;
    const integerLength = integerEnd - integerStart;
    if (integerLength !== integerDigits.length) return integerLength < integerDigits.length ? -1 : 1;
    for (let j = 0; j < integerLength; j++) {
      const difference = text.charCodeAt(integerStart + j) - integerDigits.charCodeAt(j);
      if (difference !== 0) return difference < 0 ? -1 : 1;
    }
    const fractionDigits = this.#fractionDigits;
    const fractionLength = fractionEnd - fractionStart;
    const common = Math.min(fractionLength, fractionDigits.length);
    for (let j = 0; j < common; j++) {
      const difference = text.charCodeAt(fractionStart + j) - fractionDigits.charCodeAt(j);
      if (difference !== 0) return difference < 0 ? -1 : 1;
    }
    // Both fractions end in a non-zero digit, so the longer one is the larger.
    return fractionLength === fractionDigits.length ? 0 : fractionLength < fractionDigits.length ? -1 : 1;
  }
}
