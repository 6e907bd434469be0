import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FlagScore,
  scoreLiveNode,
  scoreSpikesOnGeneratedMarket,
} from '../../bench/support/quality-scoring.ts';
import { startExchangeSimulator } from '../../src/simulator/index.ts';

/** The goal for every flag: precision and recall at least this (docs/PIPELINE.md, "How well the flags hold"). */
const GOAL = 0.95;

function assertHolds(flag: string, score: FlagScore): void {
  assert.ok(score.labels > 0, `${flag}: the run injected nothing to find`);
  assert.ok(score.precision >= GOAL, `${flag} precision ${score.precision}: ${JSON.stringify(score)}`);
  assert.ok(score.recall >= GOAL, `${flag} recall ${score.recall}: ${JSON.stringify(score)}`);
}

describe('quality flags scored against the simulator labels', () => {
  it('spike: on ten minutes of the default market, and not with the classic 8-sigma rule alone', () => {
    const market = { symbols: 100, eventsPerSecond: 5_000, marketSeconds: 600, seed: 7 };
    const score = scoreSpikesOnGeneratedMarket(market);
    assertHolds('spike', score);
    // The same market without the 10 bp floor: what the floor is there for.
    const classic = scoreSpikesOnGeneratedMarket({ ...market, quality: { spikeMinBps: 0 } });
    assert.ok(classic.precision < score.precision, `classic rule precision ${classic.precision}`);
  });

  it('gap, crossed, stale and spike on a whole node, faults injected over its sockets', async () => {
    const scores = await scoreLiveNode({
      symbols: 20,
      seconds: 8,
      staleAfterMs: 1_000,
      faultsPerSecond: 2,
      warmUpMs: 0,
    });
    assertHolds('gap', scores.gap);
    assertHolds('crossed', scores.crossed);
    assertHolds('stale', scores.stale);
    // Jumps are rare in eight seconds: no flag may be wrong, whether or not one came.
    assert.ok(scores.spike.precision >= GOAL, `spike precision: ${JSON.stringify(scores.spike)}`);
    assert.deepEqual(
      { gap: scores.labels.gap, crossed: scores.labels.crossed, silence: scores.labels.silence },
      { gap: 4, crossed: 4, silence: 8 },
    );
  });

  it('labels every fault with the ids to score against, and pages with ?after', async () => {
    const simulator = await startExchangeSimulator({ symbols: 3, eventsPerSecond: 500, port: 0 });
    try {
      simulator.faults.crossBook('BTCUSDT', 2);
      simulator.faults.crossBook('BTCUSDT', 3);
      simulator.faults.silence('ETHUSDT', 50);
      const labels = simulator.labels();
      assert.deepEqual(
        labels.map(({ id, kind, symbol }) => ({ id, kind, symbol })),
        [
          { id: 1, kind: 'crossed', symbol: 'BTCUSDT' },
          { id: 2, kind: 'crossed', symbol: 'BTCUSDT' },
          { id: 3, kind: 'silence', symbol: 'ETHUSDT' },
        ],
      );
      type Crossed = Extract<(typeof labels)[number], { kind: 'crossed' }>;
      const [first, second] = labels as [Crossed, Crossed];
      assert.equal(
        second.fromUpdateId,
        first.fromUpdateId + 2,
        'a second cross follows the updates still owed',
      );
      const after = (await (await fetch(`${simulator.url}/sim/labels?after=2`)).json()) as { id: number }[];
      assert.deepEqual(
        after.map((label) => label.id),
        [3],
      );
      assert.equal((await fetch(`${simulator.url}/sim/labels?after=-1`)).status, 400);
      assert.equal((await fetch(`${simulator.url}/sim/labels?after=x`)).status, 400);
    } finally {
      await simulator.close();
    }
  });
});
