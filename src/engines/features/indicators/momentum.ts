import type { Bar } from '../bar-builder.ts';
import { type IndicatorDefinition, period, valueOf } from './indicator.ts';
import { Ema, RingWindow, RollingExtreme, Sma, WilderAverage } from './rolling.ts';

/** Oscillators and momentum (TA-Lib's definitions, including what it gives on flat prices). */
export const MOMENTUM: readonly IndicatorDefinition[] = [
  {
    name: 'rsi',
    summary:
      "Wilder's relative strength index: 100·gain/(gain+loss), Wilder-smoothed; 0 on flat prices (TA-Lib)",
    params: [period('period', 14)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const rsi = new Rsi(n!);
      return { update: (bar) => valueOf(rsi.update(bar.close)) };
    },
  },
  {
    name: 'stoch',
    summary: 'slow stochastic: %K = SMA(100·(C−LL)/(HH−LL)), %D = SMA(%K) (TA-Lib STOCH with SMAs)',
    params: [period('period', 14), period('k', 3), period('d', 3)],
    outputs: ['k', 'd'],
    warmUp: ([n, k, d]) => n! - 1 + k! - 1 + d! - 1,
    create: ([n, k, d]) => {
      const fast = new Stochastic(n!);
      const smoothed = new SlowLines(k!, d!);
      return { update: (bar) => smoothed.update(fast.update(bar.high, bar.low, bar.close)) };
    },
  },
  {
    name: 'stochrsi',
    summary:
      'stochastic of the RSI: %K = SMA_k(stoch_n(RSI)), %D = SMA_d(%K); with k = 1 it is TA-Lib STOCHRSI',
    params: [period('rsi', 14), period('period', 14), period('k', 3), period('d', 3)],
    outputs: ['k', 'd'],
    warmUp: ([rsi, n, k, d]) => rsi! + n! - 1 + k! - 1 + d! - 1,
    create: ([rsiPeriod, n, k, d]) => {
      const rsi = new Rsi(rsiPeriod!);
      const fast = new Stochastic(n!);
      const smoothed = new SlowLines(k!, d!);
      return {
        update: (bar) => {
          const r = rsi.update(bar.close);
          return Number.isNaN(r) ? null : smoothed.update(fast.update(r, r, r));
        },
      };
    },
  },
  {
    name: 'macd',
    summary:
      "MACD = EMA_fast − EMA_slow, signal = EMA(MACD), histogram = MACD − signal, seeded as TA-Lib's MACD",
    params: [period('fast', 12), period('slow', 26), period('signal', 9)],
    outputs: ['macd', 'signal', 'histogram'],
    warmUp: ([fast, slow, signal]) => Math.max(fast!, slow!) - 1 + signal! - 1,
    create: ([fast, slow, signal]) => new Macd(fast!, slow!, signal!),
  },
  {
    name: 'cci',
    summary:
      'commodity channel index: (TP − SMA(TP))/(0.015 · mean absolute deviation), TP = (H+L+C)/3; O(n) per bar (the mean deviation has no O(1) update)',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const typical = new RingWindow(n!);
      return {
        update: (bar) => {
          const tp = (bar.high + bar.low + bar.close) / 3;
          typical.push(tp);
          if (!typical.full) return null;
          let sum = 0;
          for (let back = 0; back < n!; back++) sum += typical.ago(back);
          const mean = sum / n!;
          let deviation = 0;
          for (let back = 0; back < n!; back++) deviation += Math.abs(typical.ago(back) - mean);
          deviation /= n!;
          return deviation === 0 ? 0 : (tp - mean) / (0.015 * deviation);
        },
      };
    },
  },
  {
    name: 'roc',
    summary: 'rate of change: 100·(C/C[n] − 1); 0 when C[n] is 0 (TA-Lib)',
    params: [period('period', 10)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const closes = new RingWindow(n! + 1);
      return {
        update: (bar) => {
          closes.push(bar.close);
          if (!closes.full) return null;
          const then = closes.ago(n!);
          return then === 0 ? 0 : (bar.close / then - 1) * 100;
        },
      };
    },
  },
  {
    name: 'mom',
    summary: 'momentum: C − C[n]',
    params: [period('period', 10)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const closes = new RingWindow(n! + 1);
      return {
        update: (bar) => {
          closes.push(bar.close);
          return closes.full ? bar.close - closes.ago(n!) : null;
        },
      };
    },
  },
  {
    name: 'willr',
    summary: "Williams' %R: −100·(HH − C)/(HH − LL) over n bars; 0 when HH = LL (TA-Lib)",
    params: [period('period', 14)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const highest = new RollingExtreme(n!, 'max');
      const lowest = new RollingExtreme(n!, 'min');
      return {
        update: (bar) => {
          highest.push(bar.high);
          lowest.push(bar.low);
          if (!highest.full) return null;
          const range = highest.value - lowest.value;
          return range === 0 ? 0 : (-100 * (highest.value - bar.close)) / range;
        },
      };
    },
  },
];

/** Wilder's RSI as TA-Lib computes it: the first averages are the simple means of n changes. */
export class Rsi {
  private readonly gains: WilderAverage;
  private readonly losses: WilderAverage;
  private previous = NaN;

  constructor(n: number) {
    this.gains = new WilderAverage(n);
    this.losses = new WilderAverage(n);
  }

  update(close: number): number {
    const previous = this.previous;
    this.previous = close;
    if (Number.isNaN(previous)) return NaN;
    const change = close - previous;
    const gain = this.gains.update(change > 0 ? change : 0);
    const loss = this.losses.update(change < 0 ? -change : 0);
    if (Number.isNaN(gain)) return NaN;
    const total = gain + loss;
    return total === 0 ? 0 : (100 * gain) / total;
  }
}

/** The fast stochastic 100·(C − LL)/(HH − LL) over n bars; 0 when HH = LL (TA-Lib). */
class Stochastic {
  private readonly highest: RollingExtreme;
  private readonly lowest: RollingExtreme;

  constructor(n: number) {
    this.highest = new RollingExtreme(n, 'max');
    this.lowest = new RollingExtreme(n, 'min');
  }

  update(high: number, low: number, close: number): number {
    this.highest.push(high);
    this.lowest.push(low);
    if (!this.highest.full) return NaN;
    const range = this.highest.value - this.lowest.value;
    return range === 0 ? 0 : (100 * (close - this.lowest.value)) / range;
  }
}

/** A stochastic's slow lines: %K = SMA_k(fast %K), %D = SMA_d(%K); null until both have values. */
class SlowLines {
  private readonly slowK: Sma;
  private readonly slowD: Sma;

  constructor(k: number, d: number) {
    this.slowK = new Sma(k);
    this.slowD = new Sma(d);
  }

  update(fast: number): { k: number; d: number } | null {
    if (Number.isNaN(fast)) return null;
    const k = this.slowK.update(fast);
    if (Number.isNaN(k)) return null;
    const d = this.slowD.update(k);
    return Number.isNaN(d) ? null : { k, d };
  }
}

/**
 * TA-Lib's MACD seeds both EMAs on the same bar, the slow period's last: the slow one with the
 * mean of its first `slow` closes, the fast one with the mean of the `fast` closes ending there
 * (not its own first ones), so the two start together. The signal EMA is seeded with the mean of
 * the first `signal` MACD values.
 */
class Macd {
  private readonly recent: RingWindow;
  private readonly slowEma: Ema;
  private readonly fastEma: Ema;
  private readonly signalEma: Ema;

  constructor(fast: number, slow: number, signal: number) {
    // TA-Lib swaps the periods when fast > slow: the fast EMA is always the shorter one.
    const [shorter, longer] = fast <= slow ? [fast, slow] : [slow, fast];
    this.recent = new RingWindow(longer);
    this.slowEma = new Ema(longer);
    this.fastEma = new Ema(shorter);
    this.signalEma = new Ema(signal);
  }

  update(bar: Bar): { macd: number; signal: number; histogram: number } | null {
    const close = bar.close;
    this.recent.push(close);
    const slow = this.slowEma.update(close);
    if (Number.isNaN(slow)) return null;
    let fast: number;
    if (Number.isNaN(this.fastEma.value)) {
      // Seeding: the fast EMA takes the last `fast` closes at once.
      for (let back = this.fastEma.period - 1; back >= 0; back--) this.fastEma.update(this.recent.ago(back));
      fast = this.fastEma.value;
    } else fast = this.fastEma.update(close);
    const macd = fast - slow;
    const signal = this.signalEma.update(macd);
    return Number.isNaN(signal) ? null : { macd, signal, histogram: macd - signal };
  }
}
