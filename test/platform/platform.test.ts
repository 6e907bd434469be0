import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/index.ts';
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { Tick } from '../../src/wire/index.ts';
import { eventually } from '../support/eventually.ts';

describe('platform (tickwire start)', () => {
  let platform: Platform;

  before(async () => {
    const config = loadConfig({ flags: { port: '0', symbols: '20', workers: '2', logLevel: 'silent' } });
    platform = await startPlatform(config, pino({ level: 'silent' }));
  });

  after(() => platform.stop());

  it('serves health on the configured server: live at once, ready once every book is in sync', async () => {
    assert.equal((await fetch(`${platform.url}/health/live`)).status, 200);
    let body:
      { status: string; workersAlive: number; components: Record<string, { status: string }> } | undefined;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      const response = await fetch(`${platform.url}/health`);
      body = (await response.json()) as typeof body;
      if (response.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(body!.status, 'ok', JSON.stringify(body));
    assert.equal(body!.workersAlive, 2);
    assert.deepEqual(Object.keys(body!.components).sort(), ['bus', 'feed', 'pipeline', 'trading']);
    assert.equal((await fetch(`${platform.url}/health/ready`)).status, 200);
  });

  it('carries simulated ticks from the feed through both workers to the bus, in sequence', async () => {
    const received: { symbol: number; type: number; flags: number }[] = [];
    const tick = new Tick();
    const off = platform.bus.subscribe('md.>', (payload) => {
      assert.ok(payload instanceof Uint8Array);
      tick.wrap(payload, 0);
      received.push({ symbol: tick.symbolId, type: tick.type, flags: tick.flags });
    });
    await eventually(() => received.length >= 500);
    // Every worker owns symbols and processes them.
    await eventually(() => platform.pipeline.stats().workers.every((worker) => worker.processed > 0));
    off();
    assert.equal(platform.pipeline.stats().flaggedGaps, 0);
    assert.ok(
      received.every((r) => (r.flags & 0x0700) === 0),
      'no tick flagged gap, out-of-order or duplicate',
    );
  });

  it('lists the latest prices, BTCUSDT first, as exact decimal strings', async () => {
    const rows = await eventually(async () => {
      const body = (await (await fetch(`${platform.url}/api/v1/ticker`)).json()) as {
        symbols: { symbol: string; price: string | null; bidPrice: string | null; askPrice: string | null }[];
      };
      return body.symbols[0]?.price ? body.symbols : undefined;
    });
    assert.equal(rows.length, 20);
    assert.equal(rows[0]?.symbol, 'BTCUSDT');
    assert.match(rows[0]!.price!, /^\d+\.\d{2}$/);
    assert.ok(Number(rows[0]!.bidPrice) < Number(rows[0]!.askPrice));
  });

  it("serves a symbol's book, which the stream's book ticks continue, and candle history", async () => {
    type Depth = { state: string; lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
    const depthOf = async (query: string) => {
      const response = await fetch(`${platform.url}/api/v1/depth?${query}`);
      return {
        status: response.status,
        body: (await response.json()) as Depth & { error?: { code: string } },
      };
    };
    // Book ticks of BTCUSDT as the bus carries them, to see the stream pick up where the book was.
    const firstUpdateIds: number[] = [];
    const tick = new Tick();
    const btc = platform.registry.requireId('SIM', 'BTCUSDT');
    const off = platform.bus.subscribe('md.book.SIM.BTCUSDT', (payload) => {
      for (let offset = 0; offset < (payload as Uint8Array).length; offset += 64) {
        tick.wrap(payload as Uint8Array, offset);
        if (tick.symbolId === btc) firstUpdateIds.push(tick.firstUpdateId);
      }
    });
    try {
      const book = await eventually(async () => {
        const { body } = await depthOf('symbol=BTCUSDT&limit=5');
        return body.state === 'synced' ? body : undefined;
      });
      assert.ok(book.bids.length > 0 && book.bids.length <= 5 && book.asks.length <= 5, JSON.stringify(book));
      const prices = (side: [string, string][]) => side.map(([price]) => Number(price));
      assert.deepEqual(
        prices(book.bids),
        prices(book.bids).sort((a, b) => b - a),
        'bids best first',
      );
      assert.deepEqual(
        prices(book.asks),
        prices(book.asks).sort((a, b) => a - b),
        'asks best first',
      );
      assert.ok(prices(book.bids)[0]! < prices(book.asks)[0]!);
      await eventually(() => firstUpdateIds.includes(book.lastUpdateId + 1));
    } finally {
      off();
    }
    assert.equal((await depthOf('symbol=NOPEUSDT')).body.error?.code, 'UNKNOWN_SYMBOL');
    assert.equal((await depthOf('symbol=BTCUSDT&limit=0')).status, 400);

    const response = await fetch(`${platform.url}/api/v1/klines?symbol=BTCUSDT&interval=1s&limit=10`);
    const { candles } = (await response.json()) as {
      candles: { openTime: number; open: string; high: string; low: string; close: string }[];
    };
    assert.ok(candles.length > 0 && candles.length <= 10);
    for (const [i, candle] of candles.entries()) {
      assert.ok(Number(candle.low) <= Math.min(Number(candle.open), Number(candle.close)));
      assert.ok(Number(candle.high) >= Math.max(Number(candle.open), Number(candle.close)));
      if (i > 0) assert.ok(candle.openTime > candles[i - 1]!.openTime);
    }
    const badInterval = await fetch(`${platform.url}/api/v1/klines?symbol=BTCUSDT&interval=2s`);
    assert.equal(badInterval.status, 400);
  });

  it('runs the features engine embedded: its bars flow on the bus and over REST', async () => {
    const engines = (await (await fetch(`${platform.url}/api/v1/engines`)).json()) as {
      engines: { name: string; status: string; messagebusConnected: boolean }[];
    };
    assert.deepEqual(
      engines.engines.map(({ name, status, messagebusConnected }) => [name, status, messagebusConnected]),
      [
        ['analytics', 'ok', true],
        ['features', 'ok', true],
      ],
    );
    const seen: string[] = [];
    const off = platform.bus.subscribe('bars.SIM.BTCUSDT.*', (_payload, topic) => seen.push(topic));
    try {
      await eventually(() => seen.includes('bars.SIM.BTCUSDT.1s'), 'a one-second bar of BTCUSDT');
    } finally {
      off();
    }
    const response = await fetch(`${platform.url}/api/v1/bars?symbol=BTCUSDT&spec=1s&limit=5`);
    const { bars } = (await response.json()) as {
      bars: { openTime: number; closeTime: number; close: number }[];
    };
    assert.ok(bars.length >= 1 && bars.length <= 5);
    for (const bar of bars) assert.equal(bar.closeTime - bar.openTime, 1_000);
    assert.equal((await fetch(`${platform.url}/api/v1/bars?symbol=BTCUSDT&spec=7m`)).status, 404);
  });

  it('computes a feature while a WebSocket client subscribes to it, and stops when it leaves', async () => {
    const socket = new WebSocket(`${platform.url.replace('http', 'ws')}/ws`);
    const messages: { topic: string; data: { feature: string; value: unknown } }[] = [];
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { topic?: string; data: never };
      if (message.topic !== undefined) messages.push(message as { topic: string; data: never });
    });
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    const topic = 'features.SIM.BTCUSDT.sma-2';
    socket.send(JSON.stringify({ op: 'subscribe', id: 1, topics: [topic, 'features.SIM.*.spread'] }));
    try {
      const first = await eventually(
        () => messages.find((message) => message.topic === topic),
        'an sma-2 value',
      );
      assert.equal(first.data.feature, 'sma-2');
      assert.equal(typeof first.data.value, 'number');
      await eventually(() => messages.some((message) => message.topic.endsWith('.spread')), 'a spread value');
      const listed = (await (await fetch(`${platform.url}/api/v1/features?symbol=BTCUSDT`)).json()) as {
        features: { feature: string }[];
      };
      assert.deepEqual(listed.features.map((feature) => feature.feature).sort(), ['sma-2', 'spread']);
    } finally {
      socket.close();
    }
    await eventually(async () => {
      const listed = (await (await fetch(`${platform.url}/api/v1/features?symbol=BTCUSDT`)).json()) as {
        features: unknown[];
      };
      return listed.features.length === 0;
    }, 'the features stopped once nobody reads them');
    const catalog = (await (await fetch(`${platform.url}/api/v1/features/catalog`)).json()) as {
      indicators: { name: string }[];
    };
    assert.ok(catalog.indicators.length >= 30);
  });

  it('reports pipeline and bus statistics', async () => {
    const body = (await (await fetch(`${platform.url}/api/v1/stats`)).json()) as {
      pipeline: { ticksPublished: number; droppedRingFull: number; workers: unknown[] };
      bus: { published: number };
    };
    assert.ok(body.pipeline.ticksPublished > 0);
    assert.equal(body.pipeline.workers.length, 2);
    assert.ok(body.bus.published >= body.pipeline.ticksPublished);
  });

  it('exposes Prometheus metrics read from the components', async () => {
    const response = await fetch(`${platform.url}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
    assert.ok(value('tickwire_pipeline_ticks_published_total') > 0);
    assert.ok(value('tickwire_bus_published_total') >= value('tickwire_pipeline_ticks_published_total'));
    assert.equal(value('tickwire_pipeline_workers_alive'), 2);
    assert.equal(value('tickwire_pipeline_workers_down'), 0);
    assert.equal(value('tickwire_gateway_connections'), 0);
    assert.match(text, /^tickwire_pipeline_dropped_total\{reason="ringFull"\} 0$/m);
    assert.equal(value('tickwire_bus_connected'), 1, 'the memory bus is always connected');
    assert.ok(value('tickwire_feed_messages_total') > 0, 'the Binance adapter reads the simulator');
    assert.match(text, /^tickwire_feed_connections\{state="live"\} [1-9]/m);
    assert.ok(value('tickwire_feed_book_snapshots_total') >= 0, 'book snapshots counted');
    assert.ok(value('tickwire_feed_snapshots_pending') >= 0, 'snapshots pending shown');
    assert.match(text, /^tickwire_nodejs_eventloop_lag_seconds /m, 'process metrics are included');
    // Prometheus reserves `_total` for counters: no other type may end in it.
    const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    assert.ok(types.length > 50);
    assert.deepEqual(
      types.filter(({ name, type }) => name!.endsWith('_total') && type !== 'counter'),
      [],
    );
  });

  it('reports the feed: the simulator read by the Binance adapter, books in sync', async () => {
    const feed = await eventually(async () => {
      const body = (await (await fetch(`${platform.url}/api/v1/feeds`)).json()) as {
        feed: string;
        venue: string;
        symbols: number;
        totals: { connections: number; byState: { live: number } };
        books: { books: number; inSync: number };
      };
      return body.books.books > 0 && body.books.inSync === body.books.books ? body : undefined;
    });
    assert.equal(feed.feed, 'sim');
    assert.equal(feed.venue, 'SIM');
    assert.equal(feed.symbols, 20);
    assert.equal(feed.totals.byState.live, feed.totals.connections);
    assert.equal(feed.books.books, 20, 'one local order book per symbol with the depth stream');
  });

  it('serves the dashboard and answers unknown routes with a JSON 404', async () => {
    const page = await fetch(`${platform.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Tickwire<\/title>/);
    const missing = await fetch(`${platform.url}/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const wrongMethod = await fetch(`${platform.url}/health`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 405);
  });
});

describe('platform with --feed binance, pointed at a simulator', () => {
  it('reads the given URLs under venue BINANCE, for the named symbols', async () => {
    const simulator = await startExchangeSimulator({ symbols: 10, eventsPerSecond: 2_000 });
    const config = loadConfig({
      flags: {
        port: '0',
        feed: 'binance',
        binanceRestUrl: simulator.url,
        binanceWsUrl: simulator.wsUrl,
        symbols: 'BTCUSDT,ETHUSDT',
        feedStreams: 'trade,bookTicker',
        logLevel: 'silent',
      },
    });
    const platform = await startPlatform(config, pino({ level: 'silent' }));
    try {
      const rows = await eventually(async () => {
        const body = (await (await fetch(`${platform.url}/api/v1/ticker`)).json()) as {
          symbols: { venue: string; symbol: string; price: string | null }[];
        };
        return body.symbols.every((row) => row.price) && body.symbols.length === 2 ? body.symbols : undefined;
      });
      assert.deepEqual(
        rows.map((row) => `${row.venue}:${row.symbol}`),
        ['BINANCE:BTCUSDT', 'BINANCE:ETHUSDT'],
      );
      const feed = (await (await fetch(`${platform.url}/api/v1/feeds`)).json()) as {
        feed: string;
        venue: string;
        totals: { streams: number };
      };
      assert.equal(feed.feed, 'binance');
      assert.equal(feed.venue, 'BINANCE');
      assert.equal(feed.totals.streams, 4);
    } finally {
      await platform.stop();
      await simulator.close();
    }
  });
});
