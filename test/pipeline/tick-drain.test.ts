import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { type Harness, startHarness, waitFor } from './pipeline-harness.ts';

const TICKS = 500;
/** What one publish costs a subscriber here: a gateway fanning a tick out to ~1,000 clients. */
const SUBSCRIBER_COST_MS = 0.1;

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('tick drain', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('yields to other I/O while expensive subscribers take a backlog far under the tick budget', async () => {
    harness = await startHarness(1, { workers: 1, ringCapacity: 1_024 });
    const { pipeline, bus, ids, trade, received } = harness;
    // Counts the event-loop turns that pass while the backlog is published.
    let turns = 0;
    let counting = true;
    const countTurn = () => {
      turns++;
      if (counting) setImmediate(countTurn);
    };
    const turnsAtTick: number[] = [];
    bus.subscribe('md.>', () => {
      // The first tick takes long enough for the worker to pass on the whole backlog meanwhile.
      busyWait(turnsAtTick.length === 0 ? 50 : SUBSCRIBER_COST_MS);
      turnsAtTick.push(turns);
    });
    await pipeline.pauseWorker(0);
    for (let seq = 1; seq <= TICKS; seq++) assert.ok(trade(ids[0]!, seq));
    setImmediate(countTurn);
    pipeline.resumeWorker(0);
    await waitFor(() => received.length === TICKS, `${TICKS} ticks`);
    counting = false;
    // 499 ticks of 0.1 ms after the first: far under one turn's budget of ticks (1,024 or more),
    // but 50 ms of work, which the drain must split into turns of a few ms.
    const interleaved = turnsAtTick[TICKS - 1]! - turnsAtTick[1]!;
    assert.ok(
      interleaved >= 5,
      `only ${interleaved} other turns ran while ${TICKS - 1} ticks were published`,
    );
  });
});
