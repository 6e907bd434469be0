import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BinanceFeed } from '../../src/feeds/binance/index.ts';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { FlagCountingSink, waitFor, waitForAsync } from './binance-harness.ts';

/**
 * The adapter against the Binance-compatible simulator over real loopback sockets: 1,000 books
 * kept in sync through the snapshot + diff procedure, and each injected fault (a depth gap, a
 * dropped connection, a malformed frame, a crossed book) seen and handled.
 */
describe('BinanceFeed against the exchange simulator', () => {
  const SYMBOLS = 1_000;
  let sim: ExchangeSimulator;
  let feed: BinanceFeed;
  let sink: FlagCountingSink;
  let registry: SymbolRegistry;
  let symbols: string[];

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: SYMBOLS,
      eventsPerSecond: 3_000,
      seed: 7,
      // The feed below lifts its REST weight limit; so does the simulator.
      requestWeightPerMinute: 1_000_000_000,
    });
    const info = (await (await fetch(`${sim.url}/api/v3/exchangeInfo`)).json()) as {
      symbols: { symbol: string }[];
    };
    symbols = info.symbols.map((entry) => entry.symbol);
    assert.equal(symbols.length, SYMBOLS);
    registry = new SymbolRegistry();
    sink = new FlagCountingSink();
    feed = new BinanceFeed({
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      venue: 'SIM',
      symbols,
      streams: ['trade', 'depth'],
      registry,
      sink,
      snapshotLimit: 100,
      snapshotConcurrency: 8,
      snapshotRetryMs: 200,
      restWeightPerMinute: 1_000_000,
      streamsPerConnection: 500,
      minDialIntervalMs: 0,
      connection: { delay: () => 50 },
    });
    await feed.start();
  });

  after(async () => {
    await feed?.stop();
    await sim?.close();
  });

  it('registers every symbol under SIM and keeps all 1,000 books in sync', async () => {
    assert.equal(registry.size, SYMBOLS);
    assert.equal(registry.info(0).key, `SIM:${symbols[0]}`);
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 90_000, 'every book in sync');
    const health = feed.health();
    assert.equal(health.connections.length, 4, '2,000 streams at 500 per connection');
    assert.ok(health.connections.every((c) => c.state === 'live' && c.unconfirmed === 0));
    assert.equal(health.books.gaps, 0);
    assert.equal(health.books.snapshots, SYMBOLS);
    // 8 fetches at a time leave most books queued; their diffs are not passed on meanwhile, and
    // every snapshot, requested after them, still covers the ones held back (none is too old).
    assert.ok(health.books.diffsBeforeRequest > 0, 'diffs of queued books held back');
    assert.equal(health.books.staleSnapshots, 0);
    assert.equal(health.books.holdingBackQueuedDiffs, true);
    assert.equal(health.mapper.malformed, 0);
    assert.ok(sink.snapshotTicks > 0 && sink.byType[3]! > sink.snapshotTicks, 'snapshot and diff book ticks');
    assert.ok(sink.byType[1]! > 0, 'trades');
    const book = (await feed.inspectBook(symbols[0]!))!;
    assert.equal(book.state, 'synced');
    assert.ok(book.bidLevels > 0 && book.askLevels > 0, 'both sides hold levels');
    assert.ok(book.bestBid < book.bestAsk, 'the leading book is not crossed');
  });

  it('an injected depth gap is counted, flagged and resynced', async () => {
    const symbol = symbols[0]!;
    const id = registry.requireId('SIM', symbol);
    const before = feed.health().books;
    assert.ok(sim.faults.skipSequence(symbol, 3) >= 1);
    await waitFor(() => feed.health().books.gaps > before.gaps, 20_000, 'the gap noticed');
    await waitFor(() => (sink.gapsBySymbol.get(id) ?? 0) > 0, 20_000, 'gap-flagged ticks');
    await waitForAsync(async () => (await feed.inspectBook(symbol))?.state === 'synced', 20_000, 'resynced');
    const after = feed.health().books;
    assert.ok(after.resyncs > before.resyncs);
    assert.ok(after.snapshots > before.snapshots);
  });

  it('a malformed frame is counted and the connection kept', async () => {
    const before = feed.health();
    assert.ok(sim.faults.sendMalformed(undefined, '{"stream":"btcusdt@trade","data":{broken') >= 1);
    await waitFor(
      () => feed.health().mapper.malformed > before.mapper.malformed,
      10_000,
      'malformed counted',
    );
    const after = feed.health();
    assert.equal(after.totals.reconnects, before.totals.reconnects);
    assert.ok(after.connections.every((c) => c.state === 'live'));
  });

  it('a crossed book is counted and flagged', async () => {
    // A quiet symbol: a busy one's crossing is undone by its next event within the same 100 ms
    // diff, which then shows only the net change, as Binance's would.
    sim.faults.crossBook(symbols[500]!, 3);
    await waitFor(() => feed.health().books.crossed > 0 && sink.crossed > 0, 20_000, 'crossed book seen');
  });

  it('dropped connections reconnect, resubscribe every stream and resync the books', async () => {
    const before = feed.health();
    assert.ok(sim.faults.dropConnections() >= 4);
    await waitFor(
      () => feed.health().totals.reconnects >= before.totals.reconnects + 4,
      20_000,
      'reconnects',
    );
    await waitFor(
      () => {
        const health = feed.health();
        return (
          health.connections.every((c) => c.state === 'live' && c.unconfirmed === 0) &&
          health.books.inSync === SYMBOLS
        );
      },
      90_000,
      'live again with every book in sync',
    );
    assert.equal(sim.stats().subscriptions, 2 * SYMBOLS);
    assert.ok(feed.health().books.resyncs >= before.books.resyncs + SYMBOLS);
  });
});
