import { movedFraction, SymbolPartitioner } from '../src/pipeline/index.ts';
import { SymbolRegistry } from '../src/wire/index.ts';
import { type Bench, timePerOp } from './harness.ts';

/**
 * Symbol -> worker assignment by jump consistent hash (cached per dense symbol id) against the
 * obvious alternative, "modulo hashing": the low 32 bits of the same FNV-1a 64 key hash mod the
 * worker count, computed on every call. Lookup speed, balance, and how much moves when a worker
 * is added.
 */

const SYMBOLS = 100_000;
const WORKERS = 4;

function moduloWorker(hashLo: Uint32Array, id: number, workers: number): number {
  return hashLo[id]! % workers;
}

function moduloCounts(hashLo: Uint32Array, workers: number): number[] {
  const counts = new Array<number>(workers).fill(0);
  for (let id = 0; id < hashLo.length; id++) counts[moduloWorker(hashLo, id, workers)]!++;
  return counts;
}

export default {
  name: 'partition',
  description: 'jump-hash symbol partitioner vs modulo hashing: lookup cost, balance, moves on resize',
  async run(ctx) {
    const symbols = new SymbolRegistry();
    for (let i = 0; i < SYMBOLS; i++) symbols.register('SIM', `S${i}USDT`, { priceScale: 2, sizeScale: 6 });
    const hashLo = Uint32Array.from(symbols, (info) => info.hashLo);
    const jump = new SymbolPartitioner(symbols, WORKERS);
    const extra = { symbols: SYMBOLS, workers: WORKERS };

    // Lookups in a scattered order (a stride co-prime with the count) so neither side is helped
    // by walking memory sequentially; results are folded into a checksum.
    const STRIDE = 7_919;
    let jumpChecksum = 0;
    let moduloChecksum = 0;
    const iterations = ctx.quick ? 500_000 : 5_000_000;
    const rounds = ctx.quick ? 5 : 15;
    const lookupNs = timePerOp(
      (n) => {
        let sum = 0;
        for (let i = 0, id = 0; i < n; i++, id = (id + STRIDE) % SYMBOLS) sum += jump.workerOf(id);
        jumpChecksum = sum;
      },
      { iterations, rounds },
    );
    const moduloNs = timePerOp(
      (n) => {
        let sum = 0;
        for (let i = 0, id = 0; i < n; i++, id = (id + STRIDE) % SYMBOLS)
          sum += moduloWorker(hashLo, id, WORKERS);
        moduloChecksum = sum;
      },
      { iterations, rounds },
    );
    ctx.report({
      metric: 'lookup_ns',
      value: lookupNs,
      unit: 'ns/op',
      better: 'lower',
      baseline: 'modulo hashing per call',
      baseline_value: moduloNs,
      checksum: jumpChecksum,
      baseline_checksum: moduloChecksum,
      ...extra,
    });

    const moduloBalance = moduloCounts(hashLo, WORKERS);
    ctx.report({
      metric: 'balance_max_over_avg',
      value: jump.balance().maxOverAvg,
      unit: 'ratio',
      better: 'lower',
      baseline: 'modulo hashing',
      baseline_value: Math.max(...moduloBalance) / (SYMBOLS / WORKERS),
      counts: jump.balance().counts.join('/'),
      baseline_counts: moduloBalance.join('/'),
      ...extra,
    });

    let moduloMoved = 0;
    for (let id = 0; id < SYMBOLS; id++) {
      if (moduloWorker(hashLo, id, WORKERS) !== moduloWorker(hashLo, id, WORKERS + 1)) moduloMoved++;
    }
    ctx.report({
      metric: 'moved_fraction',
      value: movedFraction(jump, jump.resized(WORKERS + 1)),
      unit: 'fraction',
      better: 'lower',
      baseline: 'modulo hashing',
      baseline_value: moduloMoved / SYMBOLS,
      ideal: 1 / (WORKERS + 1),
      from_workers: WORKERS,
      to_workers: WORKERS + 1,
      ...extra,
    });
  },
} satisfies Bench;
