import { type IndicatorDefinition, period, valueOf } from './indicator.ts';
import { Ema, RESUM_EVERY, RingWindow, RollingSum, Sma } from './rolling.ts';

/** Moving averages of the close (TA-Lib's definitions). */
export const MOVING_AVERAGES: readonly IndicatorDefinition[] = [
  {
    name: 'sma',
    summary: 'simple moving average of the close',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const sma = new Sma(n!);
      return { update: (bar) => valueOf(sma.update(bar.close)) };
    },
  },
  {
    name: 'ema',
    summary: 'exponential moving average, k = 2/(n+1), seeded with the SMA of the first n (TA-Lib)',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const ema = new Ema(n!);
      return { update: (bar) => valueOf(ema.update(bar.close)) };
    },
  },
  {
    name: 'wma',
    summary: 'linearly weighted moving average, weights 1…n, the latest heaviest',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const wma = new Wma(n!);
      return { update: (bar) => valueOf(wma.update(bar.close)) };
    },
  },
  {
    name: 'dema',
    summary: 'double EMA: 2·EMA − EMA(EMA), each seeded as TA-Lib seeds its EMA',
    params: [period('period', 20)],
    warmUp: ([n]) => 2 * (n! - 1),
    create: ([n]) => {
      const first = new Ema(n!);
      const second = new Ema(n!);
      return {
        update: (bar) => {
          const e1 = first.update(bar.close);
          if (Number.isNaN(e1)) return null;
          return valueOf(2 * e1 - second.update(e1));
        },
      };
    },
  },
  {
    name: 'tema',
    summary: 'triple EMA: 3·EMA − 3·EMA(EMA) + EMA(EMA(EMA))',
    params: [period('period', 20)],
    warmUp: ([n]) => 3 * (n! - 1),
    create: ([n]) => {
      const first = new Ema(n!);
      const second = new Ema(n!);
      const third = new Ema(n!);
      return {
        update: (bar) => {
          const e1 = first.update(bar.close);
          if (Number.isNaN(e1)) return null;
          const e2 = second.update(e1);
          if (Number.isNaN(e2)) return null;
          return valueOf(3 * e1 - 3 * e2 + third.update(e2));
        },
      };
    },
  },
  {
    name: 'kama',
    summary:
      "Kaufman's adaptive moving average: efficiency ratio over n, smoothing between the fast and slow EMA constants, squared (TA-Lib)",
    params: [period('period', 10), period('fast', 2), period('slow', 30)],
    warmUp: ([n]) => n!,
    create: ([n, fast, slow]) => new Kama(n!, fast!, slow!),
  },
];

/**
 * Weights 1…n in O(1): when the window moves, every weight drops by one, which takes the plain
 * sum of the window off the weighted sum, and the new value comes in with weight n.
 */
class Wma {
  private readonly sum: RollingSum;
  private weighted = 0;
  private updates = 0;
  private readonly divisor: number;

  constructor(private readonly n: number) {
    this.sum = new RollingSum(n);
    this.divisor = (n * (n + 1)) / 2;
  }

  update(x: number): number {
    const count = this.sum.count;
    if (count < this.n) this.weighted += (count + 1) * x;
    else this.weighted += this.n * x - this.sum.sum;
    this.sum.push(x);
    // Re-summed exactly now and then, against the drift of adding and taking off.
    if (++this.updates % RESUM_EVERY === 0) this.resum();
    return this.sum.full ? this.weighted / this.divisor : NaN;
  }

  private resum(): void {
    const window = this.sum.window;
    let weighted = 0;
    for (let back = 0; back < window.count; back++) weighted += (window.count - back) * window.ago(back);
    this.weighted = weighted;
  }
}

class Kama {
  private readonly closes: RingWindow;
  /** |close − previous close| of the last n changes. */
  private readonly changes: RollingSum;
  private readonly fastest: number;
  private readonly slowest: number;
  private value = NaN;

  constructor(
    private readonly n: number,
    fast: number,
    slow: number,
  ) {
    this.closes = new RingWindow(n + 1);
    this.changes = new RollingSum(n);
    this.fastest = 2 / (fast + 1);
    this.slowest = 2 / (slow + 1);
  }

  update(bar: { close: number }): number | null {
    const close = bar.close;
    if (this.closes.count > 0) this.changes.push(Math.abs(close - this.closes.ago(0)));
    const previousClose = this.closes.count > 0 ? this.closes.ago(0) : NaN;
    this.closes.push(close);
    if (!this.closes.full) return null;
    // TA-Lib starts from the previous close, and takes the ratio as 1 when the path is no
    // longer than the move (a straight line, or no move at all).
    if (Number.isNaN(this.value)) this.value = previousClose;
    const move = Math.abs(close - this.closes.ago(this.n));
    const path = this.changes.sum;
    const efficiency = path <= move || path === 0 ? 1 : move / path;
    const constant = efficiency * (this.fastest - this.slowest) + this.slowest;
    this.value += constant * constant * (close - this.value);
    return this.value;
  }
}
