import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { TestClient, waitFor } from './sim-exchange-helpers.ts';

describe('exchange simulator: Binance limits', () => {
  it('closes with 1008 "Too many requests" on the 6th message within a second', async () => {
    const sim = await startExchangeSimulator({ symbols: 2, eventsPerSecond: 100 });
    const client = new TestClient(`${sim.wsUrl}/ws`);
    try {
      await client.open();
      for (let id = 1; id <= 6; id++) client.send({ method: 'LIST_SUBSCRIPTIONS', id });
      const closed = await client.waitClosed();
      assert.deepEqual(closed, { code: 1008, reason: 'Too many requests' });
      // The first five were answered.
      assert.equal(client.messages.filter((m) => (m as { result?: unknown }).result !== undefined).length, 5);
      assert.equal(sim.stats().limitViolations.tooManyMessages, 1);
    } finally {
      client.close();
      await sim.close();
    }
  });

  it('counts pings as incoming messages', async () => {
    const sim = await startExchangeSimulator({ symbols: 2, eventsPerSecond: 100 });
    const client = new TestClient(`${sim.wsUrl}/ws`);
    try {
      await client.open();
      for (let i = 0; i < 6; i++) client.ws.ping();
      assert.equal((await client.waitClosed()).code, 1008);
    } finally {
      client.close();
      await sim.close();
    }
  });

  it('refuses more than 1024 streams per connection, by URL and by SUBSCRIBE', async () => {
    const sim = await startExchangeSimulator({ symbols: 300, eventsPerSecond: 100 });
    const names = (count: number) =>
      Array.from(
        { length: count },
        (_, i) =>
          `s${String(100 + (i % 200)).padStart(5, '0')}usdt@kline_${['1s', '1m', '3m', '5m', '15m', '30m'][Math.floor(i / 200)]}`,
      );
    const clients: TestClient[] = [];
    try {
      const byUrl = new TestClient(`${sim.wsUrl}/stream?streams=${names(1_025).join('/')}`);
      clients.push(byUrl);
      assert.deepEqual(await byUrl.waitClosed(), { code: 1008, reason: 'Too many streams' });

      const atLimit = new TestClient(`${sim.wsUrl}/stream?streams=${names(1_024).join('/')}`);
      clients.push(atLimit);
      await atLimit.open();
      assert.deepEqual(
        await atLimit
          .request({ method: 'LIST_SUBSCRIPTIONS', id: 1 })
          .then((r) => (r.result as string[]).length),
        1_024,
      );
      atLimit.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 2 });
      assert.deepEqual(await atLimit.waitClosed(), { code: 1008, reason: 'Too many streams' });
      assert.equal(sim.stats().limitViolations.tooManyStreams, 2);
    } finally {
      for (const client of clients) client.close();
      await sim.close();
    }
  });

  it('pings every interval and disconnects a client that does not answer within the timeout', async () => {
    const sim = await startExchangeSimulator({
      symbols: 2,
      eventsPerSecond: 100,
      pingIntervalMs: 250,
      pongTimeoutMs: 600,
    });
    const clients: TestClient[] = [];
    try {
      // Pongs count against the 5 messages a second, so pings come 4 times a second here.
      // `ws` answers pings by itself; autoPong: false makes a client that never does.
      const silent = new TestClient(`${sim.wsUrl}/ws/btcusdt@trade`, { autoPong: false });
      const polite = new TestClient(`${sim.wsUrl}/ws/btcusdt@trade`);
      clients.push(silent, polite);
      let pings = 0;
      silent.ws.on('ping', () => pings++);
      await Promise.all([silent.open(), polite.open()]);
      const closed = await silent.waitClosed();
      assert.equal(closed.code, 1006, 'dropped without a closing handshake');
      assert.ok(pings >= 2, `saw ${pings} pings`);
      assert.equal(polite.closed, undefined, 'a client that answers stays connected');
      assert.ok(sim.stats().limitViolations.pongTimeout >= 1);
    } finally {
      for (const client of clients) client.close();
      await sim.close();
    }
  });

  it('closes a connection at its lifetime cap', async () => {
    const sim = await startExchangeSimulator({ symbols: 2, eventsPerSecond: 100, lifetimeMs: 300 });
    const client = new TestClient(`${sim.wsUrl}/ws/btcusdt@trade`);
    try {
      await client.open();
      assert.deepEqual(await client.waitClosed(), { code: 1000, reason: 'Connection lifetime expired' });
      await waitFor(() => sim.stats().connections === 0, 5_000, 'the server to forget the connection');
      assert.equal(sim.stats().limitViolations.lifetime, 1);
    } finally {
      client.close();
      await sim.close();
    }
  });
});
