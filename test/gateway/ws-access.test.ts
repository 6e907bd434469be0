import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { PRESET_PATHS } from '../../src/gateway/presets.ts';
import { ACC1_KEY, ADMIN_KEY, startGateway, TestClient } from './harness.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';

function hs256(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

describe('access: credentials, permissions, limits, presets, heartbeats, shutdown', () => {
  it('authenticates with an API key header, a query key, a JWT, or an auth message', async () => {
    const node = await startGateway({}, { jwt: { hs256Secret: SECRET, leewaySeconds: 30 } });
    try {
      const byHeader = await TestClient.connect(`${node.url}/ws`, { headers: { 'x-api-key': ACC1_KEY } });
      assert.equal(byHeader.json[0]!.account, 'acc1');
      const byQuery = await TestClient.connect(`${node.url}/ws?api_key=${ACC1_KEY}`);
      assert.equal(byQuery.json[0]!.account, 'acc1');
      const token = hs256({ sub: 'acc9', exp: Math.floor(Date.now() / 1000) + 600 });
      const byToken = await TestClient.connect(`${node.url}/ws`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(byToken.json[0]!.account, 'acc9');
      assert.equal(
        (await byToken.request({ op: 'subscribe', id: 1, topics: ['fills.acc9'] })).type,
        'subscribed',
      );

      const later = await TestClient.connect(`${node.url}/ws`);
      assert.equal(
        (await later.request({ op: 'subscribe', id: 1, topics: ['fills.acc1'] })).code,
        'FORBIDDEN',
      );
      const authenticated = await later.request({ op: 'auth', id: 2, apiKey: ACC1_KEY });
      assert.deepEqual(authenticated, { type: 'authenticated', id: 2, account: 'acc1', admin: false });
      assert.equal(
        (await later.request({ op: 'subscribe', id: 3, topics: ['fills.acc1'] })).type,
        'subscribed',
      );
      for (const client of [byHeader, byQuery, byToken, later]) client.close();
    } finally {
      await node.stop();
    }
  });

  it("keeps an account's private topics to that account; admin may subscribe to anything", async () => {
    const node = await startGateway();
    try {
      const acc1 = await TestClient.connect(`${node.url}/ws`, { headers: { 'x-api-key': ACC1_KEY } });
      for (const topic of ['fills.acc2', 'orders.acc2', 'bots.acc2.b1', 'orders.*', 'fills.>']) {
        assert.equal(
          (await acc1.request({ op: 'subscribe', id: 1, topics: [topic] })).code,
          'FORBIDDEN',
          topic,
        );
        acc1.frames.length = 0;
      }
      for (const topic of ['fills.acc1', 'orders.acc1', 'bots.acc1.*', 'md.>']) {
        assert.equal(
          (await acc1.request({ op: 'subscribe', id: 2, topics: [topic] })).type,
          'subscribed',
          topic,
        );
        acc1.frames.length = 0;
      }
      const admin = await TestClient.connect(`${node.url}/ws`, { headers: { 'x-api-key': ADMIN_KEY } });
      assert.equal(
        (await admin.request({ op: 'subscribe', id: 1, topics: ['fills.>', 'monitor.*'] })).type,
        'subscribed',
      );
    } finally {
      await node.stop();
    }
  });

  it('closes with 4501 a connection whose credential is refused', async () => {
    const node = await startGateway();
    try {
      const client = new TestClient(`${node.url}/ws`, { headers: { 'x-api-key': 'not-a-known-key-0000' } });
      const { code, reason } = await client.closed;
      assert.equal(code, 4501);
      assert.match(reason, /AUTH_INVALID/);
    } finally {
      await node.stop();
    }
  });

  it('refuses upgrades past the node and per-address limits, from other origins, and on unknown paths', async () => {
    const node = await startGateway({
      maxConnections: 3,
      maxConnectionsPerAddress: 2,
      allowedOrigins: ['http://ok.test'],
    });
    try {
      await TestClient.connect(`${node.url}/ws`);
      await TestClient.connect(`${node.url}/ws`);
      await assert.rejects(TestClient.connect(`${node.url}/ws`), /HTTP 429/);
      await TestClient.connect(`${node.url}/ws`, { localAddress: '127.0.0.2' });
      await assert.rejects(TestClient.connect(`${node.url}/ws`, { localAddress: '127.0.0.3' }), /HTTP 503/);
      // 127.0.0.1 still holds its two: the per-address limit applies before anything is read.
      await assert.rejects(
        TestClient.connect(`${node.url}/ws`, { origin: 'http://evil.test', localAddress: '127.0.0.4' }),
        /HTTP 403/,
      );
      await assert.rejects(
        TestClient.connect(`${node.url}/nowhere`, { localAddress: '127.0.0.4' }),
        /HTTP 404/,
      );
      const rejected = node.gateway.counters.rejected_upgrade;
      assert.deepEqual(
        [rejected.TOO_MANY_CONNECTIONS_FROM_ADDRESS, rejected.TOO_MANY_CONNECTIONS, rejected.NOT_FOUND],
        [1, 1, 1],
      );
    } finally {
      await node.stop();
    }
  });

  it('subscribes every seed path to its documented topics', async () => {
    const node = await startGateway();
    try {
      const expected: Record<string, string[]> = {
        '/ws/market-data/BTCUSDT': ['md.*.*.BTCUSDT'],
        '/ws/trades/updates': ['orders.acc1', 'fills.acc1'],
        '/ws/engine/status': ['engine.status'],
        '/ws/system/health': ['system.health'],
        '/ws/monitoring/hardware': ['monitor.hardware'],
        '/ws/monitoring/m4max/hardware': ['monitor.hardware'],
        '/ws/monitoring/performance': ['monitor.performance'],
        '/ws/monitoring/m4max/performance': ['monitor.performance'],
        '/ws/monitoring/containers/performance': ['monitor.containers'],
        '/ws/monitoring/thermal': ['monitor.thermal'],
        '/ws/monitoring/cpu-cores': ['monitor.cpu'],
        '/ws/monitoring/memory-bandwidth': ['monitor.memory'],
        '/ws/monitoring/gpu-acceleration': ['monitor.gpu'],
        '/ws/monitoring/neural-engine': ['monitor.accelerator'],
        '/ws/alerts/performance': ['alerts.performance'],
        '/ws/alerts/thermal': ['alerts.thermal'],
        '/ws/alerts/resource': ['alerts.resource'],
        '/ws/alerts/hardware': ['alerts.hardware'],
        '/ws/trading/latency': ['trading.latency'],
        '/ws/trading/execution': ['orders.acc1', 'fills.acc1'],
        '/ws/trading/ml-inference': ['trading.ml-inference'],
        '/ws/trading/risk-analysis': ['trading.risk'],
      };
      assert.equal(Object.keys(expected).length, PRESET_PATHS.length - 1, 'every preset path is checked');
      for (const [path, topics] of Object.entries(expected)) {
        // An admin may subscribe to every topic; the account's own paths then use its account.
        const key = topics[0]!.startsWith('orders.') ? ACC1_KEY : ADMIN_KEY;
        const client = await TestClient.connect(`${node.url}${path}`, { headers: { 'x-api-key': key } });
        const subscribed = await client.next((json) => json.type === 'subscribed');
        assert.deepEqual(subscribed.topics, topics, path);
        client.close();
      }
      const anonymous = await TestClient.connect(`${node.url}/ws/trades/updates`);
      assert.equal((await anonymous.next((json) => json.type === 'error')).code, 'FORBIDDEN');
      const market = await TestClient.connect(`${node.url}/ws/market-data/ethusdt`);
      assert.deepEqual((await market.next((json) => json.type === 'subscribed')).topics, ['md.*.*.ETHUSDT']);
      node.bus.publish('md.quote.SIM.ETHUSDT', { bid: '1' });
      await market.next((json) => json.topic === 'md.quote.SIM.ETHUSDT');
    } finally {
      await node.stop();
    }
  });

  it('closes a silent connection with 4002 and keeps one that answers pings', async () => {
    const node = await startGateway({ pingIntervalMs: 100, idleTimeoutMs: 350 });
    try {
      const alive = await TestClient.connect(`${node.url}/ws`); // ws answers pings automatically
      const silent = await TestClient.connect(`${node.url}/ws`, { autoPong: false });
      const { code } = await silent.closed;
      assert.equal(code, 4002);
      assert.equal(alive.ws.readyState, alive.ws.OPEN);
    } finally {
      await node.stop();
    }
  });

  it('shuts down gracefully: clients get 1001 after what was queued', async () => {
    const node = await startGateway();
    const client = await TestClient.connect(`${node.url}/ws`);
    await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.BTCUSDT'] });
    node.bus.publish('md.trade.SIM.BTCUSDT', { last: true });
    await node.stop();
    const { code } = await client.closed;
    assert.equal(code, 1001);
    assert.equal(client.data().length, 1, 'the queued message was flushed before the close');
  });
});
