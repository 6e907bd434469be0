import { type Bench, type BenchContext } from './harness.ts';
import { type FlagScore, scoreLiveNode, scoreSpikesOnGeneratedMarket } from './support/quality-scoring.ts';

/** The goal the issue set for every flag: precision and recall at least this. */
const GOAL = 0.95;

/**
 * Precision and recall of the pipeline's data-quality flags against what the simulator injected
 * (docs/PIPELINE.md, "How well the flags hold"):
 * - spike, on the default market (100 symbols, 5,000 events/s, a jump per symbol every ten
 *   minutes) run through the detector without sockets for an hour of market time (ten minutes
 *   with --quick), against the baseline of the same detector with the classic rule alone (a
 *   return beyond 8 standard deviations, no 10 bp floor);
 * - gap, crossed and stale, on a whole node over sockets (the default 100 symbols; 20 with
 *   --quick, whose books sync at once), faults injected through POST /sim/faults. These have no
 *   alternative detector to compare with: their baseline is the goal, 0.95, not a measurement.
 */
const bench: Bench = {
  name: 'quality',
  description: 'precision and recall of the spike, gap, crossed and stale flags against the simulator labels',
  async run(ctx: BenchContext) {
    const market = { symbols: 100, eventsPerSecond: 5_000, marketSeconds: ctx.quick ? 600 : 3_600, seed: 1 };
    ctx.note(`spike: ${market.marketSeconds} s of the default market through the detector`);
    const spike = scoreSpikesOnGeneratedMarket(market);
    const classic = scoreSpikesOnGeneratedMarket({ ...market, quality: { spikeMinBps: 0 } });
    report(
      ctx,
      'spike',
      spike,
      { baseline: 'classic 8-sigma rule', score: classic },
      {
        market_minutes: market.marketSeconds / 60,
      },
    );

    const live = {
      symbols: ctx.quick ? 20 : 100,
      seconds: ctx.quick ? 8 : 60,
      staleAfterMs: 1_000,
      faultsPerSecond: 2,
      warmUpMs: ctx.quick ? 0 : 30_000,
    };
    ctx.note(`gap, crossed, stale: a node on ${live.symbols} symbols, ${live.seconds} s of faults`);
    const scores = await scoreLiveNode(live);
    const extra = { symbols: live.symbols, seconds: live.seconds, books_synced_after_s: scores.syncSeconds };
    for (const flag of ['gap', 'crossed', 'stale', 'spike'] as const) {
      report(ctx, `live_${flag}`, scores[flag], undefined, extra);
    }
  },
};

function report(
  ctx: BenchContext,
  name: string,
  score: FlagScore,
  baseline: { baseline: string; score: FlagScore } | undefined,
  extra: Record<string, unknown>,
): void {
  for (const metric of ['precision', 'recall'] as const) {
    ctx.report({
      metric: `${name}_${metric}`,
      value: score[metric],
      unit: 'ratio',
      better: 'higher',
      baseline: baseline?.baseline ?? `goal ${GOAL} (not measured)`,
      baseline_value: baseline?.score[metric] ?? GOAL,
      labels: score.labels,
      detected: score.detected,
      flagged: score.flagged,
      correct: score.correct,
      ...extra,
    });
  }
}

export default bench;
