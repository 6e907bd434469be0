import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { BinanceFeed, binanceNormalizer } from '../../src/feeds/binance/index.ts';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { TickPipeline } from '../../src/pipeline/index.ts';
import { BOOK, FLAG, SymbolRegistry, Tick, TRADE } from '../../src/wire/index.ts';
import { waitFor } from './binance-harness.ts';

/**
 * The adapter with the latency profile's pipeline, which runs inline (workers: 0): frames are
 * normalized and books kept on the main thread, as each frame arrives. Every book syncs; a
 * normalizer that throws is replaced, and the books come back from fresh snapshots.
 */
describe('BinanceFeed through the inline pipeline (latency profile)', () => {
  const SYMBOLS = 100;
  let sim: ExchangeSimulator;
  let pipeline: TickPipeline;
  let feed: BinanceFeed;
  let registry: SymbolRegistry;
  const restarts: (readonly number[])[] = [];
  const byType = [0, 0, 0, 0, 0];
  let gapFlagged = 0;

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: SYMBOLS,
      eventsPerSecond: 2_000,
      seed: 13,
      // The feed below lifts its REST weight limit; so does the simulator.
      requestWeightPerMinute: 1_000_000_000,
    });
    const info = (await (await fetch(`${sim.url}/api/v3/exchangeInfo`)).json()) as {
      symbols: { symbol: string }[];
    };
    registry = new SymbolRegistry();
    const bus = new MemoryBus();
    const reader = new Tick();
    bus.subscribe('md.>', (payload) => {
      reader.wrap(payload as Uint8Array, 0);
      byType[reader.type]!++;
      if (reader.hasFlag(FLAG.gap)) gapFlagged++;
    });
    pipeline = await TickPipeline.start({
      registry,
      bus,
      profile: 'latency',
      normalizer: binanceNormalizer(),
      restart: { initialDelayMs: 100 },
      onWorkerRestart: (_index, symbolIds) => restarts.push(symbolIds),
    });
    feed = new BinanceFeed({
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      venue: 'SIM',
      symbols: info.symbols.map((entry) => entry.symbol),
      streams: ['trade', 'depth'],
      registry,
      pipeline,
      snapshotLimit: 100,
      restWeightPerMinute: 1_000_000,
      minDialIntervalMs: 0,
    });
    await feed.start();
  });

  after(async () => {
    await feed?.stop();
    await pipeline?.stop();
    await sim?.close();
  });

  it('keeps every book in sync on the main thread, with no thread and nothing refused', async () => {
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 60_000, 'every book in sync');
    await waitFor(() => byType[TRADE]! > 100 && byType[BOOK]! > 100, 30_000, 'trades and book ticks');
    const health = feed.health();
    assert.equal(health.books.gaps, 0);
    assert.equal(health.mapper.transportRefused, 0);
    assert.equal(health.mapper.malformed, 0);
    const stats = pipeline.stats();
    assert.equal(stats.mode, 'inline');
    assert.deepEqual(stats.workers, []);
    assert.equal(stats.frames.written, stats.frames.offered, 'every frame taken');
    assert.equal(stats.droppedTotal, 0);
    assert.deepEqual([stats.quality.gaps, stats.quality.duplicates, stats.quality.outOfOrder], [0, 0, 0]);
  });

  it('replaces a normalizer that threw: its books resync from fresh snapshots, flagged as a gap', async () => {
    const snapshotsBefore = feed.health().books.snapshots;
    const gapsBefore = gapFlagged;
    pipeline.injectPoison(registry.requireId('SIM', 'BTCUSDT'));
    await waitFor(() => restarts.length === 1, 20_000, 'the inline partition restarted');
    assert.equal(restarts[0]!.length, SYMBOLS);
    await waitFor(
      () => feed.health().books.snapshots >= snapshotsBefore + SYMBOLS,
      60_000,
      'fresh snapshots',
    );
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 60_000, 'every book in sync again');
    assert.ok(gapFlagged > gapsBefore, 'the rebuilt books flag their first ticks as a gap');
    assert.equal(pipeline.stats().restarts, 1);
  });
});
