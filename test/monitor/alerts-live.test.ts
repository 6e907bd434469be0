/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read many fields of JSON answers */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { ownBrokerSuiteOptions, startBrokerServer } from '../support/broker-servers.ts';
import { TestClient } from '../gateway/harness.ts';
import { eventually } from '../support/eventually.ts';

const ADMIN = { headers: { 'x-api-key': 'admin-key-0123456789' } };
const ALERT_TOPICS = ['alerts.performance', 'alerts.resource', 'alerts.feed'];
type Position = { epoch: string; offset: number };

/**
 * The rules as a test needs them: the defaults with `for` and thresholds short enough to cause
 * each condition in a second or two (the same rules and code paths as in production).
 */
const TEST_RULES = [
  {
    name: 'EventLoopLag',
    expr: 'process.event_loop_lag_max_ms',
    op: '>',
    threshold: 100,
    resolveAt: 20,
    summary: 'lag',
    category: 'resource',
  },
  {
    name: 'FeedSilent',
    expr: 'feed.last_message_age_seconds',
    op: '>',
    threshold: 1,
    resolveAt: 0.5,
    summary: 'silent',
    category: 'feed',
  },
  {
    name: 'ConflationRate',
    expr: 'gateway.conflation_ratio',
    op: '>',
    threshold: 0.005,
    summary: 'conflated',
    recommendation: 'a slow consumer is being conflated',
  },
  // Off here: the test's own load can make these fire, which is right but not what is tested.
  ...['BooksOutOfSync', 'FeedStale', 'TradingLatencyOverTarget', 'QueueDepthHigh'].map((name) => ({
    name,
    expr: 'bus.connected',
    op: '<',
    threshold: 0,
    summary: 'off',
    enabled: false,
  })),
];

/** Starts a node whose alert rules are TEST_RULES, with a webhook receiver; `flags` add to its settings. */
async function startNode(flags: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tickwire-alerts-'));
  const webhook: any[] = [];
  const receiver: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      webhook.push(JSON.parse(body));
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      auth: { apiKeys: [{ key: 'user-key-0123456789', account: 'user' }] },
      alerts: {
        rules: TEST_RULES,
        webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      },
    }),
  );
  const config = loadConfig({
    file,
    flags: {
      port: '0',
      symbols: 'BTCUSDT,ETHUSDT',
      workers: '2',
      logLevel: 'silent',
      monitorIntervalMs: '200',
      adminKey: 'admin-key-0123456789',
      db: join(dir, 'tickwire.db'),
      ...flags,
    },
  });
  const platform = await startPlatform(config, pino({ level: 'silent' }));
  return {
    platform,
    webhook,
    async stop() {
      await platform.stop();
      receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An admin client subscribed to the alert topics, with the positions to recover from later. */
async function alertClient(platform: Platform, since?: Record<string, Position>) {
  const client = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws`, ADMIN);
  const subscribed = await client.request({
    op: 'subscribe',
    id: 1,
    topics: ALERT_TOPICS,
    ...(since ? { since } : {}),
  });
  return { client, subscribed, positions: subscribed.positions as Record<string, Position> };
}

const alertsOf = (client: TestClient, rule: string) =>
  client.json.filter((json) => (json.data as any)?.type === 'alert' && (json.data as any).rule === rule);

const listAlerts = async (platform: Platform) =>
  (await (await fetch(`${platform.url}/api/v1/alerts`)).json()) as any;
const endedAlert = (platform: Platform, rule: string) => async () =>
  (await listAlerts(platform)).history.find(
    (alert: any) => alert.rule === rule && alert.state === 'resolved',
  );

describe('alerts caused by real conditions, on a running node', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  before(async () => {
    node = await startNode();
    await eventually(
      async () => (await fetch(`${node.platform.url}/health`)).status === 200,
      'the node is ready',
      30_000,
    );
  });
  after(() => node.stop());

  it('an event loop blocked on purpose: fires, is published, recovered by a reconnecting client, resolves, reaches the webhook', async () => {
    const { platform } = node;
    const first = await alertClient(platform);
    first.client.close();
    // Blocked while no client is connected: what it misses must come back on recovery.
    const until = performance.now() + 400;
    while (performance.now() < until);
    const resolved = await eventually(endedAlert(platform, 'EventLoopLag'), 'EventLoopLag resolved');
    assert.ok(resolved.value > 100 || resolved.firedAt !== undefined);

    const again = await alertClient(platform, first.positions);
    const recovery = again.subscribed.recovery as Record<string, { recovered: boolean }>;
    assert.equal(recovery['alerts.resource']!.recovered, true);
    const seen = alertsOf(again.client, 'EventLoopLag');
    assert.deepEqual(
      seen
        .filter((json) => (json.data as any).id === resolved.id)
        .map((json) => [(json.data as any).state, json.recovered]),
      [
        ['pending', true],
        ['firing', true],
        ['resolved', true],
      ],
    );
    const hooks = await eventually(() => {
      const mine = node.webhook.filter((body) => body.alerts[0].fingerprint === resolved.id);
      return mine.length === 2 ? mine : undefined;
    }, 'the webhook hears firing and resolved');
    assert.deepEqual(
      hooks.map((body) => body.status),
      ['firing', 'resolved'],
    );
    assert.equal(hooks[0].alerts[0].labels.alertname, 'EventLoopLag');
    again.client.close();
  });

  it('a feed that goes silent (the simulator stops its market): FeedSilent fires and resolves', async () => {
    const { platform } = node;
    const { client } = await alertClient(platform);
    for (const symbol of ['BTCUSDT', 'ETHUSDT'])
      await fetch(`${platform.simulatorUrl}/sim/faults`, {
        method: 'POST',
        body: JSON.stringify({ kind: 'silence', symbol, durationMs: 2_500 }),
      });
    await client.until(
      () => alertsOf(client, 'FeedSilent').some((json) => (json.data as any).state === 'firing'),
      15_000,
    );
    await client.until(
      () => alertsOf(client, 'FeedSilent').some((json) => (json.data as any).state === 'resolved'),
      15_000,
    );
    client.close();
  });

  it('a client that stops reading: ConflationRate fires with its recommendation on monitor.performance, and resolves', async () => {
    const { platform } = node;
    const { client } = await alertClient(platform);
    const performance = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws`, ADMIN);
    await performance.request({ op: 'subscribe', id: 1, topics: ['monitor.performance'] });
    const slow = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws`);
    await slow.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*'] });
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    // ~12 MB of market data to a client that reads nothing: bounded in count.
    const padding = 'x'.repeat(200);
    for (let chunk = 0; chunk < 400; chunk++) {
      for (let i = 0; i < 100; i++) platform.bus.publish(`md.trade.SIM.PAD${i % 20}`, { padding });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await client.until(
      () => alertsOf(client, 'ConflationRate').some((json) => (json.data as any).state === 'firing'),
      15_000,
    );
    await performance.until(() =>
      performance
        .data('monitor.performance')
        .some((json) =>
          (json.data as any).recommendations.some(
            (r: any) => r.recommendation === 'a slow consumer is being conflated',
          ),
        ),
    );
    socket.resume();
    await client.until(
      () => alertsOf(client, 'ConflationRate').some((json) => (json.data as any).state === 'resolved'),
      15_000,
    );
    for (const c of [client, performance, slow]) c.close();
  });

  it('a pipeline worker killed: PipelineWorkerRestarted fires and resolves; engine.status and system.health show the workers', async () => {
    const { platform } = node;
    const { client } = await alertClient(platform);
    const status = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws/engine/status`, ADMIN);
    const health = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws/system/health`, ADMIN);
    await platform.pipeline.terminateWorker(0);
    await client.until(
      () => alertsOf(client, 'PipelineWorkerRestarted').some((json) => (json.data as any).state === 'firing'),
      15_000,
    );
    await client.until(
      () =>
        alertsOf(client, 'PipelineWorkerRestarted').some((json) => (json.data as any).state === 'resolved'),
      15_000,
    );
    await status.until(() =>
      status
        .data('engine.status')
        .some((json) => (json.data as any).pipeline.workers.some((w: any) => w.restarts === 1)),
    );
    const engine = status.data('engine.status').at(-1)!.data as any;
    assert.deepEqual(Object.keys(engine).sort(), [
      'bus',
      'feed',
      'gateway',
      'pipeline',
      'time',
      'trading',
      'type',
    ]);
    assert.equal(engine.trading[0].account, 'demo');
    await health.until(() => health.data('system.health').length > 0);
    assert.ok(['ok', 'degraded', 'down'].includes((health.data('system.health').at(-1)!.data as any).status));
    for (const c of [client, status, health]) c.close();
  });

  it('acknowledges an alert (admin only) and lists rules, readings and history at /api/v1/alerts', async () => {
    const { platform } = node;
    const listed = await listAlerts(platform);
    assert.ok(listed.rules.some((rule: any) => rule.name === 'FillLatencyHigh' && rule.threshold === 10));
    assert.equal(typeof listed.readings['process.rss_bytes'], 'number');
    const id = listed.history[0].id;
    const ack = (key: string | undefined, body?: string) =>
      fetch(`${platform.url}/api/v1/alerts/${id}/ack`, {
        method: 'POST',
        headers: key ? { 'x-api-key': key, 'content-type': 'application/json' } : {},
        ...(body ? { body } : {}),
      });
    assert.equal((await ack(undefined)).status, 401);
    assert.equal((await ack('user-key-0123456789')).status, 403);
    assert.equal((await ack('admin-key-0123456789', '{"silenceMs":-5}')).status, 400);
    const answer = await ack('admin-key-0123456789', '{"silenceMs":60000}');
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as any).alert.acknowledgedBy, 'admin');
    assert.ok((await listAlerts(platform)).silences.length === 1);
    const unknown = await fetch(`${platform.url}/api/v1/alerts/Nope-1-1/ack`, { method: 'POST', ...ADMIN });
    assert.equal(unknown.status, 404);
    const metrics = await (await fetch(`${platform.url}/metrics`)).text();
    assert.match(
      metrics,
      /tickwire_alert_transitions_total\{alertname="EventLoopLag",state="firing"\} [1-9]/,
    );
    assert.match(metrics, /tickwire_host_cpu_seconds_total\{cpu="0",mode="user"\}/);
  });
});

for (const kind of ['redis', 'nats'] as const) {
  describe(`alerts: a killed ${kind} server`, ownBrokerSuiteOptions(kind), () => {
    it('BrokerDown fires while the broker is gone and resolves once it is back; the node keeps serving its own alerts', async () => {
      const server = await startBrokerServer(kind);
      const node = await startNode({ bus: server.url, feed: 'none' });
      try {
        const { client } = await alertClient(node.platform);
        await server.kill();
        await client.until(
          () => alertsOf(client, 'BrokerDown').some((json) => (json.data as any).state === 'firing'),
          20_000,
        );
        await server.restart();
        await client.until(
          () => alertsOf(client, 'BrokerDown').some((json) => (json.data as any).state === 'resolved'),
          30_000,
        );
        client.close();
      } finally {
        await node.stop();
        await server.stop();
      }
    });
  });
}
