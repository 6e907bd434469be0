import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { BinanceFeed, binanceNormalizer } from '../../src/feeds/binance/index.ts';
import { TickPipeline } from '../../src/pipeline/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { waitFor } from './binance-harness.ts';
import { type SimProcess, startSimProcess } from '../simulator/sim-process.ts';

/**
 * 50,000 local order books (trade + depth@100ms: 100,000 streams on 98 connections) through the
 * pipeline workers, against the simulator in a child process: every book comes into sync through
 * Binance's snapshot + diff procedure, and comes back into sync after injected faults — sequence
 * gaps on a hundred books, and a dropped connection that takes 512 books with it.
 */
const SYMBOLS = 50_000;
const STREAMS_PER_CONNECTION = 1_024;
const CONNECTIONS = Math.ceil((2 * SYMBOLS) / STREAMS_PER_CONNECTION);
/** Books given a sequence gap. */
const GAPPED = 100;

describe('BinanceFeed with 50,000 order books against the simulator', { timeout: 420_000 }, () => {
  let sim: SimProcess;
  let pipeline: TickPipeline;
  let feed: BinanceFeed;

  const allInSync = () => feed.health().books.inSync === SYMBOLS;

  before(async () => {
    sim = await startSimProcess({ symbols: SYMBOLS, eventsPerSecond: 20_000, seed: 9 });
    const registry = new SymbolRegistry();
    pipeline = await TickPipeline.start({
      registry,
      bus: new MemoryBus(),
      profile: 'symbols',
      normalizer: binanceNormalizer(),
    });
    feed = new BinanceFeed({
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      venue: 'SIM',
      symbols: sim.symbols,
      streams: ['trade', 'depth'],
      registry,
      pipeline,
      streamsPerConnection: STREAMS_PER_CONNECTION,
      restWeightPerMinute: 100_000_000,
      snapshotConcurrency: 64,
      snapshotsPerWorker: 64,
      minDialIntervalMs: 0,
      connection: { delay: () => 100 },
    });
    await feed.start();
  });

  after(async () => {
    await feed?.stop();
    await pipeline?.stop();
    await sim?.stop();
  });

  it('brings every one of the 50,000 books into sync', async () => {
    await waitFor(allInSync, 240_000, 'every book in sync');
    const health = feed.health();
    assert.equal(health.books.books, SYMBOLS);
    assert.equal(health.connections.length, CONNECTIONS);
    assert.ok(health.books.snapshots >= SYMBOLS, 'a snapshot per book at least');
    assert.ok(health.books.diffsBeforeRequest > 0, 'diffs of books queued for their snapshot held back');
    // Snapshots found older than a diff their book held (after the input ring refused a diff) did
    // not make the feed conclude that the simulator's REST lags its streams.
    assert.equal(health.books.holdingBackQueuedDiffs, true);
    assert.equal(health.mapper.malformed, 0);
  });

  it('books given a sequence gap count it, resync from a fresh snapshot, and all are in sync again', async () => {
    const before = feed.health().books;
    for (const symbol of sim.symbols.slice(0, GAPPED)) {
      assert.equal((await sim.fault({ kind: 'skipSequence', symbol, count: 1 })).streams, 1);
    }
    // Each book sees its gap at its next diff (a quiet symbol may take some seconds).
    await waitFor(() => feed.health().books.gaps >= before.gaps + GAPPED, 120_000, 'every gap seen');
    await waitFor(allInSync, 120_000, 'every book in sync again');
    const after = feed.health().books;
    assert.ok(after.snapshots >= before.snapshots + GAPPED, 'a fresh snapshot per gapped book');
    assert.ok(after.resyncs >= before.resyncs + GAPPED);
  });

  it('a dropped connection comes back, and its 512 books resync', async () => {
    const before = feed.health();
    const victim = (await sim.stats()).connectionList.find(
      (connection) => connection.streams === STREAMS_PER_CONNECTION,
    )!;
    assert.equal((await sim.fault({ kind: 'drop', connectionId: victim.id })).dropped, 1);
    await waitFor(
      () => feed.health().totals.reconnects > before.totals.reconnects,
      60_000,
      'the connection reconnecting',
    );
    await waitFor(
      () => feed.health().connections.every((c) => c.state === 'live' && c.unconfirmed === 0),
      60_000,
      'every connection live again',
    );
    await waitFor(allInSync, 120_000, 'every book in sync again');
    const after = feed.health().books;
    assert.ok(
      after.snapshots >= before.books.snapshots + STREAMS_PER_CONNECTION / 2,
      'a fresh snapshot for each book of the dropped connection',
    );
  });
});
