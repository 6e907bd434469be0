import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PriceProcess, SeededRandom, simulatedUniverse } from '../../src/simulator/index.ts';

describe('SeededRandom', () => {
  it('replays the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 5 }, () => random.nextUint32());
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
  });

  it('draws uniform values in [0, 1) with a mean near one half', () => {
    const random = new SeededRandom(1);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const value = random.next();
      assert.ok(value >= 0 && value < 1);
      sum += value;
    }
    assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
  });

  it('draws standard normals with mean near 0 and variance near 1', () => {
    const random = new SeededRandom(2);
    let sum = 0;
    let squares = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const value = random.gaussian();
      sum += value;
      squares += value * value;
    }
    assert.ok(Math.abs(sum / n) < 0.02);
    assert.ok(Math.abs(squares / n - 1) < 0.03);
  });
});

describe('simulatedUniverse', () => {
  it('starts with BTCUSDT and ETHUSDT and is the same for the same count', () => {
    const universe = simulatedUniverse(100);
    assert.equal(universe.length, 100);
    assert.equal(universe[0]?.symbol, 'BTCUSDT');
    assert.equal(universe[1]?.symbol, 'ETHUSDT');
    assert.deepEqual(simulatedUniverse(100), universe);
    assert.equal(new Set(universe.map((s) => s.symbol)).size, 100);
  });

  it('gives every symbol a price representable at its price scale', () => {
    for (const row of simulatedUniverse(2_000)) {
      const mantissa = row.price * 10 ** row.priceScale;
      assert.ok(
        Math.abs(mantissa - Math.round(mantissa)) < 1e-6,
        `${row.symbol} ${row.price} @${row.priceScale}`,
      );
      assert.ok(row.price > 0 && row.priceScale >= 0 && row.priceScale <= 8 && row.sizeScale >= 0);
    }
  });

  it('takes named symbols in the order given, known ones from the leading table', () => {
    const universe = simulatedUniverse(['ETHUSDT', 'FOOUSDT']);
    assert.deepEqual(
      universe.map((s) => s.symbol),
      ['ETHUSDT', 'FOOUSDT'],
    );
    assert.equal(universe[0]?.price, 3_400);
  });
});

describe('PriceProcess', () => {
  it('keeps the book uncrossed and prints every trade at the touch it hits', () => {
    for (const symbol of simulatedUniverse(30)) {
      const process = new PriceProcess(symbol, 42);
      for (let i = 0; i < 5_000; i++) {
        const kind = process.step(0.001);
        assert.ok(process.bidPrice >= 1 && process.bidPrice < process.askPrice, `${symbol.symbol} crossed`);
        assert.ok(process.bidSize >= 1 && process.askSize >= 1);
        if (kind === 'trade') {
          assert.equal(process.tradePrice, process.tradeSide === 1 ? process.askPrice : process.bidPrice);
          assert.ok(Number.isSafeInteger(process.tradeSize) && process.tradeSize >= 1);
        }
      }
    }
  });

  it('is reproducible for a seed and moves the price', () => {
    const run = () => {
      const process = new PriceProcess(simulatedUniverse(1)[0]!, 9);
      const prices: number[] = [];
      for (let i = 0; i < 1_000; i++) {
        process.step(0.01);
        prices.push(process.bidPrice);
      }
      return prices;
    };
    const prices = run();
    assert.deepEqual(run(), prices);
    assert.ok(new Set(prices).size > 50, 'the walk should visit many prices');
  });

  it('numbers trades and updates monotonically', () => {
    const process = new PriceProcess(simulatedUniverse(1)[0]!, 3);
    let trades = 0;
    for (let i = 1; i <= 1_000; i++) {
      if (process.step(0.001) === 'trade') trades++;
      assert.equal(process.updateId, i);
      assert.equal(process.tradeId, trades);
    }
    assert.ok(trades > 350 && trades < 650);
  });

  it('moves as much per second of market time whatever the event rate', () => {
    // RMS of the mid's move over 10 market seconds, over many seeds: per-event volatility would
    // make the fine-stepped walk (1,000 events/s) move 30 times as far as the coarse one (1/s).
    const rmsMoveBps = (eventsPerSecond: number) => {
      let sumSquares = 0;
      const seeds = 200;
      for (let seed = 1; seed <= seeds; seed++) {
        const process = new PriceProcess(simulatedUniverse(1)[0]!, seed);
        const start = (process.bidPrice + process.askPrice) / 2;
        for (let i = 0; i < 10 * eventsPerSecond; i++) process.step(1 / eventsPerSecond);
        const moveBps = (((process.bidPrice + process.askPrice) / 2 - start) / start) * 10_000;
        sumSquares += moveBps * moveBps;
      }
      return Math.sqrt(sumSquares / seeds);
    };
    const coarse = rmsMoveBps(1);
    const fine = rmsMoveBps(1_000);
    assert.ok(coarse > 1 && coarse < 20, `coarse ${coarse} bp`);
    assert.ok(fine / coarse > 0.6 && fine / coarse < 1.6, `fine ${fine} bp vs coarse ${coarse} bp`);
  });
});
