/**
 * Shared machinery for `npm run bench -- <name> [--json] [--quick]`.
 *
 * Every figure is reported next to a baseline measured in the same run, as a `ratio` that reads
 * "how many times better than the baseline" (above 1 is better), whichever direction the unit
 * runs. With --json each figure is one JSON line on stdout; otherwise a readable line.
 */

export interface BenchFigure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  baseline: string;
  baseline_value: number;
  ratio: number;
  /** Extra fields scripts may want (symbols, checksum, …); printed as they are. */
  [extra: string]: unknown;
}

export interface BenchContext {
  /** Run each measurement for about a second: a smoke run that proves the benchmark works. */
  readonly quick: boolean;
  readonly json: boolean;
  report(figure: FigureInput): void;
  /** Free-form progress or context, kept off stdout in --json mode. */
  note(message: string): void;
}

export interface FigureInput {
  metric: string;
  value: number;
  unit: string;
  /** Which way is better for this unit. */
  better: 'lower' | 'higher';
  baseline: string;
  baseline_value: number;
  [extra: string]: unknown;
}

export interface Bench {
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<void>;
}

export function ratioOf(value: number, baselineValue: number, better: 'lower' | 'higher'): number {
  if (value === 0 || baselineValue === 0) return better === 'lower' ? (value === 0 ? Infinity : 0) : 0;
  return better === 'lower' ? baselineValue / value : value / baselineValue;
}

export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const magnitude = Math.abs(value) >= 1 ? Math.floor(Math.log10(Math.abs(value))) + 1 : 1;
  const decimals = Math.max(0, digits - magnitude + 1);
  return Number(value.toFixed(Math.min(decimals, 6)));
}

export function createContext(bench: string, options: { quick: boolean; json: boolean }): BenchContext {
  return {
    quick: options.quick,
    json: options.json,
    report(input) {
      const { better, ...rest } = input;
      const figure: BenchFigure = {
        ...rest,
        bench,
        metric: input.metric,
        value: round(input.value),
        unit: input.unit,
        baseline: input.baseline,
        baseline_value: round(input.baseline_value),
        ratio: round(ratioOf(input.value, input.baseline_value, better)),
      };
      if (options.json) {
        process.stdout.write(`${JSON.stringify(figure)}\n`);
      } else {
        const extras = Object.entries(rest)
          .filter(([key]) => !['metric', 'value', 'unit', 'baseline', 'baseline_value'].includes(key))
          .map(([key, value]) => ` ${key}=${String(value)}`)
          .join('');
        process.stdout.write(
          `${bench.padEnd(10)} ${figure.metric.padEnd(24)} ${String(figure.value).padStart(12)} ${figure.unit.padEnd(8)}` +
            ` ${figure.ratio}x vs ${figure.baseline} (${figure.baseline_value} ${figure.unit})${extras}\n`,
        );
      }
    },
    note(message) {
      (options.json ? process.stderr : process.stdout).write(`# ${bench}: ${message}\n`);
    },
  };
}

/** Monotonic time in nanoseconds as a number (exact for any interval a benchmark runs). */
export function nowNs(): number {
  return Number(process.hrtime.bigint());
}

/**
 * Times `body(iterations)` in rounds and returns the median nanoseconds per iteration.
 * The median over rounds keeps one descheduled round on this shared 2-core machine from
 * deciding the figure, without hiding a consistently slow path the way a minimum would.
 */
export function timePerOp(
  body: (iterations: number) => void,
  options: { iterations: number; rounds: number; warmupRounds?: number },
): number {
  for (let i = 0; i < (options.warmupRounds ?? 2); i++) body(options.iterations);
  const perOp: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    const start = nowNs();
    body(options.iterations);
    perOp.push((nowNs() - start) / options.iterations);
  }
  return median(perOp);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile of an unsorted list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
