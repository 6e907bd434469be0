import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Bar, BarBuilder, MAX_FLAT_BARS } from '../../src/engines/features/bar-builder.ts';
import { barSpecName, parseBarSpec } from '../../src/engines/features/bar-spec.ts';

function bars(spec: string, trades: [number, number, number][], closeAt?: number): Bar[] {
  const out: Bar[] = [];
  const builder = new BarBuilder(parseBarSpec(spec), (bar) => out.push({ ...bar }));
  for (const [time, price, size] of trades) builder.trade(time, price, size);
  if (closeAt !== undefined) builder.closeUntil(closeAt);
  return out;
}

describe('bar specs', () => {
  it('reads time, tick, volume and value bars, and writes them back the same', () => {
    assert.deepEqual(parseBarSpec('1s'), { kind: 'time', ms: 1_000 });
    assert.deepEqual(parseBarSpec('15m'), { kind: 'time', ms: 900_000 });
    assert.deepEqual(parseBarSpec('1d'), { kind: 'time', ms: 86_400_000 });
    assert.deepEqual(parseBarSpec('ticks100'), { kind: 'ticks', count: 100 });
    assert.deepEqual(parseBarSpec('volume0_5'), { kind: 'volume', threshold: 0.5 });
    assert.deepEqual(parseBarSpec('value100000'), { kind: 'value', threshold: 100_000 });
    for (const name of ['1s', '5s', '1m', '4h', '1d', 'ticks100', 'volume0_5', 'value100000'])
      assert.equal(barSpecName(parseBarSpec(name)), name);
    assert.equal(barSpecName(parseBarSpec('60s')), '1m');
    for (const bad of ['0s', '7m', '2d', '1w', 'ticks0', 'volume0', 'volume-1', 'value1.5', 'bars'])
      assert.throws(() => parseBarSpec(bad), /BAD_CONFIG: bar spec/, bad);
  });
});

describe('BarBuilder', () => {
  it('time bars: OHLCV per interval, flat bars for empty intervals, closed by a timer too', () => {
    const out = bars(
      '1s',
      [
        [100, 10, 1],
        [400, 12, 2],
        [900, 9, 1],
        [3_500, 11, 1],
      ],
      4_200,
    );
    assert.deepEqual(out, [
      {
        openTime: 0,
        closeTime: 1_000,
        open: 10,
        high: 12,
        low: 9,
        close: 9,
        volume: 4,
        value: 43,
        buyVolume: 0,
        sellVolume: 0,
        trades: 3,
      },
      {
        openTime: 1_000,
        closeTime: 2_000,
        open: 9,
        high: 9,
        low: 9,
        close: 9,
        volume: 0,
        value: 0,
        buyVolume: 0,
        sellVolume: 0,
        trades: 0,
      },
      {
        openTime: 2_000,
        closeTime: 3_000,
        open: 9,
        high: 9,
        low: 9,
        close: 9,
        volume: 0,
        value: 0,
        buyVolume: 0,
        sellVolume: 0,
        trades: 0,
      },
      {
        openTime: 3_000,
        closeTime: 4_000,
        open: 11,
        high: 11,
        low: 11,
        close: 11,
        volume: 1,
        value: 11,
        buyVolume: 0,
        sellVolume: 0,
        trades: 1,
      },
    ]);
  });

  it('time bars keep the grid through a timer-closed silence, and start over after a long one', () => {
    const out: Bar[] = [];
    const builder = new BarBuilder(parseBarSpec('1s'), (bar) => out.push({ ...bar }));
    builder.trade(500, 10, 1);
    builder.closeUntil(1_200);
    builder.closeUntil(2_100);
    builder.trade(3_300, 11, 1);
    builder.closeUntil(4_000);
    assert.deepEqual(
      out.map((bar) => [bar.openTime, bar.close, bar.trades]),
      [
        [0, 10, 1],
        [1_000, 10, 0],
        [2_000, 10, 0],
        [3_000, 11, 1],
      ],
    );
    const afterSilence = bars('1s', [
      [500, 10, 1],
      [500 + (MAX_FLAT_BARS + 5) * 1_000, 12, 1],
    ]);
    assert.equal(afterSilence.length, 1, 'no thousand flat bars: the grid starts over');
  });

  it('tick, volume and value bars close on the trade that fills them, never splitting it', () => {
    const trades: [number, number, number][] = [
      [1, 100, 0.4],
      [2, 101, 0.4],
      [3, 102, 0.4],
      [4, 103, 0.5],
      [5, 104, 0.6],
    ];
    assert.deepEqual(
      bars('ticks2', trades).map((bar) => [bar.openTime, bar.closeTime, bar.trades]),
      [
        [1, 2, 2],
        [3, 4, 2],
      ],
    );
    const volume = bars('volume1', trades);
    assert.deepEqual(
      volume.map((bar) => [bar.openTime, bar.closeTime, bar.open, bar.close]),
      [
        [1, 3, 100, 102],
        [4, 5, 103, 104],
      ],
    );
    assert.ok(Math.abs(volume[0]!.volume - 1.2) < 1e-12);
    const value = bars('value100', trades);
    // 40.0 + 40.4 (< 100) + 40.8 closes the first; 51.5 + 62.4 the second.
    assert.deepEqual(
      value.map((bar) => [bar.openTime, bar.closeTime]),
      [
        [1, 3],
        [4, 5],
      ],
    );
  });

  it('time bars equal a direct grouping of the same trades', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const trades: [number, number, number][] = [];
    let time = 0;
    let price = 100;
    for (let i = 0; i < 5_000; i++) {
      time += Math.floor(random() * 900);
      price += random() - 0.5;
      trades.push([time, price, random()]);
    }
    const built = bars('5s', trades, time + 5_000).filter((bar) => bar.trades > 0);
    const groups = new Map<number, [number, number, number][]>();
    for (const trade of trades) {
      const start = Math.floor(trade[0] / 5_000) * 5_000;
      groups.set(start, [...(groups.get(start) ?? []), trade]);
    }
    const direct = [...groups].map(([start, group]) => ({
      openTime: start,
      closeTime: start + 5_000,
      open: group[0]![1],
      high: Math.max(...group.map((t) => t[1])),
      low: Math.min(...group.map((t) => t[1])),
      close: group.at(-1)![1],
      trades: group.length,
    }));
    assert.deepEqual(
      built.map(({ openTime, closeTime, open, high, low, close, trades: n }) => ({
        openTime,
        closeTime,
        open,
        high,
        low,
        close,
        trades: n,
      })),
      direct,
    );
  });
});
