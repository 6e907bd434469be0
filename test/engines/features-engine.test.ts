import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { type BarMessage, FeaturesEngine } from '../../src/engines/index.ts';
import { SIDE, Tick } from '../../src/wire/index.ts';
import { eventually } from '../support/eventually.ts';

/** A trade tick at price/size (2 and 3 decimals) as the pipeline publishes it. */
function trade(timeMs: number, price: number, size: number, sequence: number): Uint8Array {
  const bytes = new Uint8Array(64);
  new Tick()
    .wrap(bytes)
    .writeTrade(
      1,
      1,
      2,
      3,
      sequence,
      SIDE.buy,
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

  it('refuses a bad bar spec when it is made, not when trades come', () => {
    assert.throws(() => new FeaturesEngine({ bars: ['7m'] }), /BAD_CONFIG: bar spec "7m"/);
  });
});
