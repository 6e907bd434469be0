/**
 * 64-bit FNV-1a over the UTF-8 bytes of a string, computed in two u32 halves without BigInt.
 * It is how separate processes agree on a symbol without sharing a registry (the canonical key
 * `VENUE:SYMBOL` hashes the same everywhere) and what the partitioner spreads over workers.
 * FNV-1a 64: h = 0xcbf29ce484222325; for each byte: h ^= byte; h = h * 0x100000001b3 mod 2^64.
 */

export interface Hash64 {
  /** High 32 bits, unsigned. */
  readonly hi: number;
  /** Low 32 bits, unsigned. */
  readonly lo: number;
}

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// The prime 0x100000001b3 = 2^40 + 0x1b3: multiplying is h * 0x1b3 plus h shifted left by 40,
// and the shifted part only adds lo << 8 to the high half.
const PRIME_LOW = 0x1b3;

/** FNV-1a 64 of the UTF-8 encoding of `text` (lone surrogates encode as U+FFFD, as TextEncoder does). */
export function symbolHash64(text: string): Hash64 {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  const step = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    // lo * 0x1b3 < 2^41 is exact; its part above 2^32 carries into hi.
    const product = lo * PRIME_LOW;
    const carry = Math.floor(product / 0x1_0000_0000);
    hi = (Math.imul(hi, PRIME_LOW) + carry + (lo << 8)) >>> 0;
    lo = product >>> 0;
  };
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code < 0x80) {
      step(code);
      continue;
    }
    if (code < 0x800) {
      step(0xc0 | (code >>> 6));
      step(0x80 | (code & 0x3f));
      continue;
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i++;
        step(0xf0 | (code >>> 18));
        step(0x80 | ((code >>> 12) & 0x3f));
        step(0x80 | ((code >>> 6) & 0x3f));
        step(0x80 | (code & 0x3f));
        continue;
      }
      code = 0xfffd;
    }
    step(0xe0 | (code >>> 12));
    step(0x80 | ((code >>> 6) & 0x3f));
    step(0x80 | (code & 0x3f));
  }
  return { hi, lo };
}

/** The same hash as one unsigned bigint (allocates; for logs, docs and tests). */
export function symbolHash64BigInt(text: string): bigint {
  const { hi, lo } = symbolHash64(text);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The hash as 16 lowercase hex digits, as docs/WIRE.md lists its test vectors. */
export function hash64Hex(hash: Hash64): string {
  return hash.hi.toString(16).padStart(8, '0') + hash.lo.toString(16).padStart(8, '0');
}
