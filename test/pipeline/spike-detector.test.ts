import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpikeDetector } from '../../src/pipeline/spike-detector.ts';

const OPTIONS = { spikeStdDevs: 5, spikeMinBps: 10, spikeWindow: 50, spikeWarmup: 20, spikeConfirmTicks: 3 };

/** A price that alternates ±0.1 %: a steady, known volatility. */
function wiggle(detector: SpikeDetector, stream: number, start: number, count: number): number {
  let price = start;
  let flagged = 0;
  for (let i = 0; i < count; i++) {
    price *= i % 2 === 0 ? 1.001 : 1 / 1.001;
    if (detector.check(stream, price)) flagged++;
  }
  return flagged;
}

describe('SpikeDetector', () => {
  it('flags a jump far beyond the usual returns, once, and lets the next normal price pass', () => {
    const detector = new SpikeDetector(OPTIONS);
    assert.equal(wiggle(detector, 0, 100, 100), 0);
    assert.equal(detector.check(0, 110), true, 'a 10 % print among 0.1 % moves is a spike');
    assert.equal(detector.check(0, 100.05), false, 'the reference did not move to the bad print');
    assert.deepEqual(detector.counts, { spikes: 1, levelShifts: 0 });
  });

  it('never flags a move under spikeMinBps, however calm the stream was', () => {
    const detector = new SpikeDetector(OPTIONS);
    let price = 100;
    for (let i = 0; i < 100; i++) detector.check(0, (price *= i % 2 === 0 ? 1.00001 : 1 / 1.00001));
    assert.equal(detector.check(0, price * 1.0009), false, '9 bp is 90 standard deviations but under 10 bp');
    assert.equal(detector.check(0, price * 1.0009 * 1.003), true, '30 bp more is both');
  });

  it('learns a rise in volatility from its first spikes instead of flagging it until calm returns', () => {
    const detector = new SpikeDetector(OPTIONS);
    let price = 100;
    for (let i = 0; i < 100; i++) detector.check(0, (price *= i % 2 === 0 ? 1.0001 : 1 / 1.0001));
    // The market turns ten times as volatile (±10 bp, then ±15 bp to stay above the floor).
    let flagged = 0;
    for (let i = 0; i < 200; i++) {
      if (detector.check(0, (price *= i % 2 === 0 ? 1.0015 : 1 / 1.0015))) flagged++;
    }
    assert.ok(flagged > 0 && flagged <= 10, `flagged ${flagged} of 200 returns after the change`);
  });

  it('flags nothing during the warm-up', () => {
    const detector = new SpikeDetector(OPTIONS);
    assert.equal(wiggle(detector, 0, 100, 10), 0);
    assert.equal(detector.check(0, 150), false, 'only 10 returns seen, warm-up is 20');
  });

  it('accepts a new level after spikeConfirmTicks spikes in a row', () => {
    const detector = new SpikeDetector(OPTIONS);
    wiggle(detector, 0, 100, 100);
    assert.deepEqual(
      [120, 120.1, 120].map((price) => detector.check(0, price)),
      [true, true, true],
    );
    assert.deepEqual(detector.counts, { spikes: 3, levelShifts: 1 });
    assert.equal(detector.check(0, 120.05), false, 'the new level is the reference now');
  });

  it('keeps streams apart and forgets one on reset', () => {
    const detector = new SpikeDetector(OPTIONS);
    wiggle(detector, 0, 100, 100);
    wiggle(detector, 5_000, 1, 100);
    assert.equal(detector.check(5_000, 1.5), true);
    assert.equal(detector.check(0, 100.1), false);
    detector.reset(0);
    assert.equal(wiggle(detector, 0, 300, 10), 0);
    assert.equal(detector.check(0, 600), false, 'a reset stream warms up again');
  });

  it('ignores non-positive prices and flags nothing on a stream that never moved', () => {
    const detector = new SpikeDetector(OPTIONS);
    assert.equal(detector.check(0, 0), false);
    assert.equal(detector.check(0, -5), false);
    for (let i = 0; i < 40; i++) assert.equal(detector.check(1, 100), false);
    assert.equal(detector.check(1, 101), false, 'zero variance: no basis for a limit');
  });
});
