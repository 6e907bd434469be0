import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as second from 'technicalindicators';
import { type Bar } from '../../src/engines/index.ts';
import {
  INDICATORS,
  type IndicatorValue,
  type MarketView,
  parseFeatureName,
  usage,
} from '../../src/engines/features/indicators/index.ts';
import * as reference from './support/indicator-reference.ts';

/** A deterministic random walk of bars (an LCG, not Math.random: the same bars on every run). */
function walk(count: number, seed = 7, start = 60_000): Bar[] {
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const bars: Bar[] = [];
  let close = start;
  for (let i = 0; i < count; i++) {
    const open = close * (1 + (random() - 0.5) * 0.002);
    close = open * (1 + (random() - 0.5) * 0.01);
    const high = Math.max(open, close) * (1 + random() * 0.003);
    const low = Math.min(open, close) * (1 - random() * 0.003);
    const volume = Math.round(random() * 1_000) / 100;
    const buyVolume = Math.round(volume * random() * 100) / 100;
    bars.push({
      openTime: 1_700_000_000_000 + i * 60_000,
      closeTime: 1_700_000_000_000 + (i + 1) * 60_000,
      open,
      high,
      low,
      close,
      volume,
      value: (volume * (high + low + close)) / 3,
      buyVolume,
      sellVolume: volume - buyVolume,
      trades: 10,
    });
  }
  return bars;
}

/** Bars that do not move: what a quiet symbol gives (flat bars, no volume). */
function flat(count: number, price = 100): Bar[] {
  return Array.from({ length: count }, (_, i) => ({
    openTime: i * 1_000,
    closeTime: (i + 1) * 1_000,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    value: 0,
    buyVolume: 0,
    sellVolume: 0,
    trades: 0,
  }));
}

const NO_BOOK: MarketView = { quote: () => undefined, depth: () => ({ bid: 0, ask: 0 }) };

function run(name: string, bars: Bar[], market: MarketView = NO_BOOK): (IndicatorValue | null)[] {
  const request = parseFeatureName(name);
  const indicator = request.indicator.create(request.params);
  return bars.map((bar) => indicator.update(bar, market));
}

function close(actual: number, expected: number, where: string): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= 1e-9 * scale, `${where}: ${actual} ≠ ${expected}`);
}

function assertSeries(
  actual: (IndicatorValue | null)[],
  expected: (IndicatorValue | null)[],
  label: string,
): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => {
    const want = expected[i];
    const where = `${label} at bar ${i}`;
    if (want === null || want === undefined)
      return assert.equal(value, null, `${where}: expected no value yet`);
    assert.notEqual(value, null, `${where}: expected ${JSON.stringify(want)}`);
    if (typeof want === 'number') return close(value as number, want, where);
    for (const [output, number] of Object.entries(want))
      close((value as Record<string, number>)[output]!, number, `${where} (${output})`);
  });
}

const bars = walk(600);
/** [feature name, reference] for every bar indicator. */
const CASES: [string, (bars: Bar[]) => (IndicatorValue | null)[]][] = [
  ['sma-20', (b) => reference.sma(b, 20)],
  ['ema-20', (b) => reference.ema(b, 20)],
  ['wma-20', (b) => reference.wma(b, 20)],
  ['dema-10', (b) => reference.dema(b, 10)],
  ['tema-10', (b) => reference.tema(b, 10)],
  ['kama-10-2-30', (b) => reference.kama(b, 10, 2, 30)],
  ['rsi-14', (b) => reference.rsi(b, 14)],
  ['stoch-14-3-3', (b) => reference.stoch(b, 14, 3, 3)],
  ['stochrsi-14-14-3-3', (b) => reference.stochrsi(b, 14, 14, 3, 3)],
  ['macd-12-26-9', (b) => reference.macd(b, 12, 26, 9)],
  ['cci-20', (b) => reference.cci(b, 20)],
  ['roc-10', (b) => reference.roc(b, 10)],
  ['mom-10', (b) => reference.mom(b, 10)],
  ['willr-14', (b) => reference.willr(b, 14)],
  ['bb-20-2', (b) => reference.bb(b, 20, 2)],
  ['bb-20-2_5', (b) => reference.bb(b, 20, 2.5)],
  ['atr-14', (b) => reference.atr(b, 14)],
  ['keltner-20-2-10', (b) => reference.keltner(b, 20, 2, 10)],
  ['donchian-20', (b) => reference.donchian(b, 20)],
  ['adx-14', (b) => reference.adx(b, 14)],
  ['aroon-25', (b) => reference.aroon(b, 25)],
  ['slope-14', (b) => reference.slope(b, 14)],
  ['obv', (b) => reference.obv(b)],
  ['mfi-14', (b) => reference.mfi(b, 14)],
  ['vwap', (b) => reference.vwap(b)],
  ['rolling_vwap-20', (b) => reference.rollingVwap(b, 20)],
  ['close_vol-20', (b) => reference.closeVol(b, 20)],
  ['parkinson-20', (b) => reference.parkinson(b, 20)],
  ['garman_klass-20', (b) => reference.garmanKlass(b, 20)],
  ['yang_zhang-20', (b) => reference.yangZhang(b, 20)],
  ['trade_imbalance-5', (b) => reference.tradeImbalance(b, 5)],
  ['psar-0_02-0_2', (b) => psarReference(b, 0.02, 0.2)],
];

describe('indicators match their reference definitions', () => {
  for (const [name, compute] of CASES) {
    it(`${name}: every bar of a 600-bar walk, warm-up included`, () => {
      assertSeries(run(name, bars), compute(bars), name);
    });
  }

  it('the catalog has at least 30 indicators and every bar indicator is checked here', () => {
    assert.ok(INDICATORS.length >= 30, `${INDICATORS.length} indicators`);
    const checked = new Set(CASES.map(([name]) => parseFeatureName(name).indicator.name));
    const unchecked = INDICATORS.filter(
      (definition) => !checked.has(definition.name) && !BOOK_FEATURES.includes(definition.name),
    );
    assert.deepEqual(
      unchecked.map((definition) => definition.name),
      [],
    );
  });

  it('the first value comes after exactly warmUp bars, for every indicator at its defaults', () => {
    const withBook = marketWithBook();
    for (const definition of INDICATORS) {
      const values = run(definition.name, bars, withBook);
      const first = values.findIndex((value) => value !== null);
      assert.equal(
        first,
        definition.warmUp(definition.params.map((param) => param.default)),
        definition.name,
      );
    }
  });
});

describe('a second library, technicalindicators, gives the same values', () => {
  const c = bars.map((bar) => bar.close);
  const high = bars.map((bar) => bar.high);
  const low = bars.map((bar) => bar.low);
  /** Ours after warm-up against theirs (which leave the warm-up out), to `tolerance`. */
  function agree(
    name: string,
    theirs: number[],
    tolerance = 1e-9,
    pick = (value: IndicatorValue) => value as number,
  ) {
    const ours = run(name, bars)
      .filter((value) => value !== null)
      .map(pick);
    assert.equal(ours.length, theirs.length, name);
    ours.forEach((value, i) => {
      const scale = Math.max(1, Math.abs(theirs[i]!));
      assert.ok(
        Math.abs(value - theirs[i]!) <= tolerance * scale,
        `${name} at ${i}: ${value} ≠ ${theirs[i]}`,
      );
    });
  }
  it('SMA, EMA (seeded with the SMA, as TA-Lib), WMA', () => {
    agree('sma-20', second.SMA.calculate({ period: 20, values: c }));
    agree('ema-20', second.EMA.calculate({ period: 20, values: c }));
    agree('wma-20', second.WMA.calculate({ period: 20, values: c }));
  });
  it('Bollinger Bands, ATR, CCI, ROC, Williams %R', () => {
    const bands = second.BollingerBands.calculate({ period: 20, stdDev: 2, values: c });
    agree(
      'bb-20-2',
      bands.map((band) => band.upper),
      1e-9,
      (value) => (value as { upper: number }).upper,
    );
    agree(
      'bb-20-2',
      bands.map((band) => band.lower),
      1e-9,
      (value) => (value as { lower: number }).lower,
    );
    agree('atr-14', second.ATR.calculate({ period: 14, high, low, close: c }));
    agree('cci-20', second.CCI.calculate({ period: 20, high, low, close: c }));
    agree('roc-10', second.ROC.calculate({ period: 10, values: c }));
    agree('willr-14', second.WilliamsR.calculate({ period: 14, high, low, close: c }));
  });
  it('RSI (theirs rounded to two decimals)', () => {
    const theirs = second.RSI.calculate({ period: 14, values: c });
    const ours = run('rsi-14', bars).filter((value) => value !== null) as number[];
    assert.equal(ours.length, theirs.length);
    ours.forEach((value, i) =>
      assert.ok(Math.abs(value - theirs[i]!) <= 0.005 + 1e-9, `${value} ≠ ${theirs[i]}`),
    );
  });
});

describe('indicator edge cases', () => {
  it('flat prices: every indicator gives its documented value and nothing is NaN or infinite', () => {
    const quiet = flat(120);
    const expected: Record<string, IndicatorValue> = {
      'rsi-14': 0,
      'willr-14': 0,
      'cci-20': 0,
      'roc-10': 0,
      'mom-10': 0,
      'slope-14': 0,
      'atr-14': 0,
      'close_vol-20': 0,
      'parkinson-20': 0,
      'mfi-14': 0,
      'stoch-14-3-3': { k: 0, d: 0 },
      'bb-20-2': { upper: 100, middle: 100, lower: 100, percentB: 0.5, bandwidth: 0 },
    };
    for (const definition of INDICATORS) {
      const values = run(definition.name, quiet);
      for (const value of values) {
        if (value === null) continue;
        for (const number of typeof value === 'number' ? [value] : Object.values(value))
          assert.ok(Number.isFinite(number), `${definition.name}: ${JSON.stringify(value)}`);
      }
    }
    for (const [name, want] of Object.entries(expected))
      assert.deepEqual(run(name, quiet).at(-1), want, name);
    // No volume at all: the volume-weighted prices have nothing to weigh.
    assert.equal(run('vwap', quiet).at(-1), null);
    assert.equal(run('rolling_vwap-20', quiet).at(-1), null);
    assert.equal(run('trade_imbalance-5', quiet).at(-1), null);
  });

  it('a gap (flat bars between moves) and a single bar follow the same definitions', () => {
    const gapped = [
      ...walk(40, 3),
      ...flat(30, walk(40, 3).at(-1)!.close),
      ...walk(40, 5, walk(40, 3).at(-1)!.close),
    ];
    gapped.forEach((bar, i) => {
      bar.openTime = i * 60_000;
      bar.closeTime = (i + 1) * 60_000;
    });
    for (const [name, compute] of CASES) assertSeries(run(name, gapped), compute(gapped), `${name} (gap)`);
    const single = walk(1);
    for (const [name, compute] of CASES)
      assertSeries(run(name, single), compute(single), `${name} (one bar)`);
  });

  it('prices near 60,000 moving by cents keep their precision over 20,000 bars (rolling sums re-summed)', () => {
    const long = walk(20_000, 11).map((bar) => ({ ...bar, close: 60_000 + (bar.close - 60_000) / 1_000 }));
    const values = run('bb-20-2', long) as { middle: number; upper: number }[];
    const want = reference.bb(long.slice(-20), 20, 2).at(-1)!;
    close(values.at(-1)!.middle, want.middle!, 'middle');
    close(values.at(-1)!.upper - values.at(-1)!.middle, want.upper! - want.middle!, 'width');
  });
});

describe('book features', () => {
  it('spread, mid, microprice and the imbalances read the book as the bar closed', () => {
    const market = marketWithBook();
    const [bar] = walk(1);
    assert.deepEqual(run('spread', [bar!], market)[0], { spread: 2, bps: (10_000 * 2) / 101 });
    assert.deepEqual(run('mid', [bar!], market)[0], 101);
    assert.equal(run('microprice', [bar!], market)[0], (100 * 1 + 102 * 3) / 4);
    assert.equal(run('book_imbalance', [bar!], market)[0], (3 - 1) / 4);
    assert.equal(run('depth_imbalance-5', [bar!], market)[0], (10 - 30) / 40);
    assert.equal(run('spread', [bar!])[0], null, 'no quote yet: no value');
  });
});

describe('feature names', () => {
  it('parameters default, decimals are written _, a bar spec follows ":"', () => {
    assert.deepEqual(parseFeatureName('macd').params, [12, 26, 9]);
    assert.deepEqual(parseFeatureName('bb-20-2_5:1m').params, [20, 2.5]);
    assert.equal(parseFeatureName('bb-20-2_5:1m').spec, '1m');
    assert.equal(parseFeatureName('rsi').spec, undefined);
  });

  for (const [name, why] of [
    ['nope-3', /no indicator "nope"/],
    ['rsi-14-3', /takes 1 parameter/],
    ['rsi-0', /period must be a whole number from 1/],
    ['rsi-1_5', /whole number/],
    ['rsi-x', /whole number/],
    ['rsi:1m:5m', /at most one/],
    ['rsi:', /at most one/],
  ] as const) {
    it(`${name} is refused with BAD_FEATURE`, () => {
      assert.throws(
        () => parseFeatureName(name),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'BAD_FEATURE');
          assert.match(error.message, why);
          return true;
        },
      );
    });
  }
});

const BOOK_FEATURES = ['spread', 'mid', 'microprice', 'book_imbalance', 'depth_imbalance'];

function marketWithBook(): MarketView {
  return {
    quote: () => ({ bidPrice: 100, bidSize: 3, askPrice: 102, askSize: 1 }),
    depth: () => ({ bid: 10, ask: 30 }),
  };
}

/** TA-Lib's SAR (ta_SAR.c), transcribed over arrays. */
function psarReference(bars: Bar[], acceleration: number, maximum: number): (number | null)[] {
  const out: (number | null)[] = bars.map(() => null);
  if (bars.length < 2) return out;
  const minusDm = bars[0]!.low - bars[1]!.low;
  const plusDm = bars[1]!.high - bars[0]!.high;
  let isLong = !(minusDm > 0 && minusDm > plusDm);
  let af = acceleration;
  let ep = isLong ? bars[1]!.high : bars[1]!.low;
  let sar = isLong ? bars[0]!.low : bars[0]!.high;
  let newHigh = bars[1]!.high;
  let newLow = bars[1]!.low;
  for (let today = 1; today < bars.length; today++) {
    const prevHigh = newHigh;
    const prevLow = newLow;
    newHigh = bars[today]!.high;
    newLow = bars[today]!.low;
    if (isLong) {
      if (newLow <= sar) {
        isLong = false;
        sar = Math.max(ep, prevHigh, newHigh);
        out[today] = sar;
        af = acceleration;
        ep = newLow;
        sar = Math.max(sar + af * (ep - sar), prevHigh, newHigh);
      } else {
        out[today] = sar;
        if (newHigh > ep) {
          ep = newHigh;
          af = Math.min(af + acceleration, maximum);
        }
        sar = Math.min(sar + af * (ep - sar), prevLow, newLow);
      }
    } else if (newHigh >= sar) {
      isLong = true;
      sar = Math.min(ep, prevLow, newLow);
      out[today] = sar;
      af = acceleration;
      ep = newHigh;
      sar = Math.min(sar + af * (ep - sar), prevLow, newLow);
    } else {
      out[today] = sar;
      if (newLow < ep) {
        ep = newLow;
        af = Math.min(af + acceleration, maximum);
      }
      sar = Math.max(sar + af * (ep - sar), prevHigh, newHigh);
    }
  }
  return out;
}

describe('docs/FEATURES.md', () => {
  it('lists every indicator with its name, defaults and warm-up', () => {
    const doc = readFileSync(new URL('../../docs/FEATURES.md', import.meta.url), 'utf8');
    for (const definition of INDICATORS) {
      const warmUp = definition.warmUp(definition.params.map((param) => param.default));
      assert.ok(doc.includes(`| \`${usage(definition)}\` | ${definition.summary} |`), definition.name);
      assert.match(
        doc,
        new RegExp(`\\| \`${usage(definition).replace(/[<>=_.-]/g, '.')}\` \\|.*\\| ${warmUp} \\|`),
      );
    }
  });
});
