import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  isTime,
  MAX_NANOS_OF_LAST_MS,
  MAX_TIME_MS,
  msOfHalves,
  nanosOfMsOfHalves,
  storeTimes,
} from '../../src/wire/time-ns.ts';

// storeTimes is the writers' fast range check and store; isTime is the plain statement of the
// rule (and what the error messages are built on). They must accept exactly the same times.

const TWO_POW_64 = 1n << 64n;
const UNTOUCHED = 0xdead_beef;

/** Numbers near every edge of the rule, and some that are not numbers at all. */
const awkwardMs = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.5,
  1_763_719_200_123.5,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 32 + 0.5,
  4295 * 2 ** 32,
  MAX_TIME_MS - 1,
  MAX_TIME_MS,
  MAX_TIME_MS + 1,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  -(2 ** 53),
  1e300,
  Number.NaN,
  Infinity,
  -Infinity,
  '1763719200123' as unknown as number,
);
const awkwardNanos = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.5,
  999_999,
  999_999.5,
  1_000_000,
  MAX_NANOS_OF_LAST_MS,
  MAX_NANOS_OF_LAST_MS + 1,
  2 ** 31,
  2 ** 32,
  Number.NaN,
  Infinity,
  '5' as unknown as number,
);
const anyMs = fc.oneof(awkwardMs, fc.integer({ min: 0, max: MAX_TIME_MS }), fc.double());
const anyNanos = fc.oneof(awkwardNanos, fc.integer({ min: -10, max: 1_000_010 }), fc.double());

function u64(words: Uint32Array, at: number): bigint {
  return (BigInt(words[at + 1]!) << 32n) | BigInt(words[at]!);
}

describe('storeTimes', () => {
  it('accepts exactly the times isTime accepts, stores them exactly, and else stores nothing', () => {
    const words = new Uint32Array(6);
    fc.assert(
      fc.property(anyMs, anyNanos, anyMs, anyNanos, (ms0, nanos0, ms1, nanos1) => {
        words.fill(UNTOUCHED);
        const valid = isTime(ms0, nanos0) && isTime(ms1, nanos1);
        assert.equal(storeTimes(words, 1, ms0, nanos0, ms1, nanos1), valid);
        if (valid) {
          assert.equal(u64(words, 1), BigInt(ms0) * 1_000_000n + BigInt(nanos0));
          assert.equal(u64(words, 3), BigInt(ms1) * 1_000_000n + BigInt(nanos1));
        } else {
          assert.deepEqual([...words.subarray(1, 5)], [UNTOUCHED, UNTOUCHED, UNTOUCHED, UNTOUCHED]);
        }
        assert.equal(words[0], UNTOUCHED);
        assert.equal(words[5], UNTOUCHED);
      }),
      { numRuns: 20_000 },
    );
  });

  it('stores the last instant a u64 holds and refuses the next nanosecond', () => {
    const words = new Uint32Array(4);
    assert.ok(storeTimes(words, 0, MAX_TIME_MS, MAX_NANOS_OF_LAST_MS, 0, 0));
    assert.equal(u64(words, 0), TWO_POW_64 - 1n);
    assert.ok(!storeTimes(words, 0, 0, 0, MAX_TIME_MS, MAX_NANOS_OF_LAST_MS + 1));
  });

  it('round-trips through msOfHalves / nanosOfMsOfHalves for any valid time', () => {
    const words = new Uint32Array(4);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME_MS - 1 }),
        fc.integer({ min: 0, max: 999_999 }),
        (ms, nanos) => {
          assert.ok(storeTimes(words, 0, ms, nanos, ms, nanos));
          assert.equal(msOfHalves(words[1]!, words[0]!), ms);
          assert.equal(nanosOfMsOfHalves(words[1]!, words[0]!), nanos);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
