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

// 2^32 = 4294 * 10^6 + 967,296, so hi * 2^32 + lo = hi * 4294 * 10^6 + (hi * 967,296 + lo).
const TWO_POW_32_MS = 4294;
const TWO_POW_32_REMAINDER_NS = 967_296;

/**
 * Whole milliseconds of the u64 (hi, lo). u = hi * 967,296 + lo < 2^32 * 967,297 ≈ 4.2e15 < 2^53
 * is exact; u / 10^6 < 2^32, where the double spacing is at most 2^-21 ≈ 4.8e-7, smaller than the
 * 10^-6 gap between a non-integer quotient and the next integer, so Math.floor is exact too.
 */
export function msOfHalves(hi: number, lo: number): number {
  return hi * TWO_POW_32_MS + Math.floor((hi * TWO_POW_32_REMAINDER_NS + lo) / NANOS_PER_MS);
}

/** Nanoseconds within the millisecond of the u64 (hi, lo); exact by the same bounds. */
export function nanosOfMsOfHalves(hi: number, lo: number): number {
  const u = hi * TWO_POW_32_REMAINDER_NS + lo;
  return u - Math.floor(u / NANOS_PER_MS) * NANOS_PER_MS;
}

/**
 * Stores ms * 10^6 + nanosOfMs as a little-endian u64 at words[at], words[at + 1]. With
 * ms = q * 2^32 + r: t = r * 10^6 + nanos < 2^32 * 10^6 + 10^6 < 2^53 is exact, and the u64 is
 * q * 10^6 * 2^32 + t, so lo = t mod 2^32 and hi = q * 10^6 + floor(t / 2^32). `>>> 0` is an
 * exact mod 2^32 for integers below 2^53 (and, unlike `%` on a double, a single instruction).
 * Callers check the time with isTime first.
 */
export function storeTime(words: Uint32Array, at: number, ms: number, nanosOfMs: number): void {
  const r = ms >>> 0;
  const t = r * NANOS_PER_MS + nanosOfMs;
  const lo = t >>> 0;
  words[at] = lo;
  words[at + 1] = ((ms - r) / TWO_POW_32) * NANOS_PER_MS + (t - lo) / TWO_POW_32;
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
