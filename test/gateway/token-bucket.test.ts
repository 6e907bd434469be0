import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import { TokenBucket } from '../../src/gateway/token-bucket.ts';

describe('TokenBucket', () => {
  it('starts full: lets a burst through, then refuses', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 });
    for (let i = 0; i < 5; i++) assert.equal(bucket.take(1000), true, `take ${i}`);
    assert.equal(bucket.take(1000), false);
    assert.equal(bucket.available(1000), 0);
  });

  it('refills continuously at ratePerSecond, up to burst', () => {
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 2 });
    assert.equal(bucket.take(0), true);
    assert.equal(bucket.take(0), true);
    assert.equal(bucket.take(50), false, 'half a token after 50 ms');
    assert.equal(bucket.available(50), 0.5);
    assert.equal(bucket.take(100), true, 'one token after 100 ms');
    assert.equal(bucket.take(100), false);
    assert.equal(bucket.available(60_000), 2, 'a long idle refills to burst, not beyond');
    assert.equal(bucket.take(60_000), true);
    assert.equal(bucket.take(60_000), true);
    assert.equal(bucket.take(60_000), false);
  });

  it('a refill that should give a whole token does, despite floating point', () => {
    // Ten refills of 0.1 token sum to 0.9999999999999999 in doubles.
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1 });
    assert.equal(bucket.take(0), true);
    for (let ms = 10; ms < 100; ms += 10) assert.equal(bucket.take(ms), false);
    assert.equal(bucket.take(100), true, '100 ms at 10 tokens/s is one token');
    assert.equal(bucket.take(100), false);
  });

  it('charges cost; a cost above burst is never paid; cost 0 always is', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 4 });
    assert.equal(bucket.take(0, 3), true);
    assert.equal(bucket.take(0, 2), false, 'only 1 token left');
    assert.equal(bucket.available(0), 1, 'a refused take takes nothing');
    assert.equal(bucket.take(0, 1), true);
    assert.equal(bucket.take(0, 0), true);
    assert.equal(bucket.take(1_000_000, 5), false, 'cost 5 > burst 4');
    assert.equal(bucket.take(1_000_000, 4), true);
  });

  it('the first call sets the time origin; a clock stepping back neither refills nor owes', () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 });
    assert.equal(bucket.take(5_000_000), true);
    assert.equal(bucket.take(4_000_000), false, 'earlier time: no refill');
    assert.equal(bucket.take(5_000_500), false, 'only 0.5 s since the latest time seen');
    assert.equal(bucket.take(5_001_000), true);
  });

  it('rejects invalid options and costs with BAD_CONFIG', () => {
    const bad = [
      { ratePerSecond: 0, burst: 1 },
      { ratePerSecond: -1, burst: 1 },
      { ratePerSecond: Number.NaN, burst: 1 },
      { ratePerSecond: Number.POSITIVE_INFINITY, burst: 1 },
      { ratePerSecond: 1, burst: 0.5 },
      { ratePerSecond: 1, burst: Number.NaN },
      { ratePerSecond: 1, burst: Number.POSITIVE_INFINITY },
      { ratePerSecond: '5' as unknown as number, burst: 1 },
    ];
    for (const options of bad) {
      assert.throws(
        () => new TokenBucket(options),
        (error) => isTickwireError(error, 'BAD_CONFIG') && /ratePerSecond|burst/.test(error.message),
        JSON.stringify(options),
      );
    }
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 1 });
    for (const cost of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => bucket.take(0, cost),
        (error) => isTickwireError(error, 'BAD_CONFIG'),
      );
    }
  });

  it('agrees with an exact integer model on random schedules (property)', () => {
    // Integer rates and millisecond steps make the exact model integral in thousandths of a token.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 5 })), {
          maxLength: 200,
        }),
        (rate, burst, steps) => {
          const bucket = new TokenBucket({ ratePerSecond: rate, burst });
          let milliTokens = burst * 1000;
          let now = 0;
          for (const [elapsed, cost] of steps) {
            now += elapsed;
            milliTokens = Math.min(burst * 1000, milliTokens + elapsed * rate);
            const expected = milliTokens >= cost * 1000;
            if (expected) milliTokens -= cost * 1000;
            assert.equal(bucket.take(now, cost), expected, `at ${now} ms, cost ${cost}`);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
