/**
 * Performance statistics of a trading strategy, with the definitions of the Python libraries
 * quantstats (`quantstats/stats.py`) and empyrical (`empyrical/stats.py`), so that numbers shown
 * here match what a quant computes in a notebook. Pure functions, no dependencies.
 *
 * Inputs are periodic SIMPLE returns (0.01 = +1 % in the period), oldest first, e.g. one per day.
 * Conventions shared by every function (docs/ANALYTICS.md has the full table):
 * - Every statistic is a finite number or `null`. `null` means the statistic is undefined for the
 *   input (too few values, a zero denominator: no variance, no losses, no drawdown) or is not
 *   representable as a finite double (a CAGR that overflows); where quantstats/empyrical would
 *   give NaN or ±Infinity we give `null`, never NaN or Infinity, so results are JSON-safe as-is.
 *   Counts (streaks, drawdown duration) are plain numbers, 0 for an empty series.
 * - Annualization uses `periodsPerYear` (default 252, trading days, as both libraries).
 * - `riskFree` is a return PER PERIOD (default 0), as in empyrical. quantstats takes an annual rate
 *   and converts it with (1 + rf)^(1 / periodsPerYear) − 1; pass that converted value here.
 * - Inputs must be finite numbers (a RangeError otherwise): quantstats silently turns NaN into 0,
 *   which would hide a broken return series.
 * - Periods with a return of exactly 0 (flat, not in the market) count in means, volatilities and
 *   the length of the series, but are neither wins nor losses (quantstats' `win_rate`).
 */

/** quantstats' and empyrical's default: trading days in a year. */
export const DEFAULT_PERIODS_PER_YEAR = 252;

export interface AnnualizationOptions {
  /** Periods in a year: 252 for daily returns of a stock market, 365 for crypto, 52 weekly, 12 monthly. */
  readonly periodsPerYear?: number;
}

export interface RiskFreeOptions extends AnnualizationOptions {
  /** Risk-free return per period (not annual). Default 0. */
  readonly riskFree?: number;
}

export interface OmegaOptions extends RiskFreeOptions {
  /** Minimum acceptable ANNUAL return (empyrical's `required_return`), converted to a per-period threshold. Default 0. */
  readonly requiredReturn?: number;
}

export interface SummaryOptions extends RiskFreeOptions {
  /** Benchmark returns, same length and periods as the returns, for alpha, beta and the information ratio. */
  readonly benchmark?: readonly number[];
}

/**
 * Every statistic of `summarize`. Each field holds what the function of the same name returns
 * (`alpha` and `beta`: `alphaBeta`); `null` as described in this module's header.
 */
export interface PerformanceStatistics {
  /** Number of returns. */
  readonly periods: number;
  readonly periodsPerYear: number;
  readonly totalReturn: number | null;
  readonly cagr: number | null;
  readonly annualVolatility: number | null;
  readonly sharpeRatio: number | null;
  readonly sortinoRatio: number | null;
  readonly calmarRatio: number | null;
  readonly omegaRatio: number | null;
  /** ≤ 0: −0.25 is a 25 % fall from a peak. */
  readonly maxDrawdown: number | null;
  /** Periods. */
  readonly maxDrawdownDuration: number;
  readonly profitFactor: number | null;
  readonly winRate: number | null;
  readonly expectancy: number | null;
  readonly averageWin: number | null;
  /** < 0. */
  readonly averageLoss: number | null;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
  /** Historical 5 % value at risk: a return, usually negative. */
  readonly valueAtRisk: number | null;
  /** Historical 5 % expected shortfall: a return, usually negative. */
  readonly conditionalValueAtRisk: number | null;
  readonly tailRatio: number | null;
  readonly skew: number | null;
  /** Excess kurtosis (0 for a normal distribution). */
  readonly kurtosis: number | null;
  /** Annualized; `null` without a benchmark. */
  readonly alpha: number | null;
  /** `null` without a benchmark. */
  readonly beta: number | null;
  /** Per period (not annualized); `null` without a benchmark. */
  readonly informationRatio: number | null;
}

/** Win/loss statistics of closed trades' P&Ls (`summarizeTrades`). */
export interface TradeStatistics {
  readonly trades: number;
  /** Trades with P&L > 0. */
  readonly wins: number;
  /** Trades with P&L < 0 (trades at exactly 0 are scratches: neither). */
  readonly losses: number;
  readonly netProfit: number;
  /** Σ winning P&Ls. */
  readonly grossProfit: number;
  /** Σ |losing P&Ls|, ≥ 0. */
  readonly grossLoss: number;
  readonly profitFactor: number | null;
  readonly winRate: number | null;
  readonly expectancy: number | null;
  readonly averageWin: number | null;
  readonly averageLoss: number | null;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
}

export interface AlphaBeta {
  /** Annualized: (1 + mean per-period alpha)^periodsPerYear − 1. */
  readonly alpha: number | null;
  readonly beta: number | null;
}

// ---------------------------------------------------------------------------------------------
// Single statistics of a return series
// ---------------------------------------------------------------------------------------------

/**
 * Compounded total return: Π(1 + rᵢ) − 1 (quantstats `comp`). 0 for an empty series; `null` only
 * if the product overflows a double.
 */
export function totalReturn(returns: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  return finiteOrNull(drawdownScan(returns).growth - 1);
}

/**
 * Compound annual growth rate (quantstats `cagr`, = empyrical `annual_return`):
 * |Π(1 + rᵢ)|^(1 / years) − 1 with years = n / periodsPerYear. quantstats takes the years from
 * the number of periods too (not from dates), so this is its exact figure; the risk-free rate is
 * not subtracted (quantstats ignores it in `cagr`). `null` for an empty series.
 */
export function cagr(returns: readonly number[], options: AnnualizationOptions = {}): number | null {
  requireFinite(returns, 'returns');
  return cagrOf(drawdownScan(returns).growth, returns.length, periodsPerYearOf(options));
}

/**
 * Annualized volatility (quantstats `volatility`, empyrical `annual_volatility`):
 * sample standard deviation (ddof = 1) × √periodsPerYear. `null` below 2 returns; 0 for a
 * constant series.
 */
export function annualVolatility(
  returns: readonly number[],
  options: AnnualizationOptions = {},
): number | null {
  requireFinite(returns, 'returns');
  const std = sampleStd(centralMoments(returns));
  return std === null ? null : finiteOrNull(std * Math.sqrt(periodsPerYearOf(options)));
}

/**
 * Sharpe ratio (quantstats `sharpe`, = empyrical `sharpe_ratio`): mean(r − rf) / std(r − rf, ddof = 1)
 * × √periodsPerYear. `null` below 2 returns or with zero volatility.
 */
export function sharpeRatio(returns: readonly number[], options: RiskFreeOptions = {}): number | null {
  requireFinite(returns, 'returns');
  return sharpeOf(centralMoments(returns), riskFreeOf(options), periodsPerYearOf(options));
}

/**
 * Sortino ratio (quantstats `sortino`): mean(x) / √(Σ min(xᵢ, 0)² / n) × √periodsPerYear with
 * x = r − rf. The downside deviation divides by ALL n periods, not only the losing ones (Red Rock
 * Capital's definition; empyrical's `sortino_ratio` is the same). `null` for an empty series or
 * without a period below the risk-free rate (quantstats: NaN).
 */
export function sortinoRatio(returns: readonly number[], options: RiskFreeOptions = {}): number | null {
  requireFinite(returns, 'returns');
  const riskFree = riskFreeOf(options);
  const moments = centralMoments(returns);
  return sortinoOf(moments, thresholdScan(returns, riskFree), riskFree, periodsPerYearOf(options));
}

/**
 * Calmar ratio (quantstats `calmar`): CAGR / |max drawdown|. `null` without a drawdown or for an
 * empty series.
 */
export function calmarRatio(returns: readonly number[], options: AnnualizationOptions = {}): number | null {
  requireFinite(returns, 'returns');
  const scan = drawdownScan(returns);
  return calmarOf(cagrOf(scan.growth, returns.length, periodsPerYearOf(options)), scan.maxDrawdown);
}

/**
 * Omega ratio (empyrical `omega_ratio`): with x = r − rf − t, Σ max(xᵢ, 0) / Σ max(−xᵢ, 0), where
 * the per-period threshold t = (1 + requiredReturn)^(1 / periodsPerYear) − 1 (t = requiredReturn
 * when periodsPerYear is 1). With the defaults (t = 0, rf = 0) it equals the profit factor.
 * `null` below 2 returns, without a period below the threshold, or for requiredReturn ≤ −1 (all
 * as empyrical, which gives NaN).
 */
export function omegaRatio(returns: readonly number[], options: OmegaOptions = {}): number | null {
  requireFinite(returns, 'returns');
  const periodsPerYear = periodsPerYearOf(options);
  const requiredReturn = options.requiredReturn ?? 0;
  if (!Number.isFinite(requiredReturn)) throw new RangeError('requiredReturn must be a finite number');
  if (returns.length < 2) return null;
  let threshold: number;
  if (periodsPerYear === 1) threshold = requiredReturn;
  else if (requiredReturn <= -1) return null;
  else threshold = (1 + requiredReturn) ** (1 / periodsPerYear) - 1;
  return omegaOf(thresholdScan(returns, riskFreeOf(options), threshold));
}

/**
 * Maximum drawdown (quantstats `max_drawdown`, empyrical `max_drawdown`): min over t of
 * equityₜ / max(equity₀…ₜ) − 1 on the compounded equity curve equity₀ = 1, equityₜ = Π(1 + rᵢ).
 * The starting value counts as a peak, so a first return of −5 % is a 5 % drawdown. A number
 * ≤ 0; 0 for an empty series or one that never falls below a peak (`null` only if the equity
 * overflows a double).
 */
export function maxDrawdown(returns: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  return finiteOrNull(drawdownScan(returns).maxDrawdown);
}

/**
 * Longest drawdown, in periods: the longest run of consecutive periods whose equity is strictly
 * below the highest equity before it (the start, 1, included). A drawdown still open at the end
 * counts up to the last period. quantstats reports drawdown lengths in calendar days from dates;
 * without dates this counts periods. 0 for an empty series.
 */
export function maxDrawdownDuration(returns: readonly number[]): number {
  requireFinite(returns, 'returns');
  return drawdownScan(returns).longestUnderwater;
}

/**
 * Historical value at risk (empyrical `value_at_risk`): the `cutoff` percentile of the returns,
 * numpy's default linear interpolation (`np.percentile(returns, 100 × cutoff)`). Not quantstats'
 * `value_at_risk`, which is parametric (normal). `null` for an empty series.
 */
export function valueAtRisk(returns: readonly number[], cutoff = 0.05): number | null {
  requireFinite(returns, 'returns');
  requireFraction(cutoff, 'cutoff');
  return returns.length === 0 ? null : percentileOfSorted(sortedCopy(returns), cutoff);
}

/**
 * Historical conditional value at risk / expected shortfall (empyrical
 * `conditional_value_at_risk`): the mean of the k + 1 smallest returns, k = ⌊(n − 1) × cutoff⌋.
 * That is the mean of the returns at or below the VaR, except when returns tie at the cut: then
 * only the first k + 1 of the sorted series count (empyrical's exact behaviour). `null` for an
 * empty series.
 */
export function conditionalValueAtRisk(returns: readonly number[], cutoff = 0.05): number | null {
  requireFinite(returns, 'returns');
  requireFraction(cutoff, 'cutoff');
  return returns.length === 0 ? null : expectedShortfallOfSorted(sortedCopy(returns), cutoff);
}

/**
 * Tail ratio (empyrical `tail_ratio`): |95th percentile| / |5th percentile| (numpy linear
 * percentiles). `null` for an empty series or when the 5th percentile is 0 (quantstats: NaN).
 */
export function tailRatio(returns: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  return returns.length === 0 ? null : tailRatioOfSorted(sortedCopy(returns));
}

/**
 * Skewness (quantstats `skew` = pandas `Series.skew`): the bias-corrected sample skewness
 * G1 = n √(n − 1) / (n − 2) × m₃ / m₂^1.5, with mₖ = Σ(rᵢ − mean)ᵏ (sums, not means).
 * `null` below 3 returns or for a constant series (pandas up to 3.0 gave 0 there, pandas 3.1 and
 * scipy give NaN).
 */
export function skew(returns: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  return skewOf(centralMoments(returns));
}

/**
 * Excess kurtosis (quantstats `kurtosis` = pandas `Series.kurt`): the bias-corrected
 * G2 = n (n + 1) (n − 1) m₄ / ((n − 2)(n − 3) m₂²) − 3 (n − 1)² / ((n − 2)(n − 3)),
 * with mₖ = Σ(rᵢ − mean)ᵏ; 0 for a normal distribution. `null` below 4 returns or for a constant
 * series (as `skew`).
 */
export function kurtosis(returns: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  return kurtosisOf(centralMoments(returns));
}

/**
 * Alpha and beta against a benchmark (empyrical `alpha_beta`). beta = cov(r, b) / var(b) (the
 * same ddof in both, so ddof does not matter; quantstats `greeks` gives the same beta).
 * alpha = (1 + mean(r − rf − beta × (b − rf)))^periodsPerYear − 1: empyrical compounds the
 * per-period alpha, where quantstats `greeks` multiplies it by periodsPerYear; this follows
 * empyrical. Both `null` below 2 returns or when var(b) < 1e-30 (empyrical's cut-off for a
 * constant benchmark).
 */
export function alphaBeta(
  returns: readonly number[],
  benchmark: readonly number[],
  options: RiskFreeOptions = {},
): AlphaBeta {
  requireFinite(returns, 'returns');
  requireBenchmark(returns, benchmark);
  return alphaBetaOf(returns, benchmark, riskFreeOf(options), periodsPerYearOf(options));
}

/**
 * Information ratio (quantstats `information_ratio`): mean(r − b) / std(r − b, ddof = 1), per
 * period, NOT annualized (multiply by √periodsPerYear for an annual figure). `null` below 2 returns
 * or when the active return is constant (quantstats returns 0 there; 0 would read as "no edge").
 */
export function informationRatio(returns: readonly number[], benchmark: readonly number[]): number | null {
  requireFinite(returns, 'returns');
  requireBenchmark(returns, benchmark);
  return informationRatioOf(returns, benchmark);
}

// ---------------------------------------------------------------------------------------------
// Win/loss statistics: of periodic returns or of closed trades' P&Ls alike
// ---------------------------------------------------------------------------------------------

/**
 * Profit factor (quantstats `profit_factor`): Σ positive values / |Σ negative values|. `null`
 * without a loss: quantstats gives +Infinity (or 0 when there is no gain either).
 */
export function profitFactor(values: readonly number[]): number | null {
  requireFinite(values, 'values');
  return profitFactorOf(outcomeScan(values));
}

/**
 * Win rate (quantstats `win_rate`): count(v > 0) / count(v ≠ 0); zeros (flat periods, scratch
 * trades) are neither wins nor losses. `null` when every value is 0 or the series is empty
 * (quantstats: 0).
 */
export function winRate(values: readonly number[]): number | null {
  requireFinite(values, 'values');
  return winRateOf(outcomeScan(values));
}

/**
 * Expectancy: the mean of the non-zero values = winRate × averageWin + (1 − winRate) × averageLoss,
 * the expected result of a period in the market or of a trade (quantstats `avg_return`). `null`
 * when every value is 0 or the series is empty.
 */
export function expectancy(values: readonly number[]): number | null {
  requireFinite(values, 'values');
  return expectancyOf(outcomeScan(values));
}

/** Mean of the positive values (quantstats `avg_win`). `null` without one. */
export function averageWin(values: readonly number[]): number | null {
  requireFinite(values, 'values');
  return averageWinOf(outcomeScan(values));
}

/** Mean of the negative values, a negative number (quantstats `avg_loss`). `null` without one. */
export function averageLoss(values: readonly number[]): number | null {
  requireFinite(values, 'values');
  return averageLossOf(outcomeScan(values));
}

/** Longest run of consecutive positive values (quantstats `consecutive_wins`; a 0 ends a run). 0 without one. */
export function longestWinStreak(values: readonly number[]): number {
  requireFinite(values, 'values');
  return outcomeScan(values).longestWinStreak;
}

/** Longest run of consecutive negative values (quantstats `consecutive_losses`; a 0 ends a run). 0 without one. */
export function longestLossStreak(values: readonly number[]): number {
  requireFinite(values, 'values');
  return outcomeScan(values).longestLossStreak;
}

// ---------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------

/**
 * Every statistic of a return series at once, each field equal to the function of the same name.
 * Each pass over the data below runs once: a handful of linear passes plus one sort for the
 * percentiles, which dominates (0.2–0.4 s for 1,000,000 returns). Alpha, beta and the
 * information ratio are `null` without `options.benchmark`.
 */
export function summarize(returns: readonly number[], options: SummaryOptions = {}): PerformanceStatistics {
  requireFinite(returns, 'returns');
  const periodsPerYear = periodsPerYearOf(options);
  const riskFree = riskFreeOf(options);
  const benchmark = options.benchmark;
  if (benchmark !== undefined) requireBenchmark(returns, benchmark);

  const n = returns.length;
  const moments = centralMoments(returns);
  const drawdown = drawdownScan(returns);
  const outcomes = outcomeScan(returns);
  // With the default required return of 0 the omega threshold is exactly rf, the Sortino one.
  const excess = thresholdScan(returns, riskFree);
  const sorted = n === 0 ? null : sortedCopy(returns);
  const growthRate = cagrOf(drawdown.growth, n, periodsPerYear);
  const greeks = benchmark === undefined ? null : alphaBetaOf(returns, benchmark, riskFree, periodsPerYear);
  const std = sampleStd(moments);

  return {
    periods: n,
    periodsPerYear,
    totalReturn: finiteOrNull(drawdown.growth - 1),
    cagr: growthRate,
    annualVolatility: std === null ? null : finiteOrNull(std * Math.sqrt(periodsPerYear)),
    sharpeRatio: sharpeOf(moments, riskFree, periodsPerYear),
    sortinoRatio: sortinoOf(moments, excess, riskFree, periodsPerYear),
    calmarRatio: calmarOf(growthRate, drawdown.maxDrawdown),
    omegaRatio: n < 2 ? null : omegaOf(excess),
    maxDrawdown: finiteOrNull(drawdown.maxDrawdown),
    maxDrawdownDuration: drawdown.longestUnderwater,
    profitFactor: profitFactorOf(outcomes),
    winRate: winRateOf(outcomes),
    expectancy: expectancyOf(outcomes),
    averageWin: averageWinOf(outcomes),
    averageLoss: averageLossOf(outcomes),
    longestWinStreak: outcomes.longestWinStreak,
    longestLossStreak: outcomes.longestLossStreak,
    valueAtRisk: sorted === null ? null : percentileOfSorted(sorted, 0.05),
    conditionalValueAtRisk: sorted === null ? null : expectedShortfallOfSorted(sorted, 0.05),
    tailRatio: sorted === null ? null : tailRatioOfSorted(sorted),
    skew: skewOf(moments),
    kurtosis: kurtosisOf(moments),
    alpha: greeks?.alpha ?? null,
    beta: greeks?.beta ?? null,
    informationRatio: benchmark === undefined ? null : informationRatioOf(returns, benchmark),
  };
}

/**
 * Win/loss statistics of closed trades from their P&Ls (in money or in returns, oldest first),
 * with the same definitions as the functions above (`profitFactor`, `winRate`, …), which accept
 * P&Ls directly too. A trade at exactly 0 is a scratch: counted in `trades`, neither a win nor a
 * loss, and it ends a streak.
 */
export function summarizeTrades(pnls: readonly number[]): TradeStatistics {
  requireFinite(pnls, 'pnls');
  const outcomes = outcomeScan(pnls);
  return {
    trades: pnls.length,
    wins: outcomes.wins,
    losses: outcomes.losses,
    netProfit: outcomes.grossProfit - outcomes.grossLoss,
    grossProfit: outcomes.grossProfit,
    grossLoss: outcomes.grossLoss,
    profitFactor: profitFactorOf(outcomes),
    winRate: winRateOf(outcomes),
    expectancy: expectancyOf(outcomes),
    averageWin: averageWinOf(outcomes),
    averageLoss: averageLossOf(outcomes),
    longestWinStreak: outcomes.longestWinStreak,
    longestLossStreak: outcomes.longestLossStreak,
  };
}

// ---------------------------------------------------------------------------------------------
// Passes over the data. Each public function and `summarize` derive their figures from these, so
// a statistic has one implementation whichever way it is asked for.
// ---------------------------------------------------------------------------------------------

/** Count, mean and the central sums mₖ = Σ(xᵢ − mean)ᵏ, k = 2…4. */
interface Moments {
  readonly count: number;
  /** NaN for an empty series. */
  readonly mean: number;
  readonly m2: number;
  readonly m3: number;
  readonly m4: number;
}

/**
 * Two passes (the mean first, then the centred sums) rather than one running update: the same
 * arithmetic as numpy/pandas, and no cancellation on series whose mean is large against their
 * spread.
 */
function centralMoments(values: ArrayLike<number>): Moments {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) return { count: 0, mean: NaN, m2: 0, m3: 0, m4: 0 };
  // A constant series has no spread, but sum / n may be off from its value by a rounding step,
  // which would leave an m2 of ~1e-36 and a Sharpe ratio of ~1e16 instead of "undefined".
  if (min === max) return { count: n, mean: min, m2: 0, m3: 0, m4: 0 };
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { count: n, mean, m2, m3, m4 };
}

/** Sample standard deviation, ddof = 1 (pandas' and quantstats' default). */
function sampleStd(moments: Moments): number | null {
  return moments.count < 2 ? null : Math.sqrt(moments.m2 / (moments.count - 1));
}

interface DrawdownScan {
  /** Π(1 + rᵢ): the final equity of 1 invested at the start. */
  readonly growth: number;
  /** ≤ 0. */
  readonly maxDrawdown: number;
  readonly longestUnderwater: number;
}

function drawdownScan(returns: readonly number[]): DrawdownScan {
  let equity = 1;
  let peak = 1; // the starting value is the first peak
  let maxDrawdown = 0;
  let underwater = 0;
  let longestUnderwater = 0;
  for (let i = 0; i < returns.length; i++) {
    equity *= 1 + returns[i]!;
    if (equity >= peak) {
      peak = equity;
      underwater = 0;
    } else {
      const drawdown = equity / peak - 1;
      if (drawdown < maxDrawdown) maxDrawdown = drawdown;
      if (++underwater > longestUnderwater) longestUnderwater = underwater;
    }
  }
  return { growth: equity, maxDrawdown, longestUnderwater };
}

/** Sums around a threshold t (the risk-free rate, for Sortino and omega) of x = r − rf − t. */
interface ThresholdScan {
  readonly count: number;
  /** Σ max(xᵢ, 0). */
  readonly above: number;
  /** Σ max(−xᵢ, 0). */
  readonly below: number;
  /** Σ min(xᵢ, 0)². */
  readonly belowSquares: number;
}

function thresholdScan(returns: readonly number[], riskFree: number, threshold = 0): ThresholdScan {
  let above = 0;
  let below = 0;
  let belowSquares = 0;
  for (let i = 0; i < returns.length; i++) {
    const x = returns[i]! - riskFree - threshold;
    if (x > 0) above += x;
    else if (x < 0) {
      below -= x;
      belowSquares += x * x;
    }
  }
  return { count: returns.length, above, below, belowSquares };
}

interface OutcomeScan {
  readonly wins: number;
  readonly losses: number;
  /** Σ positive values. */
  readonly grossProfit: number;
  /** Σ |negative values|. */
  readonly grossLoss: number;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
}

function outcomeScan(values: readonly number[]): OutcomeScan {
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let winRun = 0;
  let lossRun = 0;
  let longestWinStreak = 0;
  let longestLossStreak = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0) {
      wins++;
      grossProfit += v;
      lossRun = 0;
      if (++winRun > longestWinStreak) longestWinStreak = winRun;
    } else if (v < 0) {
      losses++;
      grossLoss -= v;
      winRun = 0;
      if (++lossRun > longestLossStreak) longestLossStreak = lossRun;
    } else {
      winRun = 0;
      lossRun = 0;
    }
  }
  return { wins, losses, grossProfit, grossLoss, longestWinStreak, longestLossStreak };
}

/** Float64Array's sort is numeric (no comparator) and several times faster than Array's. */
function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * numpy's `percentile(…, method='linear')` on sorted values, q in [0, 1]: at virtual index
 * h = (n − 1) q, interpolate between a[⌊h⌋] and a[⌊h⌋ + 1], from the nearer end as numpy's
 * `_lerp` does (so the result is bit-identical to numpy's).
 */
function percentileOfSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1]!;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  const t = h - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function expectedShortfallOfSorted(sorted: Float64Array, cutoff: number): number {
  const last = Math.floor((sorted.length - 1) * cutoff);
  let sum = 0;
  for (let i = 0; i <= last; i++) sum += sorted[i]!;
  return sum / (last + 1);
}

function tailRatioOfSorted(sorted: Float64Array): number | null {
  const left = percentileOfSorted(sorted, 0.05);
  if (left === 0) return null;
  return finiteOrNull(Math.abs(percentileOfSorted(sorted, 0.95)) / Math.abs(left));
}

// ---------------------------------------------------------------------------------------------
// Formulas over the passes
// ---------------------------------------------------------------------------------------------

function cagrOf(growth: number, periods: number, periodsPerYear: number): number | null {
  if (periods === 0) return null;
  const years = periods / periodsPerYear;
  return finiteOrNull(Math.abs(growth) ** (1 / years) - 1);
}

/**
 * mean(r − rf) = mean(r) − rf and std(r − rf) = std(r): the moments of the raw returns serve for
 * every risk-free rate (the difference to subtracting first is rounding, ~1e-16 relative).
 */
function sharpeOf(moments: Moments, riskFree: number, periodsPerYear: number): number | null {
  const std = sampleStd(moments);
  if (std === null || std === 0) return null;
  return finiteOrNull(((moments.mean - riskFree) / std) * Math.sqrt(periodsPerYear));
}

function sortinoOf(
  moments: Moments,
  excess: ThresholdScan,
  riskFree: number,
  periodsPerYear: number,
): number | null {
  if (moments.count === 0 || excess.belowSquares === 0) return null;
  const downside = Math.sqrt(excess.belowSquares / moments.count);
  return finiteOrNull(((moments.mean - riskFree) / downside) * Math.sqrt(periodsPerYear));
}

function calmarOf(growthRate: number | null, maxDrawdown: number): number | null {
  if (growthRate === null || maxDrawdown === 0) return null;
  return finiteOrNull(growthRate / Math.abs(maxDrawdown));
}

function omegaOf(scan: ThresholdScan): number | null {
  return scan.below > 0 ? finiteOrNull(scan.above / scan.below) : null;
}

function skewOf({ count: n, m2, m3 }: Moments): number | null {
  if (n < 3 || m2 === 0) return null;
  return finiteOrNull(((n * Math.sqrt(n - 1)) / (n - 2)) * (m3 / m2 ** 1.5));
}

function kurtosisOf({ count: n, m2, m4 }: Moments): number | null {
  if (n < 4 || m2 === 0) return null;
  const numerator = n * (n + 1) * (n - 1) * m4;
  const denominator = (n - 2) * (n - 3) * m2 * m2;
  const correction = (3 * (n - 1) ** 2) / ((n - 2) * (n - 3));
  return finiteOrNull(numerator / denominator - correction);
}

function alphaBetaOf(
  returns: readonly number[],
  benchmark: readonly number[],
  riskFree: number,
  periodsPerYear: number,
): AlphaBeta {
  const n = returns.length;
  if (n < 2) return { alpha: null, beta: null };
  let benchmarkSum = 0;
  for (let i = 0; i < n; i++) benchmarkSum += benchmark[i]!;
  const benchmarkMean = benchmarkSum / n;
  // cov(r, b) = mean((b − mean b) × r): centring one side is enough (empyrical's note).
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const d = benchmark[i]! - benchmarkMean;
    covariance += d * returns[i]!;
    variance += d * d;
  }
  if (variance / n < 1e-30) return { alpha: null, beta: null };
  const beta = covariance / variance;
  let alphaSum = 0;
  for (let i = 0; i < n; i++) alphaSum += returns[i]! - riskFree - beta * (benchmark[i]! - riskFree);
  return { alpha: finiteOrNull((1 + alphaSum / n) ** periodsPerYear - 1), beta: finiteOrNull(beta) };
}

function informationRatioOf(returns: readonly number[], benchmark: readonly number[]): number | null {
  const active = new Float64Array(returns.length);
  for (let i = 0; i < returns.length; i++) active[i] = returns[i]! - benchmark[i]!;
  const moments = centralMoments(active);
  const std = sampleStd(moments);
  if (std === null || std === 0) return null;
  return finiteOrNull(moments.mean / std);
}

function profitFactorOf(o: OutcomeScan): number | null {
  return o.grossLoss === 0 ? null : finiteOrNull(o.grossProfit / o.grossLoss);
}

function winRateOf(o: OutcomeScan): number | null {
  const decided = o.wins + o.losses;
  return decided === 0 ? null : o.wins / decided;
}

function expectancyOf(o: OutcomeScan): number | null {
  const decided = o.wins + o.losses;
  return decided === 0 ? null : finiteOrNull((o.grossProfit - o.grossLoss) / decided);
}

function averageWinOf(o: OutcomeScan): number | null {
  return o.wins === 0 ? null : o.grossProfit / o.wins;
}

function averageLossOf(o: OutcomeScan): number | null {
  return o.losses === 0 ? null : -o.grossLoss / o.losses;
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

function requireFinite(values: readonly number[], name: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]))
      throw new RangeError(`${name}[${i}] is ${values[i]}, not a finite number`);
  }
}

function requireBenchmark(returns: readonly number[], benchmark: readonly number[]): void {
  if (benchmark.length !== returns.length) {
    throw new RangeError(
      `benchmark has ${benchmark.length} returns, returns ${returns.length}: align them to the same periods first`,
    );
  }
  requireFinite(benchmark, 'benchmark');
}

function requireFraction(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${value}`);
}

function periodsPerYearOf(options: AnnualizationOptions): number {
  const periodsPerYear = options.periodsPerYear ?? DEFAULT_PERIODS_PER_YEAR;
  if (!(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) {
    throw new RangeError(`periodsPerYear must be a positive number, got ${periodsPerYear}`);
  }
  return periodsPerYear;
}

function riskFreeOf(options: RiskFreeOptions): number {
  const riskFree = options.riskFree ?? 0;
  if (!Number.isFinite(riskFree)) throw new RangeError(`riskFree must be a finite number, got ${riskFree}`);
  return riskFree;
}
