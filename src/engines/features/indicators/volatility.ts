import { type IndicatorDefinition, period } from './indicator.ts';
import { RollingSum } from './rolling.ts';

/**
 * Volatility estimators over n bars, per bar (not annualized: multiply by √(bars per year)). Each
 * is a standard deviation of log prices' moves, from closes or from the bars' ranges.
 */
export const VOLATILITY: readonly IndicatorDefinition[] = [
  {
    name: 'close_vol',
    summary: 'close-to-close: sample standard deviation of ln(Cₜ/Cₜ₋₁) over n bars',
    params: [period('period', 20, 2)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const returns = new RollingSum(n!);
      let previousClose = NaN;
      return {
        update: (bar) => {
          const previous = previousClose;
          previousClose = bar.close;
          if (Number.isNaN(previous)) return null;
          returns.push(Math.log(bar.close / previous));
          return returns.full ? Math.sqrt(returns.sampleVariance) : null;
        },
      };
    },
  },
  {
    name: 'parkinson',
    summary: 'Parkinson: √(Σ ln(H/L)² / (4n·ln 2)) over n bars',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const squares = new RollingSum(n!);
      return {
        update: (bar) => {
          const range = Math.log(bar.high / bar.low);
          squares.push(range * range);
          return squares.full ? Math.sqrt(Math.max(0, squares.sum) / (4 * n! * Math.LN2)) : null;
        },
      };
    },
  },
  {
    name: 'garman_klass',
    summary: 'Garman–Klass: √(mean of ½·ln(H/L)² − (2·ln 2 − 1)·ln(C/O)²) over n bars',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const terms = new RollingSum(n!);
      return {
        update: (bar) => {
          const range = Math.log(bar.high / bar.low);
          const body = Math.log(bar.close / bar.open);
          terms.push(0.5 * range * range - (2 * Math.LN2 - 1) * body * body);
          return terms.full ? Math.sqrt(Math.max(0, terms.mean)) : null;
        },
      };
    },
  },
  {
    name: 'yang_zhang',
    summary:
      'Yang–Zhang: √(σ²overnight + k·σ²open-to-close + (1−k)·σ²Rogers–Satchell), k = 0.34/(1.34 + (n+1)/(n−1)), sample variances over n bars',
    params: [period('period', 20, 2)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const overnight = new RollingSum(n!);
      const body = new RollingSum(n!);
      const rogersSatchell = new RollingSum(n!);
      const k = 0.34 / (1.34 + (n! + 1) / (n! - 1));
      let previousClose = NaN;
      return {
        update: (bar) => {
          const previous = previousClose;
          previousClose = bar.close;
          if (Number.isNaN(previous)) return null;
          overnight.push(Math.log(bar.open / previous));
          body.push(Math.log(bar.close / bar.open));
          const high = Math.log(bar.high / bar.open);
          const low = Math.log(bar.low / bar.open);
          const close = Math.log(bar.close / bar.open);
          rogersSatchell.push(high * (high - close) + low * (low - close));
          if (!overnight.full) return null;
          const variance =
            overnight.sampleVariance + k * body.sampleVariance + (1 - k) * Math.max(0, rogersSatchell.mean);
          return Math.sqrt(variance);
        },
      };
    },
  },
];
