import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import {
  type BarMessage,
  type DemandMessage,
  DemandTracker,
  type FeatureMessage,
  FeaturesEngine,
} from '../../src/engines/index.ts';
import { SIDE, Tick } from '../../src/wire/index.ts';
import { eventually } from '../support/eventually.ts';

/** A trade tick at price/size (2 and 3 decimals) as the pipeline publishes it. */
function trade(
  timeMs: number,
  price: number,
  size: number,
  sequence: number,
  side: number = SIDE.buy,
): Uint8Array {
  const bytes = new Uint8Array(64);
  new Tick()
    .wrap(bytes)
    .writeTrade(
      1,
      1,
      2,
      3,
      sequence,
      side,
      timeMs,
      0,
      timeMs,
      0,
      Math.round(price * 100),
      Math.round(size * 1000),
      sequence,
    );
  return bytes;
}

describe('features engine', () => {
  it('publishes the bars of every symbol with trades, and closes a quiet symbol’s on the market clock', async () => {
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({ bars: ['1s', 'ticks2'] });
    const bars: [string, BarMessage][] = [];
    bus.subscribe('bars.>', (payload, topic) => bars.push([topic, payload as BarMessage]));
    await engine.start(bus);
    try {
      bus.publish('md.trade.SIM.AAA', trade(10_100, 10, 1, 1));
      bus.publish('md.trade.SIM.AAA', trade(10_500, 12, 2, 2));
      bus.publish('md.trade.SIM.AAA', trade(10_900, 11, 1, 3));
      // Another symbol moves the market's clock past AAA's second: its bar closes without a trade.
      bus.publish('md.trade.SIM.BBB', trade(11_300, 50, 1, 1));
      await eventually(
        () => bars.some(([topic]) => topic === 'bars.SIM.AAA.1s'),
        'AAA 1 s bar closed by the clock',
      );
      const second = bars.find(([topic]) => topic === 'bars.SIM.AAA.1s')![1];
      assert.deepEqual(
        { ...second },
        {
          type: 'bar',
          venue: 'SIM',
          symbol: 'AAA',
          spec: '1s',
          openTime: 10_000,
          closeTime: 11_000,
          open: 10,
          high: 12,
          low: 10,
          close: 11,
          volume: 4,
          value: 10 + 24 + 11,
          buyVolume: 4,
          sellVolume: 0,
          trades: 3,
        },
      );
      const ticks = bars.filter(([topic]) => topic === 'bars.SIM.AAA.ticks2').map(([, bar]) => bar.trades);
      assert.deepEqual(ticks, [2], 'the third trade opens the next tick bar');
      assert.deepEqual(
        engine.bars('SIM', 'AAA', '1s')?.map((bar) => bar.close),
        [11],
      );
      const health = engine.health();
      assert.equal(health.status, 'ok');
      assert.equal(health.messagebusConnected, true);
      assert.ok(health.lastMessageAgeMs !== null && health.lastMessageAgeMs >= 0);
    } finally {
      await engine.stop();
      await bus.close();
    }
  });

  it('computes the configured features on every bar of their spec and publishes each value', async () => {
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({ bars: ['1s', '5s'], features: ['sma-2', 'mom-1:5s'] });
    const values: FeatureMessage[] = [];
    bus.subscribe('features.>', (payload) => values.push(payload as FeatureMessage));
    await engine.start(bus);
    try {
      // One trade per second at 10, 12, 14, 16…: 1 s bars close at each next second.
      for (let i = 0; i < 12; i++)
        bus.publish('md.trade.SIM.AAA', trade(1_000 * i + 100, 10 + 2 * i, 1, i + 1));
      const sma = values.filter((value) => value.feature === 'sma-2');
      // Bars 0..10 are closed (the 12th trade opened bar 11); sma-2 has a value from bar 1 on.
      assert.deepEqual(
        sma.map((value) => value.value),
        [11, 13, 15, 17, 19, 21, 23, 25, 27, 29],
      );
      assert.deepEqual(sma[0], {
        type: 'feature',
        venue: 'SIM',
        symbol: 'AAA',
        feature: 'sma-2',
        spec: '1s',
        time: 2_000,
        value: 11,
      });
      // mom-1 on 5 s bars: closes 18 (bar 0-5 s) then 28 (5-10 s).
      assert.deepEqual(
        values.filter((value) => value.feature === 'mom-1:5s').map((value) => [value.spec, value.value]),
        [['5s', 10]],
      );
      assert.deepEqual(
        engine.features('SIM', 'AAA').map((feature) => [feature.feature, feature.last?.value]),
        [
          ['sma-2', 29],
          ['mom-1:5s', 10],
        ],
      );
    } finally {
      await engine.stop();
      await bus.close();
    }
  });

  it('starts a feature when a node announces demand for it, warmed up on the kept bars, and stops it when the demand goes', async () => {
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({ bars: ['1s'] });
    const values: FeatureMessage[] = [];
    bus.subscribe('features.>', (payload) => values.push(payload as FeatureMessage));
    await engine.start(bus);
    const demand = (patterns: string[]): void =>
      bus.publish('demand.topics', { type: 'demand', node: 'n1', patterns } satisfies DemandMessage);
    try {
      for (let i = 0; i < 5; i++) bus.publish('md.trade.SIM.AAA', trade(1_000 * i + 100, 10 + i, 1, i + 1));
      bus.publish('md.trade.SIM.BBB', trade(4_100, 50, 1, 1));
      assert.equal(values.length, 0, 'nothing is computed that nobody asked for');
      demand(['features.SIM.AAA.sma-3', 'features.SIM.*.nope-1', 'features.>']);
      assert.deepEqual(
        engine.features('SIM', 'AAA').map((feature) => feature.feature),
        ['sma-3'],
      );
      assert.deepEqual(engine.features('SIM', 'BBB'), [], 'only the symbol the pattern names');
      assert.match(engine.refused()[0]!.error, /no indicator "nope"/);
      // Bars 0..3 were kept: the next bar's value uses them.
      bus.publish('md.trade.SIM.AAA', trade(5_100, 15, 1, 6));
      assert.deepEqual(
        values.map((value) => [value.feature, value.time, value.value]),
        [['sma-3', 5_000, 13]],
      );
      demand(['features.SIM.*.sma-3']);
      assert.equal(engine.features('SIM', 'BBB').length, 1, 'a wildcard symbol starts it everywhere');
      demand([]);
      assert.deepEqual(engine.features('SIM', 'AAA'), [], 'withdrawn: stopped');
      bus.publish('md.trade.SIM.AAA', trade(6_100, 16, 1, 7));
      assert.equal(values.length, 1);
    } finally {
      await engine.stop();
      await bus.close();
    }
  });

  it('a node’s demand lapses when its lease is not renewed; malformed announcements are counted', () => {
    let changes = 0;
    const tracker = new DemandTracker(() => changes++);
    const bus = new MemoryBus();
    tracker.start(bus);
    bus.publish('demand.topics', { type: 'demand', node: 'n1', patterns: ['features.SIM.AAA.rsi'] });
    bus.publish('demand.topics', { type: 'demand', node: 'n1', patterns: ['features.SIM.AAA.rsi'] });
    bus.publish('demand.topics', { type: 'demand', node: 'n2', patterns: [7] });
    bus.publish('demand.topics', 'nonsense');
    assert.equal(changes, 1, 'a renewal of the same set is no change');
    assert.equal(tracker.malformed, 2);
    tracker.expire(Date.now() + 60_000);
    assert.equal(changes, 2);
    assert.deepEqual([...tracker.patterns()], []);
    tracker.stop();
    void bus.close();
  });

  it('book features read the quotes and book levels of the symbol as its bar closes', async () => {
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({
      bars: ['1s'],
      features: ['spread', 'depth_imbalance-2', 'trade_imbalance'],
    });
    const values: FeatureMessage[] = [];
    bus.subscribe('features.>', (payload) => values.push(payload as FeatureMessage));
    await engine.start(bus);
    try {
      bus.publish('md.trade.SIM.AAA', trade(100, 10, 3, 1, SIDE.buy));
      bus.publish('md.trade.SIM.AAA', trade(200, 10, 1, 2, SIDE.sell));
      bus.publish('md.quote.SIM.AAA', quote(300, 9.99, 2, 10.01, 1));
      bus.publish('md.book.SIM.AAA', level(300, SIDE.bid, 9.99, 2));
      bus.publish('md.book.SIM.AAA', level(300, SIDE.bid, 9.98, 4));
      bus.publish('md.book.SIM.AAA', level(300, SIDE.bid, 9.97, 100));
      bus.publish('md.book.SIM.AAA', level(300, SIDE.ask, 10.01, 1));
      bus.publish('md.book.SIM.AAA', level(300, SIDE.ask, 10.02, 0));
      bus.publish('md.trade.SIM.AAA', trade(1_100, 10, 1, 3));
      const byName = Object.fromEntries(values.map((value) => [value.feature, value.value]));
      assert.ok(Math.abs((byName['spread'] as { spread: number }).spread - 0.02) < 1e-12);
      assert.equal(byName['depth_imbalance-2'], (6 - 1) / 7);
      assert.equal(byName['trade_imbalance'], (3 - 1) / 4);
    } finally {
      await engine.stop();
      await bus.close();
    }
  });

  it('reads quotes and book levels only while a feature reads the book', async () => {
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({ bars: ['1s'] });
    await engine.start(bus);
    const reading = () => bus.stats().subscriptions;
    try {
      bus.publish('md.trade.SIM.AAA', trade(100, 10, 1, 1));
      const alone = reading();
      const demand = (patterns: string[]): void =>
        bus.publish('demand.topics', { type: 'demand', node: 'n1', patterns } satisfies DemandMessage);
      demand(['features.SIM.AAA.sma-3']);
      assert.equal(reading(), alone, 'a bar feature needs no book');
      demand(['features.SIM.AAA.spread']);
      assert.equal(reading(), alone + 2, 'quotes and book levels');
      demand([]);
      assert.equal(reading(), alone);
    } finally {
      await engine.stop();
      await bus.close();
    }
  });

  it('refuses a bad feature or bar spec when it is made, not when trades come', () => {
    assert.throws(
      () => new FeaturesEngine({ features: ['rsi-0'] }),
      /BAD_CONFIG: features\.0: feature "rsi-0": period must be/,
    );
    assert.throws(() => new FeaturesEngine({ features: ['rsi:5m'] }), /bars of 5m are not built/);
  });

  it('refuses a bad bar spec when it is made, not when trades come', () => {
    assert.throws(() => new FeaturesEngine({ bars: ['7m'] }), /BAD_CONFIG: bars\.0: bar spec "7m"/);
  });
});

function quote(timeMs: number, bid: number, bidSize: number, ask: number, askSize: number): Uint8Array {
  const bytes = new Uint8Array(64);
  new Tick()
    .wrap(bytes)
    .writeQuote(
      1,
      1,
      2,
      3,
      1,
      0,
      timeMs,
      0,
      timeMs,
      0,
      Math.round(bid * 100),
      Math.round(bidSize * 1000),
      Math.round(ask * 100),
      Math.round(askSize * 1000),
    );
  return bytes;
}

function level(timeMs: number, side: number, price: number, size: number): Uint8Array {
  const bytes = new Uint8Array(64);
  new Tick()
    .wrap(bytes)
    .writeBook(
      1,
      1,
      2,
      3,
      1,
      side,
      timeMs,
      0,
      timeMs,
      0,
      Math.round(price * 100),
      Math.round(size * 1000),
      1,
      0,
    );
  return bytes;
}
