import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BinanceConnection,
  createRoute,
  DialLimiter,
  fullJitterBackoff,
  MapperContext,
  normalizeFrame,
  planAssignment,
  SOCKET_LIMITS,
  SubscriptionManager,
} from '../../src/feeds/binance/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { busiestWindow, CollectingSink, LocalStreamServer, waitFor } from './binance-harness.ts';

const streamsOf = (count: number, kind = 'trade') =>
  Array.from({ length: count }, (_, i) => `sym${String(i).padStart(5, '0')}usdt@${kind}`);

describe('reconnect backoff', () => {
  it('is exponential, capped and fully jittered', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const delay = fullJitterBackoff({ baseMs: 100, capMs: 5_000, random });
    for (let attempt = 1; attempt <= 20; attempt++) {
      const ceiling = Math.min(5_000, 100 * 2 ** (attempt - 1));
      const draws = Array.from({ length: 200 }, () => delay(attempt));
      assert.ok(
        draws.every((d) => Number.isInteger(d) && d >= 0 && d <= ceiling),
        `attempt ${attempt} within [0, ${ceiling}]`,
      );
      assert.ok(new Set(draws).size > 20, `attempt ${attempt} is jittered`);
      assert.ok(Math.max(...draws) > ceiling * 0.8, `attempt ${attempt} reaches near its ceiling`);
    }
    assert.equal(fullJitterBackoff({ baseMs: 100, capMs: 5_000, random: () => 0.999_999 })(50), 5_000);
    assert.throws(
      () => fullJitterBackoff({ baseMs: 100, capMs: 50 }),
      /BAD_CONFIG: backoff capMs must be a number >= baseMs \(100\), got 50/,
    );
  });
});

describe('stream spreading and the connection-rate gate', () => {
  it('plans 50,000 symbols × 2 kinds onto ceil(100,000 / 1024) connections', () => {
    const { toExisting, newConnections } = planAssignment([], 100_000, 1024);
    assert.deepEqual(toExisting, []);
    assert.equal(newConnections.length, Math.ceil(100_000 / 1024));
    assert.equal(
      newConnections.reduce((a, b) => a + b, 0),
      100_000,
    );
    assert.ok(newConnections.every((n) => n <= 1024));
    assert.deepEqual(planAssignment([1000, 0, 24], 50, 1024), { toExisting: [50, 0, 0], newConnections: [] });
    assert.deepEqual(planAssignment([3, 2], 10, 4), { toExisting: [3, 2], newConnections: [4, 1] });
  });

  it('the manager spreads, removes and refills streams without exceeding streamsPerConnection', async () => {
    const manager = new SubscriptionManager({ wsUrl: 'ws://127.0.0.1:9' }, { onFrame: () => {} });
    const streams = [...streamsOf(50_000, 'trade'), ...streamsOf(50_000, 'depth@100ms')];
    manager.add(streams);
    let health = manager.health();
    assert.equal(health.totals.connections, 98);
    assert.equal(health.totals.streams, 100_000);
    assert.ok(health.connections.every((c) => c.streams <= 1024 && c.state === 'closed'));
    manager.remove(streams.slice(0, 2048)); // empties the first two connections
    manager.remove(streams.slice(5_000, 5_100));
    health = manager.health();
    assert.equal(health.totals.connections, 96);
    assert.equal(health.totals.streams, 100_000 - 2048 - 100);
    manager.add(streamsOf(150, 'bookTicker'));
    health = manager.health();
    assert.equal(health.totals.connections, 96, 'new streams fill the room first');
    assert.equal(health.totals.streams, 100_000 - 2048 + 50);
    assert.equal(
      manager.connectionOf('sym00000usdt@bookTicker')?.streams.has('sym00000usdt@bookTicker'),
      true,
    );
    await manager.stop();
  });

  it('admits at most `limit` dials per window, first come first served', async () => {
    const limiter = new DialLimiter(3, 60_000, 0);
    const admitted: number[] = [];
    for (let i = 0; i < 5; i++) void limiter.acquire().then(() => admitted.push(i));
    await waitFor(() => admitted.length === 3, 2_000, 'three dials admitted');
    assert.deepEqual(admitted, [0, 1, 2]);
    assert.equal(limiter.dials, 3);
    assert.equal(limiter.waiting, 2);
    limiter.releaseAll();
  });

  it('refuses bad options with exact messages', () => {
    assert.throws(
      () => new SubscriptionManager({ wsUrl: 'ws://x', streamsPerConnection: 1025 }, { onFrame: () => {} }),
      /BAD_CONFIG: streamsPerConnection must be an integer 1..1024, got 1025/,
    );
    assert.throws(
      () =>
        new BinanceConnection(
          { wsUrl: 'ws://x', id: 1, rotationMarginMs: 10, lifetimeMs: 5 },
          { onFrame: () => {} },
        ),
      /BAD_CONFIG: connection rotationMarginMs must be >= 0 and below lifetimeMs \(5\), got 10/,
    );
  });
});

describe('BinanceConnection against a local stream server', () => {
  let server: LocalStreamServer;
  before(async () => {
    server = await LocalStreamServer.start();
  });
  after(async () => {
    await server.close();
  });

  it('batches subscriptions and never sends more than 5 messages (pongs included) in any second', async () => {
    // Binance pings every 20 s; pinging every 1.1 s puts a pong into the subscription burst.
    server.pingEvery(1_100);
    const streams = streamsOf(400);
    const connection = new BinanceConnection(
      { wsUrl: server.url, id: 1, limits: { ...SOCKET_LIMITS, maxStreamsPerMessage: 25, maxUrlLength: 300 } },
      { onFrame: () => {} },
    );
    connection.add(streams);
    const firstSocket = server.sockets.length;
    connection.start();
    await waitFor(() => connection.state === 'live', 30_000, 'connection live');
    const health = connection.health();
    await connection.stop();
    const socket = server.sockets[firstSocket]!;
    const subscribes = socket.received.filter((r) => r.method === 'SUBSCRIBE');
    const subscribed = new Set([...socket.urlStreams, ...subscribes.flatMap((r) => r.params ?? [])]);
    assert.equal(subscribed.size, 400);
    assert.deepEqual([...subscribed].sort(), [...streams].sort());
    assert.ok(socket.urlStreams.length > 0 && socket.urlStreams.length < 400);
    assert.ok(subscribes.length >= 14, `${subscribes.length} SUBSCRIBE messages`);
    assert.ok(subscribes.every((r) => (r.params?.length ?? 0) <= 25));
    assert.equal(new Set(subscribes.map((r) => r.id)).size, subscribes.length, 'request ids are unique');
    const pongs = socket.received.filter((r) => r.kind === 'pong').length;
    assert.ok(pongs >= 1, 'the server pinged during the subscription and got pongs');
    assert.ok(
      busiestWindow(socket.received, 1_000) <= 5,
      `busiest second had ${busiestWindow(socket.received, 1_000)} messages`,
    );
    assert.equal(health.unconfirmed, 0);
    assert.equal(health.controlMessages, subscribes.length);
    assert.equal(health.pongs, pongs);
  });

  it('reconnects with the pluggable delay and resubscribes every stream', async () => {
    const streams = streamsOf(60);
    const attempts: number[] = [];
    const downs: number[] = [];
    const connection = new BinanceConnection(
      {
        wsUrl: server.url,
        id: 2,
        delay: (attempt) => {
          attempts.push(attempt);
          return 20;
        },
        limits: { ...SOCKET_LIMITS, maxStreamsPerMessage: 20, maxUrlLength: 200 },
      },
      { onFrame: () => {}, onDown: (lost) => downs.push(lost.size) },
    );
    connection.add(streams);
    const first = server.sockets.length;
    connection.start();
    await waitFor(() => connection.state === 'live', 20_000, 'first live');
    server.sockets[first]!.ws.terminate();
    await waitFor(
      () => connection.state === 'backoff' || server.sockets.length > first + 1,
      5_000,
      'drop noticed',
    );
    await waitFor(
      () => connection.state === 'live' && server.sockets.length === first + 2,
      20_000,
      'live again',
    );
    const again = server.sockets[first + 1]!;
    assert.deepEqual([...again.streams].sort(), [...streams].sort());
    const health = connection.health();
    assert.equal(health.reconnects, 1);
    assert.deepEqual(attempts, [1]);
    assert.deepEqual(downs, [60]);
    await connection.stop();
    assert.equal(connection.state, 'closed');
  });

  it('rotates with an overlap that loses and duplicates no trade', async () => {
    const registry = new SymbolRegistry();
    const id = registry.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 3 });
    const context = new MapperContext();
    const stream = 'btcusdt@trade';
    context.add(createRoute(stream, 'trade', 'BTCUSDT', id, 1, { priceScale: 2, sizeScale: 3 }));
    const sink = new CollectingSink(registry);
    const first = server.sockets.length;
    const connection = new BinanceConnection(
      { wsUrl: server.url, id: 3, delay: () => 20 },
      {
        onFrame: (frame, source) => normalizeFrame(frame.toString(), context, sink, source),
        beginOverlap: (streams, oldSource, newSource) => context.beginOverlap(streams, oldSource, newSource),
        unaligned: (streams) => context.unaligned(streams),
        endOverlap: (streams, source) => context.endOverlap(streams, source, sink),
      },
    );
    connection.add([stream]);
    // Every other socket gets its copy 25 ms late, so in some rotations the new socket is ahead
    // of the old one and in others behind it.
    server.startTrades(stream, 2, 3, (index) => ((index - first) % 2 === 0 ? 25 : 0));
    connection.start();
    await waitFor(() => connection.state === 'live' && sink.ticks.length > 50, 10_000, 'trades flowing');
    for (let rotation = 1; rotation <= 3; rotation++) {
      connection.rotate();
      await waitFor(() => connection.health().rotations === rotation, 15_000, `rotation ${rotation}`);
      const before = sink.ticks.length;
      await waitFor(() => sink.ticks.length > before + 30, 5_000, 'trades after the rotation');
    }
    server.stopTrades();
    const lastId = server.lastTradeId;
    await waitFor(
      () => {
        const last = sink.ticks.at(-1);
        return last?.type === 'trade' && last.tradeId === lastId;
      },
      5_000,
      'the last trade',
    );
    await connection.stop();
    const ids = sink.ticks.map((tick) => (tick.type === 'trade' ? tick.tradeId : -1));
    for (let i = 1; i < ids.length; i++) assert.equal(ids[i], ids[i - 1]! + 1, `trade after ${ids[i - 1]}`);
    assert.ok(context.counters.duplicates > 0, 'the overlap did deliver duplicates, and they were dropped');
    assert.ok(context.counters.overlapDeferred > 0, 'a new socket ran ahead and its frames were held back');
    assert.equal(server.sockets.length - first, 4);
    assert.equal(connection.health().rotations, 3);
    assert.equal(connection.health().reconnects, 0);
  });
});
