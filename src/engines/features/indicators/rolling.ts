/**
 * The O(1) building blocks of the streaming indicators: a ring of the last n values, rolling sums,
 * rolling extremes, and the two exponential averages (TA-Lib's EMA and Wilder's). "Not yet" is NaN
 * inside them (cheaper than null on the hot path); the indicators turn it into null.
 */

/** The last `length` values pushed, oldest first. */
export class RingWindow {
  private readonly values: Float64Array;
  private next = 0;
  /** Values held (up to `length`). */
  count = 0;

  constructor(readonly length: number) {
    this.values = new Float64Array(length);
  }

  get full(): boolean {
    return this.count === this.length;
  }

  /** Adds `x`; returns the value that fell out of the window (NaN while it was not full). */
  push(x: number): number {
    const out = this.count === this.length ? this.values[this.next]! : NaN;
    this.values[this.next] = x;
    if (++this.next === this.length) this.next = 0;
    if (this.count < this.length) this.count++;
    return out;
  }

  /** The value pushed `back` pushes ago (0: the latest). */
  ago(back: number): number {
    let index = this.next - 1 - back;
    if (index < 0) index += this.length;
    return this.values[index]!;
  }
}

/** Pushes between two exact recomputations of a rolling sum, against drift (amortized O(1)). */
export const RESUM_EVERY = 4_096;

/**
 * Sum and sum of squares of the last `length` values, in O(1) per push. They are kept relative to
 * the first value seen (`origin`): prices of 60,000 moving by units would otherwise lose their
 * variance to cancellation, and rounding drift is removed by an exact re-sum every few thousand
 * pushes.
 */
export class RollingSum {
  readonly window: RingWindow;
  private origin = NaN;
  private shiftedSum = 0;
  private shiftedSquares = 0;
  private sinceResum = 0;
  /** Values in the window other than 0: with none, the sum is exactly 0 (not a rounding residue). */
  private nonZero = 0;

  constructor(length: number) {
    this.window = new RingWindow(length);
  }

  get full(): boolean {
    return this.window.full;
  }

  get count(): number {
    return this.window.count;
  }

  push(x: number): void {
    if (Number.isNaN(this.origin)) this.origin = x;
    const out = this.window.push(x);
    const shifted = x - this.origin;
    this.shiftedSum += shifted;
    this.shiftedSquares += shifted * shifted;
    if (x !== 0) this.nonZero++;
    if (!Number.isNaN(out)) {
      if (out !== 0) this.nonZero--;
      const gone = out - this.origin;
      this.shiftedSum -= gone;
      this.shiftedSquares -= gone * gone;
    }
    if (++this.sinceResum === RESUM_EVERY) this.resum();
  }

  get sum(): number {
    return this.nonZero === 0 ? 0 : this.shiftedSum + this.window.count * this.origin;
  }

  get mean(): number {
    return this.origin + this.shiftedSum / this.window.count;
  }

  /** Population variance (divide by n), TA-Lib's for Bollinger Bands. */
  get populationVariance(): number {
    const n = this.window.count;
    const meanShift = this.shiftedSum / n;
    return Math.max(0, this.shiftedSquares / n - meanShift * meanShift);
  }

  /** Sample variance (divide by n - 1). */
  get sampleVariance(): number {
    const n = this.window.count;
    return (this.populationVariance * n) / (n - 1);
  }

  private resum(): void {
    this.sinceResum = 0;
    this.origin = this.window.ago(0);
    let sum = 0;
    let squares = 0;
    for (let back = 0; back < this.window.count; back++) {
      const shifted = this.window.ago(back) - this.origin;
      sum += shifted;
      squares += shifted * shifted;
    }
    this.shiftedSum = sum;
    this.shiftedSquares = squares;
  }
}

/**
 * The highest (or lowest) of the last `length` values and how many pushes ago it came, amortized
 * O(1) per push (a monotonic deque). On ties the latest wins, as in TA-Lib's AROON.
 */
export class RollingExtreme {
  private readonly values: Float64Array;
  private readonly positions: Float64Array;
  private head = 0;
  private size = 0;
  private pushes = 0;

  /** `kind` max keeps the highest, min the lowest. */
  constructor(
    readonly length: number,
    private readonly kind: 'max' | 'min',
  ) {
    this.values = new Float64Array(length);
    this.positions = new Float64Array(length);
  }

  get full(): boolean {
    return this.pushes >= this.length;
  }

  push(x: number): void {
    const capacity = this.length;
    const position = this.pushes++;
    // Drop from the front what leaves the window (first, so the ring has room for the new value).
    if (this.size > 0 && this.positions[this.head]! <= position - capacity) {
      this.head = (this.head + 1) % capacity;
      this.size--;
    }
    // Drop from the back every value the new one beats (or ties): it can never be the extreme again.
    while (this.size > 0) {
      const back = this.values[(this.head + this.size - 1) % capacity]!;
      if (this.kind === 'max' ? back > x : back < x) break;
      this.size--;
    }
    this.values[(this.head + this.size) % capacity] = x;
    this.positions[(this.head + this.size) % capacity] = position;
    this.size++;
  }

  get value(): number {
    return this.size === 0 ? NaN : this.values[this.head]!;
  }

  /** Pushes since the extreme (0: it is the latest value). */
  get age(): number {
    return this.pushes - 1 - this.positions[this.head]!;
  }
}

/**
 * TA-Lib's EMA: k = 2 / (n + 1), seeded with the simple average of the first n values, so its
 * first value comes with the n-th input.
 */
export class Ema {
  private readonly k: number;
  private seen = 0;
  private seedSum = 0;
  value = NaN;

  constructor(readonly period: number) {
    this.k = 2 / (period + 1);
  }

  update(x: number): number {
    if (this.seen < this.period) {
      this.seedSum += x;
      if (++this.seen === this.period) this.value = this.seedSum / this.period;
      return this.value;
    }
    this.value += this.k * (x - this.value);
    return this.value;
  }
}

/**
 * Wilder's smoothing (his RSI, ATR and ADX): seeded with the simple average of the first n
 * values, then average = (previous × (n − 1) + x) / n.
 */
export class WilderAverage {
  private seen = 0;
  private seedSum = 0;
  value = NaN;

  constructor(readonly period: number) {}

  update(x: number): number {
    if (this.seen < this.period) {
      this.seedSum += x;
      if (++this.seen === this.period) this.value = this.seedSum / this.period;
      return this.value;
    }
    this.value = (this.value * (this.period - 1) + x) / this.period;
    return this.value;
  }
}

/** A simple moving average of the last n values (NaN until n have come). */
export class Sma {
  private readonly sum: RollingSum;

  constructor(readonly period: number) {
    this.sum = new RollingSum(period);
  }

  update(x: number): number {
    this.sum.push(x);
    return this.sum.full ? this.sum.mean : NaN;
  }
}
