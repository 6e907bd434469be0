import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCrossedQuote } from '../../src/pipeline/crossed-book.ts';
import { DEFAULT_QUALITY_OPTIONS } from '../../src/pipeline/pipeline-options.ts';
import { TickQuality } from '../../src/pipeline/tick-quality.ts';
import { FIGURE_INDEX, WORKER_FIGURES } from '../../src/pipeline/worker-protocol.ts';
import { FLAG } from '../../src/wire/index.ts';
import { quoteTick, tradeTick } from './quality-fixtures.ts';

const OPTIONS = { ...DEFAULT_QUALITY_OPTIONS, spikeStdDevs: 5, spikeWarmup: 20, staleAfterMs: 1_000 };

describe('isCrossedQuote', () => {
  it('is true only when both sides are present and bid >= ask', () => {
    assert.equal(isCrossedQuote(100, 1, 101, 1), false);
    assert.equal(isCrossedQuote(101, 1, 101, 1), true, 'a locked book counts as crossed');
    assert.equal(isCrossedQuote(102, 1, 101, 1), true);
    assert.equal(isCrossedQuote(102, 0, 101, 1), false, 'an empty bid side');
    assert.equal(isCrossedQuote(102, 1, 0, 1), false, 'no ask price');
  });
});

describe('TickQuality', () => {
  it('flags sequence breaks, crossed quotes and late ticks, and counts each', () => {
    const quality = new TickQuality(OPTIONS);
    const now = 0;
    assert.equal(quality.inspect(tradeTick(7, 1, 100), now), 0);
    assert.equal(quality.inspect(tradeTick(7, 3, 100), now), FLAG.gap, 'trade ids are contiguous');
    assert.equal(quality.inspect(quoteTick(7, 1, 100, 101), now), 0);
    assert.equal(quality.inspect(quoteTick(7, 3, 100, 101), now), 0, 'quote sequences only increase');
    assert.equal(quality.inspect(quoteTick(7, 3, 100, 101), now), FLAG.duplicate);
    assert.equal(quality.inspect(quoteTick(7, 2, 100, 101), now), FLAG.outOfOrder);
    assert.equal(quality.inspect(quoteTick(7, 4, 102, 101), now), FLAG.crossed);
    const late = quoteTick(7, 5, 100, 101, { exchangeMs: 1_700_000_000_000, receiveMs: 1_700_000_002_000 });
    assert.equal(quality.inspect(late, now), FLAG.stale, 'received 2 s after its exchange time, limit 1 s');
    const figures = new Float64Array(WORKER_FIGURES.length);
    quality.writeCounters(figures);
    const read = (name: (typeof WORKER_FIGURES)[number]) => figures[FIGURE_INDEX[name]];
    assert.deepEqual(
      ['processed', 'gaps', 'missing', 'duplicates', 'outOfOrder', 'crossed', 'staleTicks', 'spikes'].map(
        (name) => read(name as (typeof WORKER_FIGURES)[number]),
      ),
      [8, 1, 1, 1, 1, 1, 1, 0],
    );
  });

  it('flags a trade price spike and a quote mid spike on separate streams', () => {
    const quality = new TickQuality(OPTIONS);
    let sequence = 0;
    for (let i = 0; i < 60; i++) {
      const step = i % 2 === 0 ? 10 : -10;
      assert.equal(quality.inspect(tradeTick(3, ++sequence, 100_000 + step), 0), 0);
      assert.equal(quality.inspect(quoteTick(3, sequence, 99_990 + step, 100_010 + step), 0), 0);
    }
    assert.equal(quality.inspect(tradeTick(3, ++sequence, 130_000), 0), FLAG.spike);
    assert.equal(
      quality.inspect(quoteTick(3, sequence, 99_995, 100_015), 0),
      0,
      'the quote stream did not jump',
    );
    assert.equal(quality.inspect(quoteTick(3, ++sequence, 70_000, 70_010), 0), FLAG.spike);
    const figures = new Float64Array(WORKER_FIGURES.length);
    quality.writeCounters(figures);
    assert.equal(figures[FIGURE_INDEX.spikes], 2);
  });

  it('reports stale symbols through the sweep and counts their revival', () => {
    const quality = new TickQuality(OPTIONS);
    quality.inspect(quoteTick(1, 1, 100, 101), 0);
    quality.inspect(quoteTick(2, 1, 100, 101), 0);
    quality.inspect(quoteTick(2, 2, 100, 101), 900);
    assert.equal(quality.staleness.sweep(1_500), 1);
    quality.inspect(quoteTick(1, 2, 100, 101), 1_600);
    const figures = new Float64Array(WORKER_FIGURES.length);
    quality.writeCounters(figures);
    assert.deepEqual(
      [figures[FIGURE_INDEX.wentStale], figures[FIGURE_INDEX.revived], figures[FIGURE_INDEX.staleSymbols]],
      [1, 1, 0],
    );
  });
});
