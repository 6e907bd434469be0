import { TickwireError } from '../errors.ts';

/**
 * Wire timestamps are u64 nanoseconds since the Unix epoch. That does not fit a double (2026 is
 * about 1.8e18 ns, past 2^53 ≈ 9.0e15), so the hot path carries a time as two exact numbers:
 * whole milliseconds (a safe integer until the year 287,396) and nanoseconds within that
 * millisecond (0..999,999). The conversions to and from the two u32 halves of the u64 are
 * integer-exact in double arithmetic; the comments give the bounds that make them so.
 */

export const TWO_POW_32 = 2 ** 32;
export const NANOS_PER_MS = 1_000_000;
export const MAX_NANOS_OF_MS = NANOS_PER_MS - 1;
/** 2^64 - 1 ns = 18,446,744,073,709 ms + 551,615 ns: the last representable instant. */
export const MAX_TIME_MS = 18_446_744_073_709;
export const MAX_NANOS_OF_LAST_MS = 551_615;

// The per-tick functions below read these private copies, never the exported constants above:
// V8 compiles a module's own unexported `const` into optimized code as a constant, but reads an
// exported one through its module cell (a load and a check on every use).
const NANOS = 1_000_000;
// 2^32 = 4294 * 10^6 + 967,296, so hi * 2^32 + lo = hi * 4294 * 10^6 + (hi * 967,296 + lo).
const TWO_POW_32_MS = 4294;
const TWO_POW_32_REMAINDER_NS = 967_296;

/**
 * Whole milliseconds of the u64 (hi, lo). u = hi * 967,296 + lo < 2^32 * 967,297 ≈ 4.2e15 < 2^53
 * is exact; u / 10^6 < 2^32, where the double spacing is at most 2^-21 ≈ 4.8e-7, smaller than the
 * 10^-6 gap between a non-integer quotient and the next integer, so Math.floor is exact too.
 */
export function msOfHalves(hi: number, lo: number): number {
  return hi * TWO_POW_32_MS + Math.floor((hi * TWO_POW_32_REMAINDER_NS + lo) / NANOS);
}

/** Nanoseconds within the millisecond of the u64 (hi, lo); exact by the same bounds. */
export function nanosOfMsOfHalves(hi: number, lo: number): number {
  const u = hi * TWO_POW_32_REMAINDER_NS + lo;
  return u - Math.floor(u / NANOS) * NANOS;
}

/**
 * Stores two times (a tick's exchange and receive time), each ms * 10^6 + nanosOfMs as a
 * little-endian u64, at words[at..at+3] and returns true; or, unless both are times a u64 can
 * hold (isTime), stores nothing and returns false. The writers call it last in their checks.
 *
 * With ms = q * 2^32 + r (r = ms >>> 0, an exact mod 2^32 for an integer ms): t = r * 10^6 +
 * nanos < 2^32 * 10^6 + 10^6 < 2^53 is exact, the u64 is q * 10^6 * 2^32 + t, so lo = t mod 2^32
 * (the Uint32Array store takes t mod 2^32 by itself) and hi = ((ms - r) * 10^6 + (t - lo)) / 2^32:
 * both terms are 2^32 times an integer below 2^53 (q * 10^6 and floor(t / 2^32)) while |ms| <
 * 2^53, and so is their sum, so the sum and the division are exact.
 *
 * That makes the checks cheap. Once ms is an integer and nanos an integer 0..999,999, hi is an
 * exact integer, at least 2^32 exactly when the time is past 2^64 - 1 ns and negative exactly when
 * ms is, so 0 <= hi < 2^32 is the whole range check: one pair of comparisons where isTime needs
 * four tests. An integer ms of 2^53 or more (or -2^53 or less), where the arithmetic stops being
 * exact, still gives q >= 2^21 (or q < -2^21) and so a hi far outside 0..2^32, and Infinity gives
 * an infinite or NaN hi: the integer test need not bound ms, and Math.trunc(ms) === ms (false for
 * NaN and for anything that is not a number) is cheaper than Number.isSafeInteger.
 */
export function storeTimes(
  words: Uint32Array,
  at: number,
  ms0: number,
  nanos0: number,
  ms1: number,
  nanos1: number,
): boolean {
  // Locals, so each use below is a register read (see docs/WIRE.md, "Performance").
  const nanos = NANOS;
  const trunc = Math.trunc;
  const r0 = ms0 >>> 0;
  const t0 = r0 * nanos + nanos0;
  const hi0 = ((ms0 - r0) * nanos + (t0 - (t0 >>> 0))) / 2 ** 32;
  const r1 = ms1 >>> 0;
  const t1 = r1 * nanos + nanos1;
  const hi1 = ((ms1 - r1) * nanos + (t1 - (t1 >>> 0))) / 2 ** 32;
  // (x | 0) === x rather than x >>> 0 === x: V8 drops it for a value it knows is an int32.
  if (!(
    trunc(ms0) === ms0 &&
    (nanos0 | 0) === nanos0 &&
    nanos0 >= 0 &&
    nanos0 < nanos &&
    hi0 >= 0 &&
    hi0 < 2 ** 32 &&
    trunc(ms1) === ms1 &&
    (nanos1 | 0) === nanos1 &&
    nanos1 >= 0 &&
    nanos1 < nanos &&
    hi1 >= 0 &&
    hi1 < 2 ** 32
  )) {
    return false;
  }
  words[at] = t0;
  words[at + 1] = hi0;
  words[at + 2] = t1;
  words[at + 3] = hi1;
  return true;
}

/** True when (ms, nanosOfMs) is a time the u64 can hold: 0 .. 2^64-1 ns, integers, nanos < 10^6. */
export function isTime(ms: number, nanosOfMs: number): boolean {
  return (
    Number.isSafeInteger(ms) &&
    ms >= 0 &&
    nanosOfMs >>> 0 === nanosOfMs &&
    nanosOfMs <= MAX_NANOS_OF_MS &&
    (ms < MAX_TIME_MS || (ms === MAX_TIME_MS && nanosOfMs <= MAX_NANOS_OF_LAST_MS))
  );
}

/** Throws WIRE_OVERFLOW naming `field` unless isTime(ms, nanosOfMs). */
export function checkTime(field: string, ms: number, nanosOfMs: number): void {
  if (isTime(ms, nanosOfMs)) return;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new TickwireError(
      'WIRE_OVERFLOW',
      `${field} milliseconds ${ms} is not an integer 0..${MAX_TIME_MS}`,
    );
  }
  if (nanosOfMs >>> 0 !== nanosOfMs || nanosOfMs > MAX_NANOS_OF_MS) {
    throw new TickwireError(
      'WIRE_OVERFLOW',
      `${field} nanoseconds-of-millisecond ${nanosOfMs} is not an integer 0..${MAX_NANOS_OF_MS}`,
    );
  }
  throw new TickwireError(
    'WIRE_OVERFLOW',
    `${field} ${ms} ms + ${nanosOfMs} ns is past 2^64-1 ns (${MAX_TIME_MS} ms + ${MAX_NANOS_OF_LAST_MS} ns)`,
  );
}

// BigInt conveniences: each call allocates, so keep them off the per-tick path.

const MAX_U64 = (1n << 64n) - 1n;
const NANOS_PER_MS_BIG = 1_000_000n;

/** ms * 10^6 + nanosOfMs as a bigint. Allocates. */
export function timeNs(ms: number, nanosOfMs: number, field = 'time'): bigint {
  checkTime(field, ms, nanosOfMs);
  return BigInt(ms) * NANOS_PER_MS_BIG + BigInt(nanosOfMs);
}

/** Whole milliseconds of a u64 ns time. Allocates. */
export function msOfTimeNs(ns: bigint, field = 'time'): number {
  checkTimeNs(field, ns);
  return Number(ns / NANOS_PER_MS_BIG);
}

/** Nanoseconds within the millisecond of a u64 ns time. Allocates. */
export function nanosOfMsOfTimeNs(ns: bigint, field = 'time'): number {
  checkTimeNs(field, ns);
  return Number(ns % NANOS_PER_MS_BIG);
}

export function checkTimeNs(field: string, ns: bigint): void {
  if (typeof ns !== 'bigint' || ns < 0n || ns > MAX_U64) {
    throw new TickwireError('WIRE_OVERFLOW', `${field} ${String(ns)} ns is not a bigint 0..2^64-1`);
  }
}
