import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { BinanceFeed, binanceNormalizer } from '../../src/feeds/binance/index.ts';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { TickPipeline } from '../../src/pipeline/index.ts';
import { BOOK, FLAG, SymbolRegistry, Tick, TRADE } from '../../src/wire/index.ts';
import { waitFor, waitForAsync } from './binance-harness.ts';

/**
 * The adapter with its normalizers in the pipeline workers, against the simulator over loopback:
 * raw frames through the input rings, books kept in the workers (snapshots fetched on the main
 * thread and sent through the rings), ticks published on the bus; then a worker is killed and its
 * books come back in sync from fresh snapshots while the other worker's symbols keep flowing.
 */
describe('BinanceFeed through the pipeline workers', () => {
  const SYMBOLS = 200;
  let sim: ExchangeSimulator;
  let pipeline: TickPipeline;
  let feed: BinanceFeed;
  let registry: SymbolRegistry;
  let symbols: string[];
  const restarts: { index: number; symbolIds: readonly number[] }[] = [];
  /** Published ticks per symbol id; gap-flagged ones per symbol id, after `gapsFrom`. */
  const published = new Map<number, number>();
  const gapsAfterRestart = new Map<number, number>();
  let gapsFrom = Number.POSITIVE_INFINITY;
  const byType = [0, 0, 0, 0, 0];
  let snapshotTicks = 0;

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: SYMBOLS,
      eventsPerSecond: 2_000,
      seed: 11,
      // The feed below lifts its REST weight limit; so does the simulator.
      requestWeightPerMinute: 1_000_000_000,
    });
    const info = (await (await fetch(`${sim.url}/api/v3/exchangeInfo`)).json()) as {
      symbols: { symbol: string }[];
    };
    symbols = info.symbols.map((entry) => entry.symbol);
    registry = new SymbolRegistry();
    const bus = new MemoryBus();
    const reader = new Tick();
    let seen = 0;
    bus.subscribe('md.>', (payload) => {
      reader.wrap(payload as Uint8Array, 0);
      seen++;
      const id = reader.symbolId;
      published.set(id, (published.get(id) ?? 0) + 1);
      byType[reader.type]!++;
      if (reader.hasFlag(FLAG.snapshot)) snapshotTicks++;
      if (seen > gapsFrom && reader.hasFlag(FLAG.gap))
        gapsAfterRestart.set(id, (gapsAfterRestart.get(id) ?? 0) + 1);
    });
    pipeline = await TickPipeline.start({
      registry,
      bus,
      workers: 2,
      normalizer: binanceNormalizer(),
      restart: { initialDelayMs: 300 },
      onWorkerRestart: (index, symbolIds) => restarts.push({ index, symbolIds }),
    });
    feed = new BinanceFeed({
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      venue: 'SIM',
      symbols,
      streams: ['trade', 'depth'],
      registry,
      pipeline,
      snapshotLimit: 100,
      snapshotConcurrency: 8,
      snapshotRetryMs: 200,
      restWeightPerMinute: 1_000_000,
      streamsPerConnection: 200,
      minDialIntervalMs: 0,
      connection: { delay: () => 50 },
    });
    await feed.start();
    gapsFrom = Number.POSITIVE_INFINITY;
  });

  after(async () => {
    await feed?.stop();
    await pipeline?.stop();
    await sim?.close();
  });

  it('refuses a pipeline without the Binance normalizer', () => {
    assert.throws(
      () =>
        new BinanceFeed({
          restUrl: sim.url,
          wsUrl: sim.wsUrl,
          symbols: ['BTCUSDT'],
          streams: ['trade'],
          registry,
          pipeline: { ...pipeline, normalizerName: undefined } as unknown as TickPipeline,
        }),
      /BAD_CONFIG: pipeline must be started with normalizer binanceNormalizer\(\), got "none"/,
    );
  });

  it('keeps every book in sync inside the workers and publishes trades and book ticks without false sequence flags', async () => {
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 90_000, 'every book in sync');
    await waitFor(() => byType[TRADE]! > 100 && byType[BOOK]! > snapshotTicks, 30_000, 'trades and diffs');
    const health = feed.health();
    assert.equal(health.books.books, SYMBOLS);
    assert.equal(health.books.gaps, 0);
    assert.ok(health.books.snapshots >= SYMBOLS);
    assert.equal(health.mapper.malformed, 0);
    assert.ok(health.mapper.normalized > 0 && health.mapper.ticks > 0, 'the workers normalized frames');
    assert.equal(health.mapper.transportRefused, 0);
    const stats = pipeline.stats();
    assert.ok(stats.frames.written > 0 && stats.frames.snapshots >= SYMBOLS);
    assert.ok(
      stats.workers.every((worker) => worker.records > 0),
      'both workers normalized frames',
    );
    // Book ticks share their diff's sequence and consecutive diffs jump: none of that is a gap or a duplicate.
    assert.deepEqual([stats.quality.gaps, stats.quality.duplicates, stats.quality.outOfOrder], [0, 0, 0]);
    const book = (await feed.inspectBook(symbols[0]!))!;
    assert.equal(book.state, 'synced');
    assert.ok(book.bestBid < book.bestAsk && book.bidLevels > 0);
  });

  it('a killed worker is restarted, its books resync from fresh snapshots, the other partition keeps flowing', async () => {
    const owned = symbols.filter((symbol) => pipeline.workerOf(registry.requireId('SIM', symbol)) === 0);
    const others = symbols.filter((symbol) => pipeline.workerOf(registry.requireId('SIM', symbol)) === 1);
    assert.ok(owned.length > 0 && others.length > 0, 'both workers own books');
    const count = (list: string[]) =>
      list.reduce((total, symbol) => total + (published.get(registry.requireId('SIM', symbol)) ?? 0), 0);
    const snapshotsBefore = feed.health().books.snapshots;
    gapsFrom = [...published.values()].reduce((a, b) => a + b, 0);
    await pipeline.terminateWorker(0);
    const othersAtKill = count(others);
    await waitFor(() => pipeline.stats().workers[0]!.state !== 'running', 5_000, 'worker 0 down');
    await waitFor(
      () => count(others) > othersAtKill + 100,
      20_000,
      'the other partition flowing while 0 is down',
    );
    await waitFor(() => restarts.length === 1, 20_000, 'worker 0 restarted');
    assert.equal(restarts[0]!.index, 0);
    await waitFor(
      () => feed.health().books.inSync === SYMBOLS && feed.health().books.books === SYMBOLS,
      60_000,
      'every book in sync again',
    );
    const health = feed.health();
    assert.ok(
      health.books.snapshots >= snapshotsBefore + owned.length,
      `${health.books.snapshots - snapshotsBefore} fresh snapshots for ${owned.length} books`,
    );
    await waitForAsync(
      async () => (await feed.inspectBook(owned[0]!))?.state === 'synced',
      20_000,
      'owned book synced',
    );
    const ownedIds = new Set(owned.map((symbol) => registry.requireId('SIM', symbol)));
    await waitFor(
      () => [...gapsAfterRestart.keys()].some((id) => ownedIds.has(id)),
      20_000,
      'the rebuilt books flag their first ticks as a gap',
    );
    assert.ok(
      [...gapsAfterRestart.keys()].every((id) => ownedIds.has(id)),
      'only the restarted partition flagged gaps',
    );
    const ownedAtSync = count(owned);
    await waitFor(() => count(owned) > ownedAtSync + 50, 20_000, 'the restarted partition flowing');
  });
});
