import { TickwireError } from '../errors.ts';

/**
 * Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
 * 2014): maps a 64-bit key to one of `buckets` buckets so that growing from n to n + 1 buckets
 * moves only about 1/(n + 1) of the keys, all of them into the new bucket. The reference code:
 *
 *   int32_t JumpConsistentHash(uint64_t key, int32_t num_buckets) {
 *     int64_t b = -1, j = 0;
 *     while (j < num_buckets) {
 *       b = j;
 *       key = key * 2862933555777941757ULL + 1;
 *       j = (b + 1) * (double(1LL << 31) / double((key >> 33) + 1));
 *     }
 *     return b;
 *   }
 */

const MASK_64 = (1n << 64n) - 1n;
const MULTIPLIER = 2862933555777941757n;
const TWO_POW_31 = 2 ** 31;

/** The reference algorithm on a bigint key (allocates; the partitioner caches results). */
export function jumpHash(key: bigint, buckets: number): number {
  checkBuckets(buckets);
  let k = BigInt.asUintN(64, key);
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * MULTIPLIER + 1n) & MASK_64;
    j = Math.floor((b + 1) * (TWO_POW_31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

// The multiplier 0x27bb2ee6_87b0b0fd in 16-bit limbs, for the BigInt-free version.
const M_HI = 0x27bb2ee6;
const M_LO_HI16 = 0x87b0;
const M_LO_LO16 = 0xb0fd;
const M_LO = 0x87b0b0fd;

/**
 * The same function on a key given as two u32 halves, without BigInt: the 64-bit LCG step is
 * done in 32-bit halves (the low product exactly, in 16-bit limbs). Tested equal to jumpHash.
 */
export function jumpHashHalves(hi: number, lo: number, buckets: number): number {
  checkBuckets(buckets);
  let kHi = hi >>> 0;
  let kLo = lo >>> 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // (kHi:kLo) * (M_HI:M_LO) + 1 mod 2^64.
    // Low 32 x low 32 gives a full 64-bit product; split kLo into 16-bit limbs so every partial
    // product stays below 2^53 and is exact.
    const a1 = kLo >>> 16;
    const a0 = kLo & 0xffff;
    const low = a0 * M_LO_LO16; // < 2^32
    const mid = a1 * M_LO_LO16 + a0 * M_LO_HI16; // < 2^33
    const high = a1 * M_LO_HI16; // < 2^32
    const lowSum = low + (mid % 0x1_0000) * 0x1_0000; // < 2^33
    const productLo = lowSum % 0x1_0000_0000;
    const carry = Math.floor(lowSum / 0x1_0000_0000) + Math.floor(mid / 0x1_0000) + high;
    // Cross terms only reach the high half; Math.imul keeps their low 32 bits.
    const productHi = (carry + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) >>> 0;
    // + 1, carrying into the high half when the low half wraps.
    kLo = (productLo + 1) >>> 0;
    kHi = kLo === 0 ? (productHi + 1) >>> 0 : productHi;
    j = Math.floor((b + 1) * (TWO_POW_31 / ((kHi >>> 1) + 1)));
  }
  return b;
}

function checkBuckets(buckets: number): void {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > 0x7fff_ffff) {
    throw new TickwireError('BAD_CONFIG', `bucket count ${buckets} must be an integer 1..2^31-1`);
  }
}
