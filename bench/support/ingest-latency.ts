/**
 * A fixed-bucket log-linear histogram of non-negative durations in nanoseconds, for recording
 * every tick's latency without allocating or sorting: each power of two is split into
 * SUB_BUCKETS linear buckets, so a percentile is exact to within 1/SUB_BUCKETS (about 3%) of its
 * value. Values up to 2^31 ns (2.1 s) are kept; larger ones land in the last bucket.
 */

const SUB_BITS = 5;
const SUB_BUCKETS = 1 << SUB_BITS;
const MAX_EXPONENT = 31;
const BUCKETS = (MAX_EXPONENT - SUB_BITS + 2) * SUB_BUCKETS;
const MAX_VALUE = 2 ** MAX_EXPONENT - 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(ns: number): void {
    const value = ns <= 0 ? 0 : ns >= MAX_VALUE ? MAX_VALUE : ns | 0;
    this.counts[bucketOf(value)]!++;
    this.total++;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** The upper bound of the bucket holding the p-th percentile (nearest rank), in ns; NaN when empty. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return upperBoundOf(bucket);
    }
    return upperBoundOf(BUCKETS - 1);
  }
}

/** Values below SUB_BUCKETS map to themselves; above, (exponent, top SUB_BITS bits after the leading one). */
function bucketOf(value: number): number {
  if (value < SUB_BUCKETS) return value;
  const exponent = 31 - Math.clz32(value);
  const shift = exponent - SUB_BITS;
  return (shift + 1) * SUB_BUCKETS + ((value >>> shift) & (SUB_BUCKETS - 1));
}

function upperBoundOf(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = Math.floor(bucket / SUB_BUCKETS) - 1;
  const sub = bucket % SUB_BUCKETS;
  return (SUB_BUCKETS + sub + 1) * 2 ** shift - 1;
}
