import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { featuresOfRecording } from '../../src/engines/features/batch.ts';
import { type FeatureMessage, FeaturesEngine } from '../../src/engines/index.ts';
import { TickRecorder } from '../../src/recording/index.ts';
import { SIDE, SymbolRegistry, Tick } from '../../src/wire/index.ts';

const FEATURES = ['rsi-14', 'macd', 'bb-5-2:1m', 'slope-10', 'spread', 'trade_imbalance-5'];
const BARS = ['1s', '1m'];
const BASE_MS = 1_765_000_000_000;

describe('features over a recording (tickwire features --dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-features-batch-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives exactly the values the live engine published while the market was recorded', async () => {
    const registry = new SymbolRegistry();
    const symbols = [
      registry.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 5 }),
      registry.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 }),
    ];
    const bus = new MemoryBus();
    const engine = new FeaturesEngine({ bars: BARS, features: FEATURES });
    const live: FeatureMessage[] = [];
    bus.subscribe('features.>', (payload) => live.push(payload as FeatureMessage));
    const recorder = new TickRecorder({ dir, registry, bus });
    await recorder.start();
    await engine.start(bus);
    // Ten minutes of a two-symbol market: trades every ~170 ms, a quote after every third trade,
    // and a quiet minute on ETHUSDT (flat bars closed by the market's clock).
    let state = 42;
    const random = (): number => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    const prices = [6_000_000, 300_000];
    const tick = new Tick();
    for (let i = 0; i < 3_500; i++) {
      const s = i % 2;
      const time = BASE_MS + i * 170;
      if (s === 1 && time > BASE_MS + 240_000 && time < BASE_MS + 300_000) continue;
      const info = registry.info(symbols[s]!);
      prices[s] = Math.max(1, prices[s]! + Math.round((random() - 0.5) * 400));
      const trade = new Uint8Array(64);
      tick
        .wrap(trade)
        .writeTrade(
          info.venueId,
          symbols[s]!,
          2,
          s === 0 ? 5 : 4,
          i,
          random() < 0.5 ? SIDE.buy : SIDE.sell,
          time,
          0,
          time,
          0,
          prices[s]!,
          1 + Math.floor(random() * 10_000),
          i,
        );
      bus.publish(`md.trade.SIM.${info.symbol}`, trade);
      if (i % 3 === 0) {
        const quote = new Uint8Array(64);
        tick
          .wrap(quote)
          .writeQuote(
            info.venueId,
            symbols[s]!,
            2,
            s === 0 ? 5 : 4,
            i,
            0,
            time,
            0,
            time,
            0,
            prices[s]! - 1,
            500,
            prices[s]! + 1,
            700,
          );
        bus.publish(`md.quote.SIM.${info.symbol}`, quote);
      }
    }
    await engine.stop();
    await recorder.close();
    await bus.close();
    assert.ok(live.length > 5_000, `${live.length} live values`);
    for (const feature of FEATURES)
      assert.ok(
        live.some((value) => value.feature === feature),
        `${feature} published live`,
      );

    const batch: FeatureMessage[] = [];
    const result = await featuresOfRecording({ dir, bars: BARS, features: FEATURES }, (value) =>
      batch.push(value),
    );
    assert.equal(result.values, live.length);
    assert.deepEqual(batch, live);
  });

  it('the command writes them as CSV, one row per output', () => {
    const out = join(dir, 'features.csv');
    const run = spawnSync(
      process.execPath,
      [
        'bin/tickwire.js',
        'features',
        '--dir',
        dir,
        '--features',
        'macd,rsi-14',
        '--bars',
        '1s',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'time,venue,symbol,feature,spec,output,value');
    const macd = lines.filter((line) => line.includes(',macd,'));
    const rsi = lines.filter((line) => line.includes(',rsi-14,'));
    assert.equal(
      macd.length,
      3 * rsi.length - 3 * 2 * (33 - 14),
      'three outputs per MACD value; MACD warms up 19 bars longer, on each of 2 symbols',
    );
    assert.match(run.stderr, /feature values written/);
    const bad = spawnSync(
      process.execPath,
      ['bin/tickwire.js', 'features', '--dir', dir, '--features', 'nope'],
      {
        encoding: 'utf8',
      },
    );
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /BAD_CONFIG: features\.0: feature "nope"/);
  });
});
