import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import { movedFraction, SymbolPartitioner } from '../../src/pipeline/index.ts';
import { jumpHash, jumpHashHalves } from '../../src/pipeline/jump-hash.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';

function registryOf(count: number): SymbolRegistry {
  const symbols = new SymbolRegistry();
  for (let i = 0; i < count; i++) symbols.register('SIM', `SYM${i}`, { priceScale: 2, sizeScale: 6 });
  return symbols;
}

describe('jumpHash', () => {
  it('matches the reference vectors other implementations publish', () => {
    const vectors: [bigint, number, number][] = [
      [1n, 1, 0],
      [42n, 57, 43],
      [0xdead10ccn, 1, 0],
      [0xdead10ccn, 666, 361],
      [256n, 1024, 520],
      [1n, 128, 55],
      [129n, 128, 120],
      [128n, 100_000_000, 38_172_097],
      [0xffff_ffff_ffff_ffffn, 128, 92],
    ];
    for (const [key, buckets, expected] of vectors) {
      assert.equal(jumpHash(key, buckets), expected, `jumpHash(${key}, ${buckets})`);
      assert.equal(jumpHashHalves(Number(key >> 32n), Number(key & 0xffff_ffffn), buckets), expected);
    }
  });

  it('computes the same bucket without BigInt', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 1, max: 100_000 }),
        (key, buckets) => {
          const hi = Number(key >> 32n);
          const lo = Number(key & 0xffff_ffffn);
          assert.equal(jumpHashHalves(hi, lo, buckets), jumpHash(key, buckets));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses bucket counts outside 1..2^31-1', () => {
    for (const buckets of [0, -1, 1.5, 2 ** 31]) {
      assert.throws(
        () => jumpHash(1n, buckets),
        (e) => isTickwireError(e, 'BAD_CONFIG'),
      );
      assert.throws(
        () => jumpHashHalves(0, 1, buckets),
        (e) => isTickwireError(e, 'BAD_CONFIG'),
      );
    }
  });
});

describe('SymbolPartitioner', () => {
  const symbols = registryOf(10_000);

  it('always puts a symbol on the same worker, the one its key hash jumps to', () => {
    const partitioner = new SymbolPartitioner(symbols, 4);
    const again = new SymbolPartitioner(symbols, 4);
    for (let id = 0; id < symbols.size; id += 97) {
      const info = symbols.info(id);
      const expected = jumpHash((BigInt(info.hashHi) << 32n) | BigInt(info.hashLo), 4);
      assert.equal(partitioner.workerOf(id), expected);
      assert.equal(partitioner.workerOf(id), expected); // cached
      assert.equal(again.workerOf(id), expected);
    }
  });

  it('gives every worker symbols, within 15% of the average on 4 workers', () => {
    const { counts, max, avg, maxOverAvg } = new SymbolPartitioner(symbols, 4).balance();
    assert.equal(counts.length, 4);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      10_000,
    );
    assert.ok(counts.every((n) => n > 0));
    assert.equal(avg, 2_500);
    assert.equal(maxOverAvg, max / avg);
    assert.ok(maxOverAvg < 1.15, `max/avg ${maxOverAvg}`);
  });

  it('moves about 1/(N+1) of the symbols from N to N+1 workers, all onto the new worker', () => {
    for (let n = 1; n <= 8; n++) {
      const before = new SymbolPartitioner(symbols, n);
      const after = before.resized(n + 1);
      const fraction = movedFraction(before, after);
      assert.ok(Math.abs(fraction - 1 / (n + 1)) < 0.03, `${n} -> ${n + 1}: moved ${fraction}`);
      for (let id = 0; id < symbols.size; id++) {
        if (before.workerOf(id) !== after.workerOf(id)) assert.equal(after.workerOf(id), n);
      }
    }
  });

  it('follows symbols registered after it was created', () => {
    const growing = registryOf(3);
    const partitioner = new SymbolPartitioner(growing, 3);
    for (let i = 3; i < 100; i++) growing.register('BINANCE', `LATE${i}`, { priceScale: 1, sizeScale: 1 });
    assert.equal(partitioner.workerOf(99), new SymbolPartitioner(growing, 3).workerOf(99));
    assert.equal(
      partitioner.balance().counts.reduce((a, b) => a + b, 0),
      100,
    );
  });

  it('refuses unknown symbol ids and bad worker counts', () => {
    const partitioner = new SymbolPartitioner(registryOf(2), 2);
    assert.throws(
      () => partitioner.workerOf(2),
      (e) => isTickwireError(e, 'UNKNOWN_SYMBOL'),
    );
    assert.throws(
      () => partitioner.workerOf(-1),
      (e) => isTickwireError(e, 'UNKNOWN_SYMBOL'),
    );
    assert.throws(
      () => new SymbolPartitioner(symbols, 0),
      (e) => isTickwireError(e, 'BAD_CONFIG'),
    );
    assert.throws(
      () => movedFraction(partitioner, new SymbolPartitioner(symbols, 2)),
      (e) => isTickwireError(e, 'BAD_CONFIG'),
    );
  });
});
