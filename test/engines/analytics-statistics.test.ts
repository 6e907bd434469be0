import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  alphaBeta,
  annualVolatility,
  averageLoss,
  averageWin,
  cagr,
  calmarRatio,
  conditionalValueAtRisk,
  expectancy,
  informationRatio,
  kurtosis,
  longestLossStreak,
  longestWinStreak,
  maxDrawdown,
  maxDrawdownDuration,
  omegaRatio,
  type PerformanceStatistics,
  profitFactor,
  sharpeRatio,
  skew,
  sortinoRatio,
  summarize,
  summarizeTrades,
  tailRatio,
  totalReturn,
  valueAtRisk,
  winRate,
} from '../../src/engines/analytics/statistics.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures. The series are generated exactly as in fixtures/analytics_reference.py (same LCG, same
// arithmetic in the same order), so the Python reference and these tests see bit-identical inputs.
// ---------------------------------------------------------------------------------------------

/** Numerical Recipes' 32-bit LCG; floats in [0, 1). Deterministic, unlike Math.random. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(1664525, state) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 500 returns in about [-2 %, +2 %], exactly flat every 37th period, a 5x shock every 41st. */
function strategyReturns(n: number): number[] {
  const next = lcg(12345);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let r = (next() - 0.5) * 0.04 + 0.0005;
    if (i % 37 === 0) r = 0;
    else if (i % 41 === 0) r = r * 5;
    out.push(r);
  }
  return out;
}

/** A benchmark, and a strategy that is 1.3x the benchmark plus its own noise. */
function benchmarkPair(n: number): { strategy: number[]; benchmark: number[] } {
  const next = lcg(777);
  const noise = strategyReturns(n);
  const benchmark = Array.from({ length: n }, () => (next() - 0.5) * 0.03 + 0.0003);
  const strategy = benchmark.map((b, i) => 0.0002 + 1.3 * b + 0.5 * noise[i]!);
  return { strategy, benchmark };
}

/** Small enough to check by hand (see the first test). */
const HAND = [0.02, 0.01, -0.03, -0.02, 0, 0.04, 0.05, -0.01, 0.03, 0.01, 0.02, -0.05];
const LCG_500 = strategyReturns(500);
const PAIR = benchmarkPair(500);

// ---------------------------------------------------------------------------------------------
// Expected values: printed by `python3 test/engines/fixtures/analytics_reference.py` (numpy 2.4.6,
// scipy 1.17.1; every formula written there independently in numpy/scipy, skew and kurtosis by
// scipy.stats with bias=False, which equal pandas' Series.skew/.kurt) and pasted unchanged.
// ---------------------------------------------------------------------------------------------

// HAND
const HAND_EXPECTED = {
  totalReturn: 0.06723378236697108,
  cagr: 2.9214875827568028,
  annualVolatility: 0.4663104701220578,
  sharpeRatio: 3.1524061632483273,
  sortinoRatio: 5.136595699937399,
  calmarRatio: 58.429751655136,
  omegaRatio: 1.6363636363636362,
  maxDrawdown: -0.050000000000000044,
  maxDrawdownDuration: 4,
  profitFactor: 1.636363636363636,
  winRate: 0.6363636363636364,
  expectancy: 0.006363636363636362,
  averageWin: 0.025714285714285717,
  averageLoss: -0.027500000000000004,
  longestWinStreak: 3,
  longestLossStreak: 2,
  valueAtRisk: -0.039,
  conditionalValueAtRisk: -0.05,
  tailRatio: 1.141025641025641,
  skew: -0.41096428183353606,
  kurtosis: -0.33684739551737586,
};

// LCG_500
const LCG_500_EXPECTED = {
  totalReturn: 0.5678719837342208,
  cagr: 0.2544014353763293,
  annualVolatility: 0.21606887244918094,
  sharpeRatio: 1.1566970300727828,
  sortinoRatio: 1.790732307146386,
  calmarRatio: 1.1107426960815119,
  omegaRatio: 1.2149121946166035,
  maxDrawdown: -0.22903723452227864,
  maxDrawdownDuration: 308,
  profitFactor: 1.2149121946166035,
  winRate: 0.51440329218107,
  expectancy: 0.0010203402534993404,
  averageWin: 0.011213084970988333,
  averageLoss: -0.009777058811637304,
  longestWinStreak: 8,
  longestLossStreak: 8,
  valueAtRisk: -0.017709351123310624,
  conditionalValueAtRisk: -0.023662446358278393,
  tailRatio: 1.0595693687389516,
  skew: 0.6341911366630582,
  kurtosis: 10.069037264478041,
};

// LCG_500 riskFree=0.0001
const LCG_500_RISK_FREE_EXPECTED = {
  totalReturn: 0.5678719837342208,
  cagr: 0.2544014353763293,
  annualVolatility: 0.21606887244918094,
  sharpeRatio: 1.0400675511739796,
  sortinoRatio: 1.6005942423914483,
  calmarRatio: 1.1107426960815119,
  omegaRatio: 1.1911707948892005,
  maxDrawdown: -0.22903723452227864,
  maxDrawdownDuration: 308,
  profitFactor: 1.2149121946166035,
  winRate: 0.51440329218107,
  expectancy: 0.0010203402534993404,
  averageWin: 0.011213084970988333,
  averageLoss: -0.009777058811637304,
  longestWinStreak: 8,
  longestLossStreak: 8,
  valueAtRisk: -0.017709351123310624,
  conditionalValueAtRisk: -0.023662446358278393,
  tailRatio: 1.0595693687389516,
  skew: 0.6341911366630582,
  kurtosis: 10.069037264478041,
};

// LCG_500 periodsPerYear=365
const LCG_500_365_EXPECTED = {
  totalReturn: 0.5678719837342208,
  cagr: 0.3885986472654759,
  annualVolatility: 0.2600389282451936,
  sharpeRatio: 1.3920850911797549,
  sortinoRatio: 2.155146665255596,
  calmarRatio: 1.6966614536540632,
  omegaRatio: 1.2149121946166035,
  maxDrawdown: -0.22903723452227864,
  maxDrawdownDuration: 308,
  profitFactor: 1.2149121946166035,
  winRate: 0.51440329218107,
  expectancy: 0.0010203402534993404,
  averageWin: 0.011213084970988333,
  averageLoss: -0.009777058811637304,
  longestWinStreak: 8,
  longestLossStreak: 8,
  valueAtRisk: -0.017709351123310624,
  conditionalValueAtRisk: -0.023662446358278393,
  tailRatio: 1.0595693687389516,
  skew: 0.6341911366630582,
  kurtosis: 10.069037264478041,
};

// BENCHMARK_PAIR
const PAIR_EXPECTED = {
  alpha: 0.19017601585458532,
  beta: 1.3238583530119268,
  informationRatio: 0.1030252830597515,
};

// BENCHMARK_PAIR riskFree=0.0001
const PAIR_RISK_FREE_EXPECTED = {
  alpha: 0.1999221392488868,
  beta: 1.3238583530119268,
  informationRatio: 0.1030252830597515,
};

const RELATIVE_TOLERANCE = 1e-9;

function assertClose(actual: number | null, expected: number, label: string): void {
  assert.ok(actual !== null, `${label}: got null, expected ${expected}`);
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(
    Math.abs(actual - expected) <= RELATIVE_TOLERANCE * scale,
    `${label}: got ${actual}, expected ${expected} (relative error ${Math.abs(actual - expected) / scale})`,
  );
}

/** Counts compare exactly; every other statistic within the relative tolerance. */
const COUNTS = new Set<keyof PerformanceStatistics>([
  'periods',
  'maxDrawdownDuration',
  'longestWinStreak',
  'longestLossStreak',
]);

function assertMatches(
  actual: PerformanceStatistics,
  expected: Partial<Record<keyof PerformanceStatistics, number>>,
): void {
  for (const [key, value] of Object.entries(expected) as [keyof PerformanceStatistics, number][]) {
    if (COUNTS.has(key)) assert.equal(actual[key], value, key);
    else assertClose(actual[key], value, key);
  }
}

describe('statistics against the numpy/scipy reference', () => {
  it('the hand-sized series, whose figures are also checkable by hand', () => {
    const stats = summarize(HAND);
    assertMatches(stats, HAND_EXPECTED);

    // Equity 1.02, 1.0302 (peak), 0.999294, 0.97930812 (−4.94 % from the peak: 0.97 × 0.98 − 1),
    // the same, 1.01848, 1.06940 (new peak), −1 %, then +3 % makes a new peak (0.99 × 1.03 > 1),
    // two more peaks, and the last −5 % is the deepest fall.
    assertClose(stats.maxDrawdown, -0.05, 'maxDrawdown by hand');
    // Below the 1.0302 peak for periods 3–6 (4 periods), then 1 period twice.
    assert.equal(stats.maxDrawdownDuration, 4);
    // + + − − 0 + + − + + + −: three wins in a row at most, two losses.
    assert.equal(stats.longestWinStreak, 3);
    assert.equal(stats.longestLossStreak, 2);
    // 7 wins summing 0.18, 4 losses summing −0.11; the 0 is neither.
    assertClose(stats.winRate, 7 / 11, 'winRate by hand');
    assertClose(stats.profitFactor, 0.18 / 0.11, 'profitFactor by hand');
    assertClose(stats.omegaRatio, 0.18 / 0.11, 'omega = profit factor at threshold 0');
    assertClose(stats.expectancy, 0.07 / 11, 'expectancy by hand');
    assertClose(stats.averageWin, 0.18 / 7, 'averageWin by hand');
    assertClose(stats.averageLoss, -0.11 / 4, 'averageLoss by hand');
    // Sorted: −0.05, −0.03, … ; index (12 − 1) × 0.05 = 0.55 → −0.05 + 0.55 × 0.02 = −0.039. The
    // CVaR is the mean of the ⌊0.55⌋ + 1 = 1 smallest. The 95th percentile sits at index 10.45:
    // 0.04 + 0.45 × 0.01 = 0.0445.
    assertClose(stats.valueAtRisk, -0.039, 'VaR by hand');
    assertClose(stats.conditionalValueAtRisk, -0.05, 'CVaR by hand');
    assertClose(stats.tailRatio, 0.0445 / 0.039, 'tail ratio by hand');
  });

  it('500 pseudo-random returns', () => {
    assertMatches(summarize(LCG_500), LCG_500_EXPECTED);
  });

  it('a per-period risk-free rate moves Sharpe, Sortino and omega only', () => {
    assertMatches(summarize(LCG_500, { riskFree: 0.0001 }), LCG_500_RISK_FREE_EXPECTED);
  });

  it('another annualization', () => {
    assertMatches(summarize(LCG_500, { periodsPerYear: 365 }), LCG_500_365_EXPECTED);
  });

  it('alpha, beta and the information ratio against a benchmark', () => {
    const stats = summarize(PAIR.strategy, { benchmark: PAIR.benchmark });
    assertMatches(stats, PAIR_EXPECTED);
    assertMatches(
      summarize(PAIR.strategy, { benchmark: PAIR.benchmark, riskFree: 0.0001 }),
      PAIR_RISK_FREE_EXPECTED,
    );
    const { alpha, beta } = alphaBeta(PAIR.strategy, PAIR.benchmark);
    assertClose(alpha, PAIR_EXPECTED.alpha, 'alphaBeta().alpha');
    assertClose(beta, PAIR_EXPECTED.beta, 'alphaBeta().beta');
    assertClose(
      informationRatio(PAIR.strategy, PAIR.benchmark),
      PAIR_EXPECTED.informationRatio,
      'informationRatio',
    );
    // Without a benchmark there is nothing to measure against.
    const alone = summarize(PAIR.strategy);
    assert.deepEqual([alone.alpha, alone.beta, alone.informationRatio], [null, null, null]);
  });

  it('each single-statistic function returns exactly the summary field of its name', () => {
    for (const options of [{}, { riskFree: 0.0001, periodsPerYear: 365 }]) {
      const s = summarize(LCG_500, options);
      assert.equal(totalReturn(LCG_500), s.totalReturn);
      assert.equal(cagr(LCG_500, options), s.cagr);
      assert.equal(annualVolatility(LCG_500, options), s.annualVolatility);
      assert.equal(sharpeRatio(LCG_500, options), s.sharpeRatio);
      assert.equal(sortinoRatio(LCG_500, options), s.sortinoRatio);
      assert.equal(calmarRatio(LCG_500, options), s.calmarRatio);
      assert.equal(omegaRatio(LCG_500, options), s.omegaRatio);
      assert.equal(maxDrawdown(LCG_500), s.maxDrawdown);
      assert.equal(maxDrawdownDuration(LCG_500), s.maxDrawdownDuration);
      assert.equal(profitFactor(LCG_500), s.profitFactor);
      assert.equal(winRate(LCG_500), s.winRate);
      assert.equal(expectancy(LCG_500), s.expectancy);
      assert.equal(averageWin(LCG_500), s.averageWin);
      assert.equal(averageLoss(LCG_500), s.averageLoss);
      assert.equal(longestWinStreak(LCG_500), s.longestWinStreak);
      assert.equal(longestLossStreak(LCG_500), s.longestLossStreak);
      assert.equal(valueAtRisk(LCG_500), s.valueAtRisk);
      assert.equal(conditionalValueAtRisk(LCG_500), s.conditionalValueAtRisk);
      assert.equal(tailRatio(LCG_500), s.tailRatio);
      assert.equal(skew(LCG_500), s.skew);
      assert.equal(kurtosis(LCG_500), s.kurtosis);
    }
  });
});

describe('edge cases', () => {
  it('an empty series: 0 for what an equity curve of just the start has, null for the rest', () => {
    const stats = summarize([], { benchmark: [] });
    assert.deepEqual(stats, {
      periods: 0,
      periodsPerYear: 252,
      totalReturn: 0,
      cagr: null,
      annualVolatility: null,
      sharpeRatio: null,
      sortinoRatio: null,
      calmarRatio: null,
      omegaRatio: null,
      maxDrawdown: 0,
      maxDrawdownDuration: 0,
      profitFactor: null,
      winRate: null,
      expectancy: null,
      averageWin: null,
      averageLoss: null,
      longestWinStreak: 0,
      longestLossStreak: 0,
      valueAtRisk: null,
      conditionalValueAtRisk: null,
      tailRatio: null,
      skew: null,
      kurtosis: null,
      alpha: null,
      beta: null,
      informationRatio: null,
    });
  });

  it('a single return: no dispersion yet, but growth, drawdown and percentiles exist', () => {
    const gain = summarize([0.01]);
    assertClose(gain.totalReturn, 0.01, 'totalReturn');
    assertClose(gain.cagr, 1.01 ** 252 - 1, 'cagr: one day of 1/252 year');
    assert.equal(gain.annualVolatility, null);
    assert.equal(gain.sharpeRatio, null);
    assert.equal(gain.sortinoRatio, null); // no downside
    assert.equal(gain.omegaRatio, null); // empyrical needs 2 returns
    assert.equal(gain.maxDrawdown, 0);
    assert.equal(gain.calmarRatio, null);
    assert.equal(gain.winRate, 1);
    assert.equal(gain.profitFactor, null);
    assert.equal(gain.valueAtRisk, 0.01);
    assert.equal(gain.conditionalValueAtRisk, 0.01);
    assert.equal(gain.tailRatio, 1);
    assert.equal(gain.skew, null);
    assert.equal(gain.kurtosis, null);

    const loss = summarize([-0.02]);
    assertClose(loss.maxDrawdown, -0.02, 'the start counts as a peak');
    assert.equal(loss.maxDrawdownDuration, 1);
    // quantstats' Sortino of one loss: −0.02 / √(0.02² / 1) × √252.
    assertClose(loss.sortinoRatio, -Math.sqrt(252), 'sortino');
    assertClose(loss.calmarRatio, (0.98 ** 252 - 1) / 0.02, 'calmar');
    assert.equal(loss.longestLossStreak, 1);
  });

  it('all-zero returns: zero volatility, so the ratios over it are null', () => {
    const stats = summarize(new Array<number>(20).fill(0));
    assert.equal(stats.totalReturn, 0);
    assert.equal(stats.cagr, 0);
    assert.equal(stats.annualVolatility, 0);
    assert.equal(stats.sharpeRatio, null);
    assert.equal(stats.sortinoRatio, null);
    assert.equal(stats.calmarRatio, null);
    assert.equal(stats.omegaRatio, null);
    assert.equal(stats.maxDrawdown, 0);
    assert.equal(stats.winRate, null); // no non-zero period (quantstats: 0)
    assert.equal(stats.profitFactor, null);
    assert.equal(stats.expectancy, null);
    assert.equal(stats.valueAtRisk, 0);
    assert.equal(stats.tailRatio, null); // |p95| / |p5| = 0 / 0
    assert.equal(stats.skew, null);
    assert.equal(stats.kurtosis, null);
  });

  it('a constant non-zero series has exactly zero volatility, not rounding noise', () => {
    // 0.001 × 10 / 10 is not exactly 0.001 in binary; a naive mean leaves a std of ~2e-19.
    const constant = new Array<number>(10).fill(0.001);
    assert.equal(annualVolatility(constant), 0);
    assert.equal(sharpeRatio(constant), null);
    assert.equal(skew(constant), null);
    assert.equal(kurtosis(constant), null);
    assert.equal(informationRatio(constant, new Array<number>(10).fill(0)), null);
  });

  it('no losing period: profit factor, Sortino, omega and Calmar are null, not Infinity', () => {
    const stats = summarize([0.01, 0.02, 0, 0.03, 0.01]);
    assert.equal(stats.profitFactor, null);
    assert.equal(stats.sortinoRatio, null);
    assert.equal(stats.omegaRatio, null);
    assert.equal(stats.calmarRatio, null);
    assert.equal(stats.maxDrawdown, 0);
    assert.equal(stats.maxDrawdownDuration, 0);
    assert.equal(stats.averageLoss, null);
    assert.equal(stats.winRate, 1);
    assert.equal(stats.longestLossStreak, 0);
    assert.equal(stats.longestWinStreak, 2); // the 0 ends the first run
    assert.equal(stats.valueAtRisk, 0.002); // index 0.2 between 0 and 0.01
    assert.ok(stats.tailRatio !== null && stats.tailRatio > 1);
    // A 5th percentile of exactly 0 makes the tail ratio undefined.
    assert.equal(tailRatio([0, 0, 0.01, 0.02]), null);
  });

  it('a constant benchmark has no beta', () => {
    assert.deepEqual(alphaBeta([0.01, -0.02, 0.03], [0.001, 0.001, 0.001]), { alpha: null, beta: null });
    assert.deepEqual(alphaBeta([0.01], [0.02]), { alpha: null, beta: null });
  });

  it('CVaR is empyrical’s mean of the k + 1 smallest, also when returns tie at the cut', () => {
    // n = 21: k = ⌊20 × 0.05⌋ = 1, so the two smallest; the VaR is −0.01 and "every return at or
    // below the VaR" would also take in the other −0.01s.
    const returns = [-0.05, -0.01, -0.01, -0.01, ...new Array<number>(17).fill(0.01)];
    assert.equal(valueAtRisk(returns), -0.01);
    assertClose(conditionalValueAtRisk(returns), -0.03, 'cvar');
    assertClose(valueAtRisk(HAND, 0.5), 0.01, 'the median'); // any cutoff in [0, 1]
  });

  it('a CAGR too large for a double is null rather than Infinity', () => {
    // +200 % in one minute, annualized over a year of minutes.
    assert.equal(cagr([2], { periodsPerYear: 525_600 }), null);
  });

  it('every summary is JSON-safe', () => {
    for (const returns of [[], [0], [0.01], HAND, LCG_500, new Array<number>(5).fill(0)]) {
      const stats = summarize(returns);
      assert.deepEqual(JSON.parse(JSON.stringify(stats)), stats);
    }
  });

  it('rejects bad input instead of returning a wrong figure', () => {
    assert.throws(() => summarize([0.01, Number.NaN]), /returns\[1\] is NaN/);
    assert.throws(() => sharpeRatio([0.01, Infinity]), /not a finite number/);
    assert.throws(() => summarize([0.01, 0.02], { benchmark: [0.01] }), /align them/);
    assert.throws(() => alphaBeta([0.01, 0.02], [0.01, Number.NaN]), /benchmark\[1\]/);
    assert.throws(() => summarize(HAND, { periodsPerYear: 0 }), /periodsPerYear/);
    assert.throws(() => summarize(HAND, { riskFree: Number.NaN }), /riskFree/);
    assert.throws(() => valueAtRisk(HAND, 1.5), /cutoff/);
  });
});

describe('omegaRatio options', () => {
  it('converts an annual required return to a per-period threshold, as empyrical', () => {
    const threshold = 1.1 ** (1 / 252) - 1;
    let above = 0;
    let below = 0;
    for (const r of LCG_500) {
      const x = r - threshold;
      if (x > 0) above += x;
      else below -= x;
    }
    assertClose(omegaRatio(LCG_500, { requiredReturn: 0.1 }), above / below, 'omega at 10 % a year');
    // With one period a year the required return is the threshold itself: HAND − 0.01 gains
    // 0.01 + 0.03 + 0.04 + 0.02 + 0.01 above it and loses 0.04 + 0.03 + 0.01 + 0.02 + 0.06 below.
    assertClose(
      omegaRatio(HAND, { requiredReturn: 0.01, periodsPerYear: 1 }),
      0.11 / 0.16,
      'omega, no conversion',
    );
    assert.equal(omegaRatio(HAND, { requiredReturn: -1 }), null);
  });
});

describe('summarizeTrades', () => {
  it('win/loss statistics of closed trades, a scratch trade being neither', () => {
    const pnls = [120, -40, -60, 0, 200, 80, -30, 50];
    const stats = summarizeTrades(pnls);
    assert.deepEqual(stats, {
      trades: 8,
      wins: 4,
      losses: 3,
      netProfit: 320,
      grossProfit: 450,
      grossLoss: 130,
      profitFactor: 450 / 130,
      winRate: 4 / 7,
      expectancy: 320 / 7,
      averageWin: 450 / 4,
      averageLoss: -130 / 3,
      longestWinStreak: 2,
      longestLossStreak: 2,
    });
    // The same definitions as the single functions.
    assert.equal(winRate(pnls), stats.winRate);
    assert.equal(profitFactor(pnls), stats.profitFactor);
  });

  it('no trades', () => {
    const stats = summarizeTrades([]);
    assert.equal(stats.trades, 0);
    assert.equal(stats.netProfit, 0);
    assert.equal(stats.profitFactor, null);
    assert.equal(stats.winRate, null);
    assert.equal(stats.expectancy, null);
    assert.equal(stats.longestWinStreak, 0);
  });
});
