import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ClientEvents, TickwireApi, TickwireClientError } from '../../src/client/index.ts';
import type { Platform } from '../../src/platform/index.ts';
import { QUOTE, TRADE } from '../../src/wire/index.ts';
import { eventually } from '../support/eventually.ts';
import { client, dropConnections, removeNodeFiles, startNode } from './harness.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TickwireClient against a running node', () => {
  let platform: Platform;
  before(async () => {
    platform = await startNode();
  });
  after(async () => {
    await platform.stop();
    removeNodeFiles();
  });

  it('delivers every fill exactly once and in order across repeated forced disconnects', async () => {
    const tickwire = client(platform);
    const seen: number[] = [];
    const resyncs: ClientEvents['resync'][] = [];
    const states: string[] = [];
    tickwire.events.on('resync', (event) => resyncs.push(event));
    tickwire.events.on('state', ({ state }) => states.push(state));
    let recovered = 0;
    const subscription = tickwire.subscribe('fills.acc1', (message) => {
      seen.push((message.data as unknown as { seq: number }).seq);
      if (message.recovered) recovered++;
    });
    await tickwire.connect();
    await subscription.ready;
    const total = 400;
    for (let seq = 1; seq <= total; seq++) {
      platform.bus.publish('fills.acc1', { type: 'order_fill_notification', seq });
      if (seq % 40 === 0) await dropConnections(platform);
      // About 200 fills a second: a reconnect (20 - 200 ms) misses a few, well within the history (50).
      await pause(5);
    }
    await eventually(
      () => seen.length >= total,
      `all ${total} fills arrived (got ${seen.length}, resyncs ${JSON.stringify(resyncs)})`,
      20_000,
    );
    assert.deepEqual(
      seen,
      Array.from({ length: total }, (_, i) => i + 1),
    );
    assert.deepEqual(resyncs, []);
    assert.ok(recovered > 0, 'some fills were published while the client was away, and recovered');
    assert.ok(states.filter((state) => state === 'disconnected').length >= 5, `states: ${states.join(',')}`);
    assert.equal(tickwire.position('fills.acc1')?.offset, total);
    tickwire.close();
  });

  it('a bot running three cycles while the connection is closed every 200 ms: each of its fills exactly once, in order', async () => {
    const key = platform.trading.demoApiKey!;
    const tickwire = client(platform, { apiKey: key });
    const fills: { key: string; offset: number }[] = [];
    tickwire.subscribe('fills.demo', ({ data, position }) =>
      fills.push({ key: `${data.clientOrderId}:${data.tradeId}`, offset: position!.offset }),
    );
    await tickwire.connect();
    const api = new TickwireApi({ url: platform.url, apiKey: key });
    const config = {
      symbol: 'BTCUSDT',
      baseOrderQuantity: '0.01',
      safetyOrderQuantity: '0.01',
      maxSafetyOrders: 2,
      priceDeviationPercent: 0.01,
      takeProfitPercent: 0.01,
      maxCycles: 3,
    };
    // The demo account learns the exchange's symbols once connected.
    const bot = await eventually(() => api.createBot(config).catch(() => undefined), 'a bot created');
    await api.startBot(bot.botId);
    let drops = 0;
    const deadline = Date.now() + 120_000;
    while ((await api.bot(bot.botId)).completedCycles < 3) {
      assert.ok(Date.now() < deadline, 'the bot completed its cycles within 2 minutes');
      await dropConnections(platform, 'demo');
      drops++;
      await pause(200);
    }
    const served = (await api.fills()).map((fill) => `${fill.clientOrderId}:${fill.tradeId}`);
    await eventually(
      () => fills.length >= served.length,
      `all ${served.length} fills delivered (got ${fills.length})`,
    );
    assert.ok(drops >= 3, `the connection was closed ${drops} times during the cycles`);
    assert.equal(new Set(fills.map((fill) => fill.key)).size, fills.length, 'no fill twice');
    assert.deepEqual(
      [...fills.map((fill) => fill.key)].sort(),
      [...served].sort(),
      'every fill the account has',
    );
    assert.deepEqual(
      fills.map((fill) => fill.offset),
      fills.map((_, i) => fills[0]!.offset + i),
      'in the order published, with no hole',
    );
    tickwire.close();
  });

  it('says "resync" when the server no longer holds what was missed, then carries on live', async () => {
    const tickwire = client(platform);
    const seen: number[] = [];
    const resyncs: ClientEvents['resync'][] = [];
    tickwire.events.on('resync', (event) => resyncs.push(event));
    const subscription = tickwire.subscribe('fills.acc1', (message) => {
      seen.push((message.data as unknown as { seq: number }).seq);
    });
    await tickwire.connect();
    await subscription.ready;
    platform.bus.publish('fills.acc1', { seq: 1 });
    await eventually(() => seen.length === 1, 'the first fill arrived');
    await dropConnections(platform);
    // More than the history keeps (50), before the client is back.
    for (let seq = 2; seq <= 80; seq++) platform.bus.publish('fills.acc1', { seq });
    await eventually(() => resyncs.length === 1, 'a resync event');
    assert.equal(resyncs[0]!.topic, 'fills.acc1');
    assert.equal(resyncs[0]!.reason, 'too_old');
    await eventually(() => tickwire.state === 'connected', 'connected again');
    platform.bus.publish('fills.acc1', { seq: 81 });
    await eventually(() => seen.at(-1) === 81, 'live fills flow after the resync');
    assert.deepEqual(seen, [1, 81]);
    tickwire.close();
  });

  it('answers ping, rejects a forbidden topic with a typed error, and gives up on a refused key', async () => {
    const tickwire = client(platform);
    await tickwire.connect();
    assert.equal(typeof (await tickwire.ping()), 'number');
    const forbidden = tickwire.subscribe('orders.someone-else', () => undefined);
    await assert.rejects(
      forbidden.ready,
      (error: unknown) => error instanceof TickwireClientError && error.code === 'FORBIDDEN',
    );
    tickwire.close();
    await assert.rejects(
      tickwire.ping(),
      (error: unknown) => error instanceof TickwireClientError && error.code === 'CLOSED',
    );

    const refused = client(platform, { apiKey: 'not-a-key-0123456789' });
    const errors: TickwireClientError[] = [];
    refused.events.on('error', (error) => errors.push(error));
    await assert.rejects(
      refused.connect(),
      (error: unknown) => error instanceof TickwireClientError && error.code === 'CLOSED',
    );
    assert.equal(errors[0]?.code, 'AUTH_INVALID');
    assert.equal(refused.state, 'closed');
  });

  it('market data needs no login, and a node restart on the same port is a resync (epoch changed)', async () => {
    const anonymous = client(platform, {});
    const trades: string[] = [];
    anonymous.subscribe('md.trade.SIM.BTCUSDT', (message) => trades.push(message.data.symbol));
    await anonymous.connect();
    await eventually(() => trades.length > 0, 'a live trade');
    assert.equal(trades[0], 'BTCUSDT');
    anonymous.close();

    // The same trades as 64-byte binary ticks, each given only to the subscriptions whose topics
    // match it (frames carry ticks of every binary subscription of the connection).
    const binary = client(platform, {});
    const btcTrades: string[] = [];
    const quotes: string[] = [];
    binary.subscribe('md.trade.SIM.BTCUSDT', () => undefined, {
      format: 'binary',
      onTicks: (tick) => btcTrades.push(`${tick.type}:${binary.symbolOf(tick)?.symbol}:${tick.price > 0}`),
    });
    binary.subscribe('md.quote.SIM.*', () => undefined, {
      format: 'binary',
      onTicks: (tick) => quotes.push(`${tick.type}:${binary.symbolOf(tick)?.symbol}`),
    });
    await binary.connect();
    await eventually(
      () => btcTrades.length > 0 && new Set(quotes).size === 2,
      'binary trades of BTCUSDT, quotes of both symbols',
    );
    assert.deepEqual(new Set(btcTrades), new Set([`${TRADE}:BTCUSDT:true`]));
    assert.deepEqual(new Set(quotes), new Set([`${QUOTE}:BTCUSDT`, `${QUOTE}:ETHUSDT`]));
    binary.close();

    const tickwire = client(platform);
    const seen: number[] = [];
    const resyncs: ClientEvents['resync'][] = [];
    tickwire.events.on('resync', (event) => resyncs.push(event));
    tickwire.subscribe('fills.acc1', (message) =>
      seen.push((message.data as unknown as { seq: number }).seq),
    );
    await tickwire.connect();
    platform.bus.publish('fills.acc1', { seq: 1 });
    await eventually(() => seen.length === 1, 'the first fill arrived');
    const port = new URL(platform.url).port;
    await platform.stop();
    platform = await startNode(port);
    await eventually(() => resyncs.length === 1, 'a resync after the restart', 20_000);
    // The new node has a new epoch, and no history of the topic until something is published.
    assert.ok(['epoch_changed', 'unknown_topic'].includes(resyncs[0]!.reason), resyncs[0]!.reason);
    platform.bus.publish('fills.acc1', { seq: 2 });
    await eventually(() => seen.at(-1) === 2, 'fills flow from the new node');
    tickwire.close();
  });
});
