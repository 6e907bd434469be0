import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACC1_KEY, ADMIN_KEY, startGateway, TestClient, type TestGateway } from './harness.ts';

describe('REST management API', () => {
  let node: TestGateway;
  const admin = { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' };

  before(async () => {
    node = await startGateway();
  });
  after(() => node.stop());

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = admin) {
    const response = await fetch(`${node.http}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('needs an admin credential: 401 without one, 403 for a non-admin account', async () => {
    assert.equal((await call('GET', '/api/v1/websocket/connections', undefined, {})).status, 401);
    const forbidden = await call('GET', '/api/v1/websocket/connections', undefined, {
      'x-api-key': ACC1_KEY,
    });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.body.error as { code: string }).code, 'FORBIDDEN');
    const badKey = await call('GET', '/api/v1/websocket/connections', undefined, {
      'x-api-key': 'wrong-key-000000000',
    });
    assert.equal(badKey.status, 401);
    assert.equal((badKey.body.error as { code: string }).code, 'AUTH_INVALID');
  });

  it('lists connections with their subscriptions, lanes and counters, and closes one with 4003', async () => {
    const client = await TestClient.connect(`${node.url}/ws`, { headers: { 'x-api-key': ACC1_KEY } });
    await client.request({ op: 'subscribe', id: 1, topics: ['fills.acc1'] });
    const { status, body } = await call('GET', '/api/v1/websocket/connections');
    assert.equal(status, 200);
    const connections = body.connections as Record<string, unknown>[];
    const mine = connections.find((connection) => connection.account === 'acc1')!;
    assert.deepEqual(mine.subscriptions, ['fills.acc1']);
    assert.equal(mine.address, '127.0.0.1');
    assert.deepEqual(Object.keys(mine.lanes as object), ['critical', 'high', 'normal', 'low']);
    assert.ok((mine.messagesIn as number) >= 1 && (mine.messagesOut as number) >= 1);
    assert.equal(typeof mine.bufferedBytes, 'number');
    assert.ok(!Number.isNaN(Date.parse(mine.connectedAt as string)));

    const subscriptions = await call('GET', '/api/v1/websocket/subscriptions');
    assert.deepEqual(subscriptions.body.topics, [{ pattern: 'fills.acc1', subscribers: 1 }]);
    assert.deepEqual((subscriptions.body.connections as Record<string, string[]>)[mine.id as string], [
      'fills.acc1',
    ]);

    assert.equal((await call('DELETE', `/api/v1/websocket/connections/${mine.id}`)).status, 200);
    assert.equal((await client.closed).code, 4003);
    assert.equal((await call('DELETE', '/api/v1/websocket/connections/c999999')).status, 404);
  });

  it('subscribes a connection server-side, with a filter, and broadcasts with a priority', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    const id = client.json[0]!.connection as string;
    const subscribed = await call('POST', '/api/v1/websocket/subscriptions', {
      connection: id,
      topics: ['alerts.performance'],
      filter: { eq: ['level', 'critical'] },
    });
    assert.equal(subscribed.status, 200);
    await client.next((json) => json.type === 'subscribed');
    const sent = await call('POST', '/api/v1/websocket/broadcast', {
      topic: 'alerts.performance',
      data: { level: 'critical', text: 'p99 above target' },
      priority: 'high',
    });
    assert.deepEqual(sent.body, {
      topic: 'alerts.performance',
      reached: 1,
      nodes: [{ node: 'test-node', reached: 1 }],
      missing: [],
    });
    const filteredOut = await call('POST', '/api/v1/websocket/broadcast', {
      topic: 'alerts.performance',
      data: { level: 'info' },
    });
    assert.equal(filteredOut.body.reached, 0);
    const alert = await client.next((json) => json.topic === 'alerts.performance');
    assert.equal((alert.data as { text: string }).text, 'p99 above target');
    assert.equal(typeof alert.offset, 'number', 'alerts are recoverable by default');
  });

  it('rejects bad bodies with 4xx codes that say what is wrong', async () => {
    const cases: [string, unknown, number, string][] = [
      ['/api/v1/websocket/broadcast', '{not json', 400, 'BAD_JSON'],
      ['/api/v1/websocket/broadcast', { data: 1 }, 400, 'BAD_REQUEST'],
      ['/api/v1/websocket/broadcast', { topic: 'a..b', data: 1 }, 400, 'BAD_TOPIC'],
      ['/api/v1/websocket/broadcast', { topic: 'a.b', data: 1, priority: 'urgent' }, 400, 'BAD_REQUEST'],
      ['/api/v1/websocket/broadcast', { topic: 'a.b', data: 1, extra: true }, 400, 'BAD_REQUEST'],
      ['/api/v1/websocket/broadcast', { topic: 'a.b', data: 'x'.repeat(70_000) }, 413, 'BODY_TOO_LARGE'],
      [
        '/api/v1/websocket/subscriptions',
        { connection: 'c999999', topics: ['md.>'] },
        404,
        'UNKNOWN_CONNECTION',
      ],
      ['/api/v1/websocket/subscriptions', { connection: 'c1', topics: [] }, 400, 'BAD_REQUEST'],
    ];
    for (const [path, body, status, code] of cases) {
      const result = await call('POST', path, body);
      assert.equal(result.status, status, `${JSON.stringify(body).slice(0, 60)}`);
      const error = result.body.error as { code: string; message: string };
      assert.equal(error.code, code);
      assert.ok(error.message.length > 0);
    }
    const missing = await call('POST', '/api/v1/websocket/broadcast', { topic: 'a.b' });
    assert.match((missing.body.error as { message: string }).message, /data/);
    const client = await TestClient.connect(`${node.url}/ws`);
    const id = client.json[0]!.connection as string;
    const badFilter = await call('POST', '/api/v1/websocket/subscriptions', {
      connection: id,
      topics: ['md.>'],
      filter: { between: [1, 2] },
    });
    assert.equal((badFilter.body.error as { code: string }).code, 'BAD_FILTER');
  });
});
