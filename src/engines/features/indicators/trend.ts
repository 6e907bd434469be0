import type { Bar } from '../bar-builder.ts';
import { factor, type IndicatorDefinition, period } from './indicator.ts';
import { RESUM_EVERY, RingWindow, RollingExtreme } from './rolling.ts';
import { trueRange } from './bands.ts';

/** Trend strength and direction. */
export const TREND: readonly IndicatorDefinition[] = [
  {
    name: 'adx',
    summary: "Wilder's ADX with +DI and −DI, smoothed and seeded exactly as TA-Lib's ADX",
    params: [period('period', 14, 2)],
    outputs: ['adx', 'plusDi', 'minusDi'],
    warmUp: ([n]) => 2 * n! - 1,
    create: ([n]) => new Adx(n!),
  },
  {
    name: 'psar',
    summary: "Wilder's parabolic SAR, acceleration step and maximum, started as TA-Lib's SAR",
    params: [factor('step', 0.02, 0, 1), factor('max', 0.2, 0, 1)],
    warmUp: () => 1,
    create: ([step, max]) => new ParabolicSar(step!, max!),
  },
  {
    name: 'aroon',
    summary:
      'Aroon up/down: 100·(n − bars since the highest high / lowest low of n+1 bars)/n, and up − down (TA-Lib)',
    params: [period('period', 25)],
    outputs: ['up', 'down', 'oscillator'],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const highest = new RollingExtreme(n! + 1, 'max');
      const lowest = new RollingExtreme(n! + 1, 'min');
      return {
        update: (bar) => {
          highest.push(bar.high);
          lowest.push(bar.low);
          if (!highest.full) return null;
          const up = (100 * (n! - highest.age)) / n!;
          const down = (100 * (n! - lowest.age)) / n!;
          return { up, down, oscillator: up - down };
        },
      };
    },
  },
  {
    name: 'slope',
    summary: 'slope of the least-squares line through the last n closes, per bar (TA-Lib LINEARREG_SLOPE)',
    params: [period('period', 14, 2)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => new RegressionSlope(n!),
  },
];

/**
 * TA-Lib's ADX: directional movements and true ranges are summed over the first n − 1 changes,
 * then Wilder-smoothed (S − S/n + x); DX = 100·|+DI − −DI|/(+DI + −DI); ADX is the mean of the
 * first n DX values, then Wilder's average of them.
 */
class Adx {
  private previous: Bar | undefined;
  private changes = 0;
  private plusDm = 0;
  private minusDm = 0;
  private range = 0;
  private dxSeen = 0;
  private dxSum = 0;
  private adx = NaN;

  constructor(private readonly n: number) {}

  update(bar: Bar): { adx: number; plusDi: number; minusDi: number } | null {
    const previous = this.previous;
    this.previous = bar;
    if (previous === undefined) return null;
    const up = bar.high - previous.high;
    const down = previous.low - bar.low;
    const plus = up > 0 && up > down ? up : 0;
    const minus = down > 0 && down > up ? down : 0;
    const range = trueRange(bar, previous.close);
    const n = this.n;
    if (++this.changes < n) {
      this.plusDm += plus;
      this.minusDm += minus;
      this.range += range;
      return null;
    }
    this.plusDm += plus - this.plusDm / n;
    this.minusDm += minus - this.minusDm / n;
    this.range += range - this.range / n;
    const plusDi = this.range === 0 ? 0 : (100 * this.plusDm) / this.range;
    const minusDi = this.range === 0 ? 0 : (100 * this.minusDm) / this.range;
    const sum = plusDi + minusDi;
    // Without a range or a direction there is no DX: TA-Lib counts none while seeding and
    // leaves the ADX where it was afterwards.
    const dx = sum === 0 ? NaN : (100 * Math.abs(plusDi - minusDi)) / sum;
    if (this.dxSeen < n) {
      if (!Number.isNaN(dx)) this.dxSum += dx;
      if (++this.dxSeen < n) return null;
      this.adx = this.dxSum / n;
    } else if (!Number.isNaN(dx)) this.adx = (this.adx * (n - 1) + dx) / n;
    return { adx: this.adx, plusDi, minusDi };
  }
}

/**
 * TA-Lib's SAR: the first two bars choose the direction (short if the second bar's down move is
 * the larger), the extreme point starts at the second bar's high (long) or low (short) and the
 * SAR at the first bar's low (long) or high (short); from the second bar on, each bar gives the
 * SAR in force during it.
 */
class ParabolicSar {
  private bars = 0;
  private isLong = true;
  private sar = NaN;
  private extreme = NaN;
  private acceleration: number;
  private previousHigh = NaN;
  private previousLow = NaN;

  constructor(
    private readonly step: number,
    private readonly max: number,
  ) {
    this.acceleration = Math.min(step, max);
  }

  update(bar: Bar): number | null {
    const high = bar.high;
    const low = bar.low;
    if (++this.bars === 1) {
      this.previousHigh = high;
      this.previousLow = low;
      return null;
    }
    let priorHigh = this.previousHigh;
    let priorLow = this.previousLow;
    if (this.bars === 2) {
      const down = priorLow - low;
      const up = high - priorHigh;
      this.isLong = !(down > 0 && down > up);
      this.sar = this.isLong ? priorLow : priorHigh;
      this.extreme = this.isLong ? high : low;
      // TA-Lib's first step compares the second bar with itself.
      priorHigh = high;
      priorLow = low;
    }
    this.previousHigh = high;
    this.previousLow = low;
    let output: number;
    if (this.isLong) {
      if (low <= this.sar) {
        this.isLong = false;
        output = Math.max(this.extreme, priorHigh, high);
        this.acceleration = this.step;
        this.extreme = low;
        this.sar = Math.max(output + this.acceleration * (this.extreme - output), priorHigh, high);
      } else {
        output = this.sar;
        if (high > this.extreme) {
          this.extreme = high;
          this.acceleration = Math.min(this.acceleration + this.step, this.max);
        }
        this.sar = Math.min(this.sar + this.acceleration * (this.extreme - this.sar), priorLow, low);
      }
    } else if (high >= this.sar) {
      this.isLong = true;
      output = Math.min(this.extreme, priorLow, low);
      this.acceleration = this.step;
      this.extreme = high;
      this.sar = Math.min(output + this.acceleration * (this.extreme - output), priorLow, low);
    } else {
      output = this.sar;
      if (low < this.extreme) {
        this.extreme = low;
        this.acceleration = Math.min(this.acceleration + this.step, this.max);
      }
      this.sar = Math.max(this.sar + this.acceleration * (this.extreme - this.sar), priorHigh, high);
    }
    return output;
  }
}

/**
 * Least-squares slope over x = 0…n−1 in O(1): when the window moves, every x drops by one, which
 * takes the window's sum off Σxy. Closes are kept relative to the first one (the slope does not
 * change) and re-summed now and then against drift.
 */
class RegressionSlope {
  private readonly window: RingWindow;
  private origin = NaN;
  private sumY = 0;
  private sumXY = 0;
  private updates = 0;
  private readonly sumX: number;
  private readonly divisor: number;

  constructor(private readonly n: number) {
    this.window = new RingWindow(n);
    this.sumX = (n * (n - 1)) / 2;
    const sumXX = ((n - 1) * n * (2 * n - 1)) / 6;
    this.divisor = n * sumXX - this.sumX * this.sumX;
  }

  update(bar: Bar): number | null {
    if (Number.isNaN(this.origin)) this.origin = bar.close;
    const y = bar.close - this.origin;
    const count = this.window.count;
    const out = this.window.push(y);
    if (Number.isNaN(out)) {
      this.sumXY += count * y;
      this.sumY += y;
    } else {
      this.sumXY += -(this.sumY - out) + (this.n - 1) * y;
      this.sumY += y - out;
    }
    if (++this.updates % RESUM_EVERY === 0) this.resum();
    if (!this.window.full) return null;
    return (this.n * this.sumXY - this.sumX * this.sumY) / this.divisor;
  }

  private resum(): void {
    let sumY = 0;
    let sumXY = 0;
    const count = this.window.count;
    for (let back = 0; back < count; back++) {
      const y = this.window.ago(back);
      sumY += y;
      sumXY += (count - 1 - back) * y;
    }
    this.sumY = sumY;
    this.sumXY = sumXY;
  }
}
