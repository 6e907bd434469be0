import { TickwireError } from '../errors.ts';
import type { SymbolRegistry } from '../wire/index.ts';
import { jumpHashHalves } from './jump-hash.ts';

export interface PartitionBalance {
  /** Symbols per worker. */
  readonly counts: readonly number[];
  readonly max: number;
  readonly avg: number;
  /** max / avg: 1 is perfect balance. */
  readonly maxOverAvg: number;
}

const NOT_COMPUTED = -1;

/**
 * Assigns each symbol to one of `workers` pipeline workers by jump consistent hash of the
 * symbol's 64-bit key hash (FNV-1a of `VENUE:SYMBOL`), so every process computes the same
 * assignment from the key alone, and adding a worker moves only ~1/(n + 1) of the symbols,
 * all of them onto the new worker. The hash runs once per symbol; after that workerOf is one
 * Int32Array load, indexed by the dense symbol id.
 */
export class SymbolPartitioner {
  private cache: Int32Array;

  constructor(
    readonly registry: SymbolRegistry,
    readonly workers: number,
  ) {
    if (!Number.isInteger(workers) || workers < 1 || workers > 0x7fff_ffff) {
      throw new TickwireError('BAD_CONFIG', `workers ${workers} must be an integer 1..2^31-1`);
    }
    this.cache = new Int32Array(Math.max(16, registry.size)).fill(NOT_COMPUTED);
  }

  /** The worker (0..workers-1) that owns `symbolId`. Throws UNKNOWN_SYMBOL for an unregistered id. */
  workerOf(symbolId: number): number {
    const cached = this.cache[symbolId];
    // `undefined` (past the cache, or not an index) and NOT_COMPUTED both fail `>= 0`.
    if (cached !== undefined && cached >= 0) return cached;
    return this.compute(symbolId);
  }

  /** How many registered symbols each worker owns. */
  balance(): PartitionBalance {
    const counts = new Array<number>(this.workers).fill(0);
    for (const symbol of this.registry) counts[this.workerOf(symbol.id)]!++;
    const max = Math.max(...counts);
    const avg = this.registry.size / this.workers;
    return { counts, max, avg, maxOverAvg: avg === 0 ? 1 : max / avg };
  }

  /** A partitioner of the same registry over `workers` workers. */
  resized(workers: number): SymbolPartitioner {
    return new SymbolPartitioner(this.registry, workers);
  }

  private compute(symbolId: number): number {
    const info = this.registry.info(symbolId);
    if (symbolId >= this.cache.length) {
      const grown = new Int32Array(Math.max(this.registry.size, this.cache.length * 2)).fill(NOT_COMPUTED);
      grown.set(this.cache);
      this.cache = grown;
    }
    const worker = jumpHashHalves(info.hashHi, info.hashLo, this.workers);
    this.cache[symbolId] = worker;
    return worker;
  }
}

/** Fraction (0..1) of the registry's symbols that `a` and `b` assign to different workers. */
export function movedFraction(a: SymbolPartitioner, b: SymbolPartitioner): number {
  if (a.registry !== b.registry) {
    throw new TickwireError('BAD_CONFIG', 'movedFraction compares partitioners of the same symbol registry');
  }
  const total = a.registry.size;
  if (total === 0) return 0;
  let moved = 0;
  for (let id = 0; id < total; id++) if (a.workerOf(id) !== b.workerOf(id)) moved++;
  return moved / total;
}
