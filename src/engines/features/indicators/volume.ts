import { type IndicatorDefinition, period } from './indicator.ts';
import { RollingSum } from './rolling.ts';

const DAY_MS = 86_400_000;

/** Indicators of traded volume. */
export const VOLUME: readonly IndicatorDefinition[] = [
  {
    name: 'obv',
    summary:
      'on-balance volume: the first bar’s volume, then ± each bar’s volume as the close rises or falls (TA-Lib)',
    params: [],
    warmUp: () => 0,
    create: () => {
      let obv = NaN;
      let previousClose = NaN;
      return {
        update: (bar) => {
          if (Number.isNaN(obv)) obv = bar.volume;
          else if (bar.close > previousClose) obv += bar.volume;
          else if (bar.close < previousClose) obv -= bar.volume;
          previousClose = bar.close;
          return obv;
        },
      };
    },
  },
  {
    name: 'mfi',
    summary:
      'money flow index: 100·positive/(positive+negative) money flow (TP·volume, by the move of TP = (H+L+C)/3) over n bars; 0 without flow (TA-Lib)',
    params: [period('period', 14)],
    warmUp: ([n]) => n!,
    create: ([n]) => {
      const positive = new RollingSum(n!);
      const negative = new RollingSum(n!);
      let previousTypical = NaN;
      return {
        update: (bar) => {
          const typical = (bar.high + bar.low + bar.close) / 3;
          const previous = previousTypical;
          previousTypical = typical;
          if (Number.isNaN(previous)) return null;
          const flow = typical * bar.volume;
          positive.push(typical > previous ? flow : 0);
          negative.push(typical < previous ? flow : 0);
          if (!positive.full) return null;
          const total = positive.sum + negative.sum;
          return total <= 0 ? 0 : (100 * positive.sum) / total;
        },
      };
    },
  },
  {
    name: 'vwap',
    summary:
      'session VWAP: Σ traded value / Σ volume since the start of the bar’s UTC day (the trades’ own prices, not typical prices)',
    params: [],
    warmUp: () => 0,
    create: () => {
      let day = NaN;
      let value = 0;
      let volume = 0;
      return {
        update: (bar) => {
          const barDay = Math.floor(bar.openTime / DAY_MS);
          if (barDay !== day) {
            day = barDay;
            value = 0;
            volume = 0;
          }
          value += bar.value;
          volume += bar.volume;
          return volume > 0 ? value / volume : null;
        },
      };
    },
  },
  {
    name: 'rolling_vwap',
    summary: 'rolling VWAP: Σ traded value / Σ volume of the last n bars (null without volume)',
    params: [period('period', 20)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const value = new RollingSum(n!);
      const volume = new RollingSum(n!);
      return {
        update: (bar) => {
          value.push(bar.value);
          volume.push(bar.volume);
          if (!value.full) return null;
          const traded = volume.sum;
          return traded > 0 ? value.sum / traded : null;
        },
      };
    },
  },
];
