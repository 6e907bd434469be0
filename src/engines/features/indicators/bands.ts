import type { Bar } from '../bar-builder.ts';
import { factor, type IndicatorDefinition, period, valueOf } from './indicator.ts';
import { Ema, RollingExtreme, RollingSum, WilderAverage } from './rolling.ts';

/** Bands, channels and the average true range. */
export const BANDS: readonly IndicatorDefinition[] = [
  {
    name: 'bb',
    summary:
      'Bollinger Bands: SMA ± k·σ (population σ, as TA-Lib), %B = (C − lower)/(upper − lower) (0.5 when the bands are flat), bandwidth = (upper − lower)/middle',
    params: [period('period', 20), factor('k', 2, 0, 100)],
    outputs: ['upper', 'middle', 'lower', 'percentB', 'bandwidth'],
    warmUp: ([n]) => n! - 1,
    create: ([n, k]) => {
      const closes = new RollingSum(n!);
      return {
        update: (bar) => {
          closes.push(bar.close);
          if (!closes.full) return null;
          const middle = closes.mean;
          const width = k! * Math.sqrt(closes.populationVariance);
          const upper = middle + width;
          const lower = middle - width;
          return {
            upper,
            middle,
            lower,
            percentB: upper === lower ? 0.5 : (bar.close - lower) / (upper - lower),
            bandwidth: middle === 0 ? 0 : (upper - lower) / middle,
          };
        },
      };
    },
  },
  {
    name: 'atr',
    summary: 'average true range, Wilder-smoothed, seeded with the mean of the first n true ranges (TA-Lib)',
    params: [period('period', 14)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const atr = new Atr(n!);
      return { update: (bar) => valueOf(atr.update(bar)) };
    },
  },
  {
    name: 'keltner',
    summary: 'Keltner channels: EMA(close, n) ± k·ATR(m)',
    params: [period('period', 20), factor('k', 2, 0, 100), period('atr', 10)],
    outputs: ['upper', 'middle', 'lower'],
    warmUp: ([n, , m]) => Math.max(n! - 1, m!),
    create: ([n, k, m]) => {
      const ema = new Ema(n!);
      const atr = new Atr(m!);
      return {
        update: (bar) => {
          const middle = ema.update(bar.close);
          const range = atr.update(bar);
          if (Number.isNaN(middle) || Number.isNaN(range)) return null;
          return { upper: middle + k! * range, middle, lower: middle - k! * range };
        },
      };
    },
  },
  {
    name: 'donchian',
    summary: 'Donchian channels: highest high and lowest low of n bars, and their middle',
    params: [period('period', 20)],
    outputs: ['upper', 'middle', 'lower'],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const highest = new RollingExtreme(n!, 'max');
      const lowest = new RollingExtreme(n!, 'min');
      return {
        update: (bar) => {
          highest.push(bar.high);
          lowest.push(bar.low);
          if (!highest.full) return null;
          return { upper: highest.value, middle: (highest.value + lowest.value) / 2, lower: lowest.value };
        },
      };
    },
  },
];

/** True range: the bar's range stretched to the previous close (NaN on the first bar). */
export function trueRange(bar: Bar, previousClose: number): number {
  if (Number.isNaN(previousClose)) return NaN;
  return Math.max(bar.high - bar.low, Math.abs(bar.high - previousClose), Math.abs(bar.low - previousClose));
}

/** TA-Lib's ATR: the first true range needs a previous close, so the first value comes on bar n + 1. */
export class Atr {
  private readonly average: WilderAverage;
  private previousClose = NaN;

  constructor(n: number) {
    this.average = new WilderAverage(n);
  }

  update(bar: Bar): number {
    const range = trueRange(bar, this.previousClose);
    this.previousClose = bar.close;
    return Number.isNaN(range) ? NaN : this.average.update(range);
  }
}
