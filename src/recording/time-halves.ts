import { TickwireError } from '../errors.ts';

/**
 * Recorded times are u64 nanoseconds, past 2^53, so the per-record paths carry them as two u32
 * halves (hi, lo) and compare those: exact, and without a BigInt per record. BigInt appears only
 * at the API edge (a `from` or `to` given by the caller), once per call.
 */

const TWO_POW_32 = 2 ** 32;
const MAX_U64 = (1n << 64n) - 1n;

/** A time as the two u32 halves of its u64 nanoseconds. */
export interface TimeHalves {
  readonly hi: number;
  readonly lo: number;
}

export const TIME_ZERO: TimeHalves = { hi: 0, lo: 0 };
export const TIME_MAX: TimeHalves = { hi: TWO_POW_32 - 1, lo: TWO_POW_32 - 1 };

export function halvesOfNs(ns: bigint, field: string): TimeHalves {
  if (typeof ns !== 'bigint' || ns < 0n || ns > MAX_U64) {
    throw new TickwireError('BAD_CONFIG', `${field} ${String(ns)} is not a bigint of ns 0..2^64-1`);
  }
  return { hi: Number(ns >> 32n), lo: Number(ns & 0xffff_ffffn) };
}

export function nsOfHalves(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Negative, zero or positive as (aHi, aLo) is before, at or after (bHi, bLo). */
export function compareHalves(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return aHi !== bHi ? aHi - bHi : aLo - bLo;
}

/**
 * Whole milliseconds of (hi, lo) ns, exactly: 2^32 = 4294 * 10^6 + 967,296, and
 * hi * 967,296 + lo < 2^53, so every step is an exact double operation (docs/WIRE.md).
 */
export function msOfHalves(hi: number, lo: number): number {
  return hi * 4294 + Math.floor((hi * 967_296 + lo) / 1_000_000);
}

/** (hi, lo) of ms * 10^6 + nanosOfMs; allocates (a BigInt), so call it once per batch, not per tick. */
export function halvesOfMs(ms: number, nanosOfMs: number): TimeHalves {
  return halvesOfNs(BigInt(ms) * 1_000_000n + BigInt(nanosOfMs), 'time');
}

/** Nanoseconds from (aHi, aLo) to (bHi, bLo) as a double (exact below 2^53 ns, about 104 days). */
export function nanosBetween(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return (bHi - aHi) * TWO_POW_32 + (bLo - aLo);
}
