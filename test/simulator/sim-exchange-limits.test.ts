import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { TestClient, waitFor } from './sim-exchange-helpers.ts';
import { hmacSigner, SignedClient } from './signed-client.ts';

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

describe('exchange simulator: request weight and order limits', () => {
  it('counts weight per IP in X-MBX-USED-WEIGHT-1M, answers 429 past the limit, then bans with 418', async () => {
    // exchangeInfo weighs 20, ping 1: three exchangeInfo calls pass a limit of 45, the fourth does not.
    const sim = await startExchangeSimulator({ symbols: 2, eventsPerSecond: 10, requestWeightPerMinute: 45 });
    try {
      const ping = await fetch(`${sim.url}/api/v3/ping`);
      const first = Number(ping.headers.get('x-mbx-used-weight-1m'));
      assert.ok(first >= 1);
      const statuses: number[] = [];
      let limited: Response | undefined;
      // Two windows at most pass during the loop: within one, the third exchangeInfo is past the limit.
      for (let i = 0; i < 8 && limited === undefined; i++) {
        const answer = await fetch(`${sim.url}/api/v3/exchangeInfo`);
        statuses.push(answer.status);
        if (answer.status === 429) limited = answer;
        else await answer.arrayBuffer();
      }
      assert.ok(limited !== undefined, `statuses ${statuses.join(',')}`);
      assert.equal(((await limited.json()) as { code: number }).code, -1003);
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
      const banned = await fetch(`${sim.url}/api/v3/ping`);
      assert.equal(banned.status, 418);
      assert.match(((await banned.json()) as { msg: string }).msg, /IP banned until \d+/);
      const info = (await (await fetch(`${sim.url}/sim/stats`)).json()) as { trading: unknown };
      assert.ok(info.trading !== undefined);
    } finally {
      await sim.close();
    }
  });

  it('refuses new orders past the per-account limit with -1015', async () => {
    const sim = await startExchangeSimulator({
      symbols: 2,
      eventsPerSecond: 10,
      ordersPer10Seconds: 2,
      accounts: [
        { apiKey: 'limitKey0123456789', secretKey: 'limitSecret0123456789', balances: { USDT: '1000' } },
      ],
    });
    try {
      const client = new SignedClient(sim.url, 'limitKey0123456789', hmacSigner('limitSecret0123456789'));
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: '1000',
        });
        codes.push(answer.status === 200 ? 0 : answer.body.code);
      }
      // Five orders span two 10-second windows at most, each taking two: at least one is refused.
      assert.ok(codes.includes(-1015), codes.join(','));
      assert.ok(codes.filter((code) => code === 0).length <= 4, codes.join(','));
      assert.equal(codes.filter((code) => code !== 0 && code !== -1015).length, 0);
    } finally {
      await sim.close();
    }
  });
});
