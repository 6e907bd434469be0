import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartBudget } from '../../src/pipeline/restart-budget.ts';

describe('RestartBudget', () => {
  it('doubles the delay per restart in the window, caps it, and gives up after maxRestarts', () => {
    const budget = new RestartBudget({
      initialDelayMs: 100,
      maxDelayMs: 500,
      maxRestarts: 4,
      windowMs: 10_000,
    });
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((t) => budget.next(t)),
      [100, 200, 400, 500, undefined],
    );
  });

  it('forgets restarts older than the window', () => {
    const budget = new RestartBudget({
      initialDelayMs: 100,
      maxDelayMs: 5_000,
      maxRestarts: 2,
      windowMs: 1_000,
    });
    assert.equal(budget.next(0), 100);
    assert.equal(budget.next(10), 200);
    assert.equal(budget.next(20), undefined);
    assert.equal(budget.next(1_005), 200, 'the restart at 0 left the window; the one at 10 still counts');
    assert.equal(budget.next(2_500), 100);
  });

  it('never restarts with maxRestarts 0', () => {
    const budget = new RestartBudget({
      initialDelayMs: 100,
      maxDelayMs: 5_000,
      maxRestarts: 0,
      windowMs: 1_000,
    });
    assert.equal(budget.next(0), undefined);
  });
});
