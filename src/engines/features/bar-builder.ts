import type { BarSpec } from './bar-spec.ts';

/** A bar of one symbol's trades. Times in ms since the epoch; prices and amounts as numbers. */
export type Bar = {
  /** Time bars: the start of the interval; the others: the first trade's time. */
  openTime: number;
  /** Time bars: the end of the interval (exclusive); the others: the last trade's time. */
  closeTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Traded amount in the base asset. */
  volume: number;
  /** Traded amount in the quote asset (Σ price × size). */
  value: number;
  /** Of `volume`, what buyers took from the book (aggressor buy) and what sellers hit (aggressor sell). */
  buyVolume: number;
  sellVolume: number;
  trades: number;
};

/** Who took liquidity in a trade, when the venue says: the trade-flow features read it. */
export type Aggressor = 'buy' | 'sell' | 'unknown';

/**
 * Time bars with no trade in them carry the previous close, no volume and no trades, so the grid
 * stays regular (what an indicator over 1 s bars expects); a silence longer than this many
 * intervals starts the grid over at the next trade instead of emitting a flat bar for each.
 */
export const MAX_FLAT_BARS = 1_000;

/**
 * Bars of one symbol from its trades, in trade order, updated in O(1) per trade. A trade belongs
 * wholly to one bar (volume and value bars are not split; the trade that reaches the threshold
 * closes its bar). Time bars close when a trade of a later interval arrives or when `closeUntil`
 * is called with a time past the interval (a timer, so that a quiet symbol's bar still closes).
 */
export class BarBuilder {
  private bar: Bar | undefined;
  /** The last close, for the flat bars of empty intervals. */
  private lastClose: number | undefined;
  /** Time bars: where the grid stands, the end of the last bar emitted (undefined: starts at the next trade). */
  private gridEnd: number | undefined;

  constructor(
    private readonly spec: BarSpec,
    private readonly onBar: (bar: Bar) => void,
  ) {}

  /** The bar being built, if any. */
  get current(): Readonly<Bar> | undefined {
    return this.bar;
  }

  trade(timeMs: number, price: number, size: number, aggressor: Aggressor = 'unknown'): void {
    const spec = this.spec;
    if (spec.kind === 'time') {
      this.closeUntil(timeMs);
      if (this.bar === undefined) {
        const openTime = Math.floor(timeMs / spec.ms) * spec.ms;
        this.bar = startBar(openTime, openTime + spec.ms, price);
      }
      add(this.bar, price, size, aggressor);
      return;
    }
    this.bar ??= startBar(timeMs, timeMs, price);
    add(this.bar, price, size, aggressor);
    this.bar.closeTime = timeMs;
    const full =
      spec.kind === 'ticks'
        ? this.bar.trades >= spec.count
        : (spec.kind === 'volume' ? this.bar.volume : this.bar.value) >= spec.threshold;
    if (full) this.emit();
  }

  /**
   * Time bars: closes the bar (and emits the flat bars of the empty intervals after it) whose
   * interval ended at or before `timeMs`. Other bars close only on trades.
   */
  closeUntil(timeMs: number): void {
    const spec = this.spec;
    if (spec.kind !== 'time') return;
    if (this.bar !== undefined) {
      if (timeMs < this.bar.closeTime) return;
      this.emit();
    }
    if (this.gridEnd === undefined || this.lastClose === undefined) return;
    const empty = Math.floor((timeMs - this.gridEnd) / spec.ms);
    if (empty <= 0) return;
    if (empty > MAX_FLAT_BARS) {
      this.gridEnd = undefined;
      return;
    }
    for (let i = 0; i < empty; i++) {
      this.onBar(startBar(this.gridEnd, this.gridEnd + spec.ms, this.lastClose));
      this.gridEnd += spec.ms;
    }
  }

  private emit(): void {
    const bar = this.bar!;
    this.bar = undefined;
    this.lastClose = bar.close;
    if (this.spec.kind === 'time') this.gridEnd = bar.closeTime;
    this.onBar(bar);
  }
}

function startBar(openTime: number, closeTime: number, price: number): Bar {
  return {
    openTime,
    closeTime,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    value: 0,
    buyVolume: 0,
    sellVolume: 0,
    trades: 0,
  };
}

function add(bar: Bar, price: number, size: number, aggressor: Aggressor): void {
  if (price > bar.high) bar.high = price;
  if (price < bar.low) bar.low = price;
  bar.close = price;
  bar.volume += size;
  bar.value += price * size;
  if (aggressor === 'buy') bar.buyVolume += size;
  else if (aggressor === 'sell') bar.sellVolume += size;
  bar.trades++;
}
