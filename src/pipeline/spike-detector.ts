import type { QualityOptions } from './pipeline-options.ts';

export interface SpikeCounts {
  spikes: number;
  /** Runs of spikes long enough to be taken as a new price level. */
  levelShifts: number;
}

type SpikeOptions = Pick<
  QualityOptions,
  'spikeStdDevs' | 'spikeMinBps' | 'spikeWindow' | 'spikeWarmup' | 'spikeConfirmTicks'
>;

/**
 * Flags price spikes per stream (the caller numbers streams, e.g. per symbol and price kind): a log
 * return further than `spikeStdDevs` standard deviations from the stream's mean return and larger
 * than `spikeMinBps` basis points.
 *
 * Mean and variance are exponentially weighted (alpha = 2 / (window + 1)), but the weight of the
 * n-th return is max(alpha, 1 / n), so the first returns give the exact running mean and
 * (population) variance, as Welford's method would, rather than estimates biased towards zero;
 * nothing is flagged until `spikeWarmup` returns were seen. A spike does not move the reference
 * price, so one bad print is flagged once and the next good price passes. If `spikeConfirmTicks`
 * spikes come in a row, the price really moved: the last of them becomes the reference. A stream
 * whose returns were all zero so far (variance 0) flags nothing.
 *
 * Two rules keep a change of volatility from being taken for spikes, measured against the
 * simulator's labelled jumps (docs/PIPELINE.md, "How well the flags hold"): a spike still teaches
 * the variance, clipped at the limit, so a market that turns volatile raises the estimate within
 * a few ticks instead of being flagged until calm returns; and a move under `spikeMinBps` is never
 * a spike, because on a busy symbol the per-tick standard deviation is a fraction of a basis point
 * and eight of them are an ordinary tick in a volatile minute.
 *
 * Allocation-free per tick: state lives in typed arrays indexed by stream, grown on a new high
 * stream number.
 */
export class SpikeDetector {
  readonly counts: SpikeCounts = { spikes: 0, levelShifts: 0 };
  private last = new Float64Array(0);
  private mean = new Float64Array(0);
  private variance = new Float64Array(0);
  private seen = new Float64Array(0);
  private run = new Uint16Array(0);
  private readonly alpha: number;
  private readonly limitSquared: number;
  private readonly minReturn: number;
  private readonly warmup: number;
  private readonly confirm: number;

  constructor(options: SpikeOptions) {
    this.alpha = 2 / (options.spikeWindow + 1);
    this.limitSquared = options.spikeStdDevs * options.spikeStdDevs;
    this.minReturn = options.spikeMinBps / 10_000;
    this.warmup = options.spikeWarmup;
    this.confirm = options.spikeConfirmTicks;
  }

  /** True when `price` (any positive number; mantissas are fine) is a spike on `stream`. */
  check(stream: number, price: number): boolean {
    if (!(price > 0)) return false;
    if (stream >= this.last.length) this.grow(stream);
    const previous = this.last[stream]!;
    if (previous === 0) {
      this.last[stream] = price;
      return false;
    }
    // An unchanged price (most quote updates change sizes only) needs no logarithm.
    const ret = price === previous ? 0 : Math.log(price / previous);
    const n = this.seen[stream]!;
    const variance = this.variance[stream]!;
    const deviation = ret - this.mean[stream]!;
    const weight = Math.max(this.alpha, 1 / (n + 1));
    const limit = this.limitSquared * variance;
    if (
      n >= this.warmup &&
      variance > 0 &&
      deviation * deviation > limit &&
      (ret > this.minReturn || ret < -this.minReturn)
    ) {
      this.counts.spikes++;
      // Learn from the spike as if it were a return at the limit: the mean stays, the variance grows.
      this.variance[stream] = (1 - weight) * (variance + weight * limit);
      this.seen[stream] = n + 1;
      if (++this.run[stream]! >= this.confirm) {
        this.run[stream] = 0;
        this.last[stream] = price;
        this.counts.levelShifts++;
      }
      return true;
    }
    this.mean[stream] = this.mean[stream]! + weight * deviation;
    this.variance[stream] = (1 - weight) * (variance + weight * deviation * deviation);
    this.seen[stream] = n + 1;
    this.run[stream] = 0;
    this.last[stream] = price;
    return false;
  }

  /** Forgets a stream, e.g. after its symbol was resynced. */
  reset(stream: number): void {
    if (stream >= this.last.length) return;
    this.last[stream] = 0;
    this.mean[stream] = 0;
    this.variance[stream] = 0;
    this.seen[stream] = 0;
    this.run[stream] = 0;
  }

  private grow(stream: number): void {
    const length = Math.max(stream + 1, this.last.length * 2, 1024);
    const grown = <T extends Float64Array | Uint16Array>(old: T, fresh: T): T => {
      fresh.set(old);
      return fresh;
    };
    this.last = grown(this.last, new Float64Array(length));
    this.mean = grown(this.mean, new Float64Array(length));
    this.variance = grown(this.variance, new Float64Array(length));
    this.seen = grown(this.seen, new Float64Array(length));
    this.run = grown(this.run, new Uint16Array(length));
  }
}
