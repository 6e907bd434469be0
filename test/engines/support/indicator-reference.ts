/**
 * Reference values of the features engine's indicators, written independently of it: each is the
 * published definition (TA-Lib's, where TA-Lib has the indicator) applied to whole arrays, every
 * window recomputed from scratch by scanning, with none of the engine's rolling sums, deques or
 * O(1) updates. Index i is the value after bar i; null while warming up.
 */
import type { Bar } from '../../../src/engines/index.ts';

type Series = (number | null)[];
type Record = { [output: string]: number } | null;

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const last = <T>(xs: T[], i: number, n: number): T[] => xs.slice(i - n + 1, i + 1);

/** An EMA over a series that starts with nulls: seeded with the mean of its first n values. */
function emaOf(xs: Series, n: number): Series {
  const out: Series = xs.map(() => null);
  const k = 2 / (n + 1);
  const start = xs.findIndex((x) => x !== null);
  if (start < 0) return out;
  let value: number | null = null;
  for (let i = start + n - 1; i < xs.length; i++) {
    value = value === null ? mean(xs.slice(start, start + n) as number[]) : value + k * (xs[i]! - value);
    out[i] = value;
  }
  return out;
}

function smaOf(xs: Series, n: number): Series {
  const start = xs.findIndex((x) => x !== null);
  return xs.map((_, i) => (start < 0 || i < start + n - 1 ? null : mean(last(xs, i, n) as number[])));
}

/** Wilder's average of a series from index `start`: the mean of n values, then (prev·(n−1)+x)/n. */
function wilderOf(xs: number[], start: number, n: number): Series {
  const out: Series = xs.map(() => null);
  let value: number | null = null;
  for (let i = start + n - 1; i < xs.length; i++) {
    value = value === null ? mean(xs.slice(start, start + n)) : (value * (n - 1) + xs[i]!) / n;
    out[i] = value;
  }
  return out;
}

const closes = (bars: Bar[]): number[] => bars.map((bar) => bar.close);
const highest = (xs: number[]): number => Math.max(...xs);
const lowest = (xs: number[]): number => Math.min(...xs);
const trueRanges = (bars: Bar[]): number[] =>
  bars.map((bar, i) =>
    i === 0
      ? NaN
      : Math.max(
          bar.high - bar.low,
          Math.abs(bar.high - bars[i - 1]!.close),
          Math.abs(bar.low - bars[i - 1]!.close),
        ),
  );

export function sma(bars: Bar[], n: number): Series {
  return smaOf(closes(bars), n);
}

export function ema(bars: Bar[], n: number): Series {
  return emaOf(closes(bars), n);
}

export function wma(bars: Bar[], n: number): Series {
  const c = closes(bars);
  return c.map((_, i) => {
    if (i < n - 1) return null;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += (j + 1) * c[i - n + 1 + j]!;
    return sum / ((n * (n + 1)) / 2);
  });
}

export function dema(bars: Bar[], n: number): Series {
  const e1 = ema(bars, n);
  const e2 = emaOf(e1, n);
  return e1.map((x, i) => (x === null || e2[i] === null ? null : 2 * x - e2[i]!));
}

export function tema(bars: Bar[], n: number): Series {
  const e1 = ema(bars, n);
  const e2 = emaOf(e1, n);
  const e3 = emaOf(e2, n);
  return e1.map((x, i) => (e3[i] === null ? null : 3 * x! - 3 * e2[i]! + e3[i]!));
}

export function kama(bars: Bar[], n: number, fast: number, slow: number): Series {
  const c = closes(bars);
  const fastest = 2 / (fast + 1);
  const slowest = 2 / (slow + 1);
  const out: Series = c.map(() => null);
  let value = NaN;
  for (let i = n; i < c.length; i++) {
    if (Number.isNaN(value)) value = c[i - 1]!;
    const move = Math.abs(c[i]! - c[i - n]!);
    let path = 0;
    for (let j = i - n + 1; j <= i; j++) path += Math.abs(c[j]! - c[j - 1]!);
    const er = path <= move || path === 0 ? 1 : move / path;
    const sc = (er * (fastest - slowest) + slowest) ** 2;
    value = value + sc * (c[i]! - value);
    out[i] = value;
  }
  return out;
}

export function rsi(bars: Bar[], n: number): Series {
  const c = closes(bars);
  const gains = c.map((x, i) => (i === 0 ? 0 : Math.max(0, x - c[i - 1]!)));
  const losses = c.map((x, i) => (i === 0 ? 0 : Math.max(0, c[i - 1]! - x)));
  const g = wilderOf(gains, 1, n);
  const l = wilderOf(losses, 1, n);
  return g.map((x, i) => (x === null ? null : x + l[i]! === 0 ? 0 : (100 * x) / (x + l[i]!)));
}

function fastStochastic(highs: number[], lows: number[], c: number[], n: number, from: number): Series {
  return c.map((x, i) => {
    if (i < from + n - 1) return null;
    const hh = highest(last(highs, i, n));
    const ll = lowest(last(lows, i, n));
    return hh === ll ? 0 : (100 * (x - ll)) / (hh - ll);
  });
}

export function stoch(bars: Bar[], n: number, k: number, d: number): Record[] {
  const raw = fastStochastic(
    bars.map((bar) => bar.high),
    bars.map((bar) => bar.low),
    closes(bars),
    n,
    0,
  );
  const slowK = smaOf(raw, k);
  const slowD = smaOf(slowK, d);
  return slowD.map((x, i) => (x === null ? null : { k: slowK[i]!, d: x }));
}

export function stochrsi(bars: Bar[], rsiPeriod: number, n: number, k: number, d: number): Record[] {
  const r = rsi(bars, rsiPeriod);
  const values = r.map((x) => x ?? NaN);
  const raw = fastStochastic(values, values, values, n, rsiPeriod);
  const slowK = smaOf(raw, k);
  const slowD = smaOf(slowK, d);
  return slowD.map((x, i) => (x === null ? null : { k: slowK[i]!, d: x }));
}

/** TA-Lib's MACD: both EMAs start on bar slow−1, the fast one seeded with the mean of the fast closes ending there. */
export function macd(bars: Bar[], fast: number, slow: number, signal: number): Record[] {
  const c = closes(bars);
  const slowEma = emaOf(c, slow);
  const fastK = 2 / (fast + 1);
  const line: Series = c.map(() => null);
  let fastValue = NaN;
  for (let i = slow - 1; i < c.length; i++) {
    fastValue = Number.isNaN(fastValue) ? mean(last(c, i, fast)) : fastValue + fastK * (c[i]! - fastValue);
    line[i] = fastValue - slowEma[i]!;
  }
  const signalLine = emaOf(line, signal);
  return signalLine.map((s, i) =>
    s === null ? null : { macd: line[i]!, signal: s, histogram: line[i]! - s },
  );
}

export function cci(bars: Bar[], n: number): Series {
  const tp = bars.map((bar) => (bar.high + bar.low + bar.close) / 3);
  return tp.map((x, i) => {
    if (i < n - 1) return null;
    const window = last(tp, i, n);
    const m = mean(window);
    const deviation = mean(window.map((y) => Math.abs(y - m)));
    return deviation === 0 ? 0 : (x - m) / (0.015 * deviation);
  });
}

export function roc(bars: Bar[], n: number): Series {
  const c = closes(bars);
  return c.map((x, i) => (i < n ? null : c[i - n] === 0 ? 0 : (x / c[i - n]! - 1) * 100));
}

export function mom(bars: Bar[], n: number): Series {
  const c = closes(bars);
  return c.map((x, i) => (i < n ? null : x - c[i - n]!));
}

export function willr(bars: Bar[], n: number): Series {
  return bars.map((bar, i) => {
    if (i < n - 1) return null;
    const window = last(bars, i, n);
    const hh = highest(window.map((b) => b.high));
    const ll = lowest(window.map((b) => b.low));
    return hh === ll ? 0 : (-100 * (hh - bar.close)) / (hh - ll);
  });
}

export function bb(bars: Bar[], n: number, k: number): Record[] {
  const c = closes(bars);
  return c.map((x, i) => {
    if (i < n - 1) return null;
    const window = last(c, i, n);
    const m = mean(window);
    // A window of one price has no spread (summing it may round the mean off that price).
    const sd = highest(window) === lowest(window) ? 0 : Math.sqrt(mean(window.map((y) => (y - m) ** 2)));
    const upper = m + k * sd;
    const lower = m - k * sd;
    return {
      upper,
      middle: m,
      lower,
      percentB: upper === lower ? 0.5 : (x - lower) / (upper - lower),
      bandwidth: (upper - lower) / m,
    };
  });
}

export function atr(bars: Bar[], n: number): Series {
  return wilderOf(trueRanges(bars), 1, n);
}

export function keltner(bars: Bar[], n: number, k: number, m: number): Record[] {
  const middle = ema(bars, n);
  const range = atr(bars, m);
  return middle.map((x, i) =>
    x === null || range[i] === null
      ? null
      : { upper: x + k * range[i]!, middle: x, lower: x - k * range[i]! },
  );
}

export function donchian(bars: Bar[], n: number): Record[] {
  return bars.map((_, i) => {
    if (i < n - 1) return null;
    const window = last(bars, i, n);
    const upper = highest(window.map((b) => b.high));
    const lower = lowest(window.map((b) => b.low));
    return { upper, middle: (upper + lower) / 2, lower };
  });
}

/** TA-Lib's ADX, transcribed from its definition over arrays. */
export function adx(bars: Bar[], n: number): Record[] {
  const out: Record[] = bars.map(() => null);
  const tr = trueRanges(bars);
  const plus = bars.map((bar, i) => {
    if (i === 0) return 0;
    const up = bar.high - bars[i - 1]!.high;
    const down = bars[i - 1]!.low - bar.low;
    return up > 0 && up > down ? up : 0;
  });
  const minus = bars.map((bar, i) => {
    if (i === 0) return 0;
    const up = bar.high - bars[i - 1]!.high;
    const down = bars[i - 1]!.low - bar.low;
    return down > 0 && down > up ? down : 0;
  });
  if (bars.length < n) return out;
  let sp = plus.slice(1, n).reduce((a, b) => a + b, 0);
  let sm = minus.slice(1, n).reduce((a, b) => a + b, 0);
  let st = tr.slice(1, n).reduce((a, b) => a + b, 0);
  const dxs: number[] = [];
  let value = NaN;
  for (let i = n; i < bars.length; i++) {
    sp = sp - sp / n + plus[i]!;
    sm = sm - sm / n + minus[i]!;
    st = st - st / n + tr[i]!;
    const pdi = st === 0 ? 0 : (100 * sp) / st;
    const mdi = st === 0 ? 0 : (100 * sm) / st;
    const dx = pdi + mdi === 0 ? null : (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
    if (i < 2 * n - 1) {
      dxs.push(dx ?? 0);
      continue;
    }
    if (i === 2 * n - 1) value = (dxs.reduce((a, b) => a + b, 0) + (dx ?? 0)) / n;
    else if (dx !== null) value = (value * (n - 1) + dx) / n;
    out[i] = { adx: value, plusDi: pdi, minusDi: mdi };
  }
  return out;
}

export function aroon(bars: Bar[], n: number): Record[] {
  return bars.map((_, i) => {
    if (i < n) return null;
    let highAt = i - n;
    let lowAt = i - n;
    for (let j = i - n; j <= i; j++) {
      if (bars[j]!.high >= bars[highAt]!.high) highAt = j;
      if (bars[j]!.low <= bars[lowAt]!.low) lowAt = j;
    }
    const up = (100 * (n - (i - highAt))) / n;
    const down = (100 * (n - (i - lowAt))) / n;
    return { up, down, oscillator: up - down };
  });
}

/** Least squares in its centred form, Σ(x−x̄)(y−ȳ)/Σ(x−x̄)². */
export function slope(bars: Bar[], n: number): Series {
  const c = closes(bars);
  return c.map((_, i) => {
    if (i < n - 1) return null;
    const ys = last(c, i, n);
    const xBar = (n - 1) / 2;
    const yBar = mean(ys);
    let num = 0;
    let den = 0;
    ys.forEach((y, x) => {
      num += (x - xBar) * (y - yBar);
      den += (x - xBar) ** 2;
    });
    return num / den;
  });
}

export function obv(bars: Bar[]): Series {
  let value = 0;
  return bars.map((bar, i) => {
    if (i === 0) value = bar.volume;
    else if (bar.close > bars[i - 1]!.close) value += bar.volume;
    else if (bar.close < bars[i - 1]!.close) value -= bar.volume;
    return value;
  });
}

export function mfi(bars: Bar[], n: number): Series {
  const tp = bars.map((bar) => (bar.high + bar.low + bar.close) / 3);
  return bars.map((_, i) => {
    if (i < n) return null;
    let positive = 0;
    let negative = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const flow = tp[j]! * bars[j]!.volume;
      if (tp[j]! > tp[j - 1]!) positive += flow;
      else if (tp[j]! < tp[j - 1]!) negative += flow;
    }
    return positive + negative === 0 ? 0 : (100 * positive) / (positive + negative);
  });
}

export function vwap(bars: Bar[]): Series {
  const day = (bar: Bar): number => Math.floor(bar.openTime / 86_400_000);
  return bars.map((bar, i) => {
    const session = bars.slice(0, i + 1).filter((b) => day(b) === day(bar));
    const volume = session.reduce((a, b) => a + b.volume, 0);
    return volume > 0 ? session.reduce((a, b) => a + b.value, 0) / volume : null;
  });
}

export function rollingVwap(bars: Bar[], n: number): Series {
  return bars.map((_, i) => {
    if (i < n - 1) return null;
    const window = last(bars, i, n);
    const volume = window.reduce((a, b) => a + b.volume, 0);
    return volume > 0 ? window.reduce((a, b) => a + b.value, 0) / volume : null;
  });
}

const sampleVariance = (xs: number[]): number => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
};

export function closeVol(bars: Bar[], n: number): Series {
  const c = closes(bars);
  const returns = c.map((x, i) => (i === 0 ? NaN : Math.log(x / c[i - 1]!)));
  return c.map((_, i) => (i < n ? null : Math.sqrt(sampleVariance(last(returns, i, n)))));
}

export function parkinson(bars: Bar[], n: number): Series {
  return bars.map((_, i) =>
    i < n - 1
      ? null
      : Math.sqrt(
          last(bars, i, n).reduce((a, b) => a + Math.log(b.high / b.low) ** 2, 0) / (4 * n * Math.log(2)),
        ),
  );
}

export function garmanKlass(bars: Bar[], n: number): Series {
  return bars.map((_, i) =>
    i < n - 1
      ? null
      : Math.sqrt(
          Math.max(
            0,
            mean(
              last(bars, i, n).map(
                (b) =>
                  0.5 * Math.log(b.high / b.low) ** 2 -
                  (2 * Math.log(2) - 1) * Math.log(b.close / b.open) ** 2,
              ),
            ),
          ),
        ),
  );
}

export function yangZhang(bars: Bar[], n: number): Series {
  const k = 0.34 / (1.34 + (n + 1) / (n - 1));
  return bars.map((_, i) => {
    if (i < n) return null;
    const window = last(bars, i, n);
    const overnight = window.map((b, j) => Math.log(b.open / bars[i - n + j]!.close));
    const body = window.map((b) => Math.log(b.close / b.open));
    const rs = mean(
      window.map(
        (b) =>
          Math.log(b.high / b.close) * Math.log(b.high / b.open) +
          Math.log(b.low / b.close) * Math.log(b.low / b.open),
      ),
    );
    return Math.sqrt(sampleVariance(overnight) + k * sampleVariance(body) + (1 - k) * Math.max(0, rs));
  });
}

export function tradeImbalance(bars: Bar[], n: number): Series {
  return bars.map((_, i) => {
    if (i < n - 1) return null;
    const window = last(bars, i, n);
    const buy = window.reduce((a, b) => a + b.buyVolume, 0);
    const sell = window.reduce((a, b) => a + b.sellVolume, 0);
    return buy + sell > 0 ? (buy - sell) / (buy + sell) : null;
  });
}
