import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BINANCE_NORMALIZER_NAME,
  NORMALIZER_FIGURES,
} from '../../src/feeds/binance/binance-normalizer-protocol.ts';
import { createNormalizer } from '../../src/feeds/binance/binance-worker-normalizer.ts';
import { BinanceFeed, type BinanceFeedInit } from '../../src/feeds/binance/index.ts';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { InProcessTransport } from '../../src/pipeline/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { CountingSink, waitFor } from './binance-harness.ts';

/**
 * A depth snapshot older than the diffs its book held has two causes, and the feed must tell them
 * apart. The feed holds back the diffs of books whose snapshot request is still queued, since the
 * snapshot fetched later covers them — unless the exchange's REST lags its streams: then it must
 * stop holding them back. A diff lost on this side (the input ring refused it) leaves the same
 * hole, but says nothing about the exchange, and holding back must go on.
 */

const SYMBOLS = 40;

/** A REST front for the simulator that can rewrite or delay its depth snapshots. */
async function startRestFront(
  sim: ExchangeSimulator,
  onSnapshot: (snapshot: { lastUpdateId: number }) => Promise<void>,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    void (async () => {
      const upstream = await fetch(`${sim.url}${request.url ?? '/'}`);
      let body = await upstream.text();
      if (upstream.ok && request.url?.startsWith('/api/v3/depth') === true) {
        const snapshot = JSON.parse(body) as { lastUpdateId: number };
        await onSnapshot(snapshot);
        body = JSON.stringify(snapshot);
      }
      response.writeHead(upstream.status, { 'content-type': 'application/json' });
      response.end(body);
    })().catch(() => response.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The in-process transport, refusing every frame while `refusing` (as a full input ring would). */
class RefusingTransport extends InProcessTransport {
  refusing = false;
  refused = 0;

  constructor(sink: CountingSink) {
    super({ name: BINANCE_NORMALIZER_NAME, figures: NORMALIZER_FIGURES.length }, createNormalizer, sink);
  }

  override offerFrame(...args: Parameters<InProcessTransport['offerFrame']>): boolean {
    if (!this.refusing) return super.offerFrame(...args);
    this.refused++;
    return false;
  }
}

async function startFeed(
  sim: ExchangeSimulator,
  restUrl: string,
  extra: Partial<BinanceFeedInit>,
): Promise<{ feed: BinanceFeed; symbols: string[] }> {
  const info = (await (await fetch(`${sim.url}/api/v3/exchangeInfo`)).json()) as {
    symbols: { symbol: string }[];
  };
  const symbols = info.symbols.map((entry) => entry.symbol);
  const feed = new BinanceFeed({
    restUrl,
    wsUrl: sim.wsUrl,
    venue: 'SIM',
    symbols,
    streams: ['depth'],
    registry: new SymbolRegistry(),
    snapshotLimit: 100,
    // One fetch at a time keeps books queued, so their diffs are held back at first.
    snapshotConcurrency: 1,
    restWeightPerMinute: 1_000_000,
    minDialIntervalMs: 0,
    ...extra,
  });
  await feed.start();
  return { feed, symbols };
}

describe('BinanceFeed against an exchange whose snapshots trail its streams', () => {
  /** Update ids a snapshot claims to be behind the one the simulator served. */
  const LAG_UPDATES = 50;
  let sim: ExchangeSimulator;
  let rest: { server: Server; url: string };
  let feed: BinanceFeed;
  let symbols: string[];

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: SYMBOLS,
      eventsPerSecond: 2_000,
      seed: 11,
      // The feed below lifts its REST weight limit; so does the simulator.
      requestWeightPerMinute: 1_000_000_000,
    });
    rest = await startRestFront(sim, async (snapshot) => {
      // Slow enough that books wait in the queue while earlier ones are fetched.
      await sleep(20);
      snapshot.lastUpdateId -= LAG_UPDATES;
    });
    ({ feed, symbols } = await startFeed(sim, rest.url, {
      sink: new CountingSink(),
      // A stale book waits this long before it is fetched again: without the fallback, the diffs
      // held back meanwhile would leave a hole before every next snapshot too.
      snapshotRetryMs: 300,
    }));
  });

  after(async () => {
    await feed?.stop();
    rest?.server.close();
    await sim?.close();
  });

  it('sees the stale snapshots, stops holding diffs back, and brings every book into sync', async () => {
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 30_000, 'every book in sync');
    const books = feed.health().books;
    assert.ok(books.staleSnapshots > 0, 'snapshots older than the diffs the books had');
    assert.equal(books.holdingBackQueuedDiffs, false);
    // The first stale snapshot comes before most books have a second diff; none is held back after it.
    const heldBack = books.diffsBeforeRequest;
    // Gaps make books ask again: their diffs are no longer held back meanwhile.
    const gapped = 5;
    for (const symbol of symbols.slice(0, gapped)) assert.equal(sim.faults.skipSequence(symbol, 1), 1);
    await waitFor(() => feed.health().books.gaps >= gapped, 30_000, 'the gaps seen');
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 30_000, 'every book in sync again');
    assert.equal(feed.health().books.diffsBeforeRequest, heldBack);
  });
});

describe('BinanceFeed losing the diffs that follow a snapshot', () => {
  /** Snapshots served while the transport refuses every frame. */
  const REFUSED_SNAPSHOTS = 5;
  let sim: ExchangeSimulator;
  let rest: { server: Server; url: string };
  let transport: RefusingTransport;
  let feed: BinanceFeed;

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: SYMBOLS,
      eventsPerSecond: 2_000,
      seed: 12,
      // The feed below lifts its REST weight limit; so does the simulator.
      requestWeightPerMinute: 1_000_000_000,
    });
    transport = new RefusingTransport(new CountingSink());
    let served = 0;
    rest = await startRestFront(sim, async () => {
      // The diffs pushed in the first 350 ms after this snapshot are lost, the next ones are
      // buffered: the first diff the book holds past the snapshot starts after it, the hole a
      // lagging snapshot leaves (a diff push is every 100 ms).
      if (++served > REFUSED_SNAPSHOTS) return;
      transport.refusing = true;
      await sleep(350);
      transport.refusing = false;
      await sleep(250);
    });
    ({ feed } = await startFeed(sim, rest.url, { pipeline: transport }));
  });

  after(async () => {
    await feed?.stop();
    rest?.server.close();
    await sim?.close();
  });

  it('asks again for those books, and goes on holding queued diffs back', async () => {
    await waitFor(() => feed.health().books.inSync === SYMBOLS, 30_000, 'every book in sync');
    const health = feed.health();
    assert.ok(transport.refused > 0);
    assert.equal(health.mapper.transportRefused, transport.refused);
    assert.ok(health.books.staleSnapshots > 0, 'snapshots older than the next diff their book got');
    assert.equal(health.books.holdingBackQueuedDiffs, true);
    assert.ok(health.books.diffsBeforeRequest > 0);
  });
});
