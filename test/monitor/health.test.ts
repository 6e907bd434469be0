import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { assessHealth, type HealthReadings } from '../../src/monitor/index.ts';
import { startPlatform } from '../../src/platform/index.ts';

const HEALTHY: HealthReadings = {
  bus: { state: 'connected' },
  workers: { alive: 2, total: 2 },
  feed: { state: 'running', books: 10, inSync: 10, connections: [{ state: 'live' }] },
  trading: [{ account: 'alice', state: 'live' }],
};

describe('monitor: health', () => {
  it('rates each component and the node as its worst', () => {
    assert.deepEqual(assessHealth(HEALTHY), {
      status: 'ok',
      components: {
        bus: { status: 'ok' },
        pipeline: { status: 'ok' },
        feed: { status: 'ok' },
        trading: { status: 'ok' },
      },
    });
    const syncing = assessHealth({ ...HEALTHY, feed: { ...HEALTHY.feed!, inSync: 7 } });
    assert.equal(syncing.status, 'degraded');
    assert.match(syncing.components.feed!.reason!, /3 of 10 order books are not in sync/);
    const brokerDown = assessHealth({ ...HEALTHY, bus: { state: 'reconnecting' } });
    assert.deepEqual([brokerDown.status, brokerDown.components.bus!.status], ['degraded', 'degraded']);
    const workerDead = assessHealth({ ...HEALTHY, workers: { alive: 1, total: 2 } });
    assert.match(workerDead.components.pipeline!.reason!, /1 of 2 pipeline workers/);
    assert.equal(assessHealth({ ...HEALTHY, workers: { alive: 0, total: 2 } }).status, 'down');
    assert.equal(assessHealth({ ...HEALTHY, feed: { ...HEALTHY.feed!, state: 'stopped' } }).status, 'down');
    const away = assessHealth({
      ...HEALTHY,
      trading: [
        { account: 'alice', state: 'reconciling' },
        { account: 'bob', state: 'live' },
      ],
    });
    assert.deepEqual(away.components.trading, { status: 'degraded', reason: 'alice: reconciling' });
    // No feed and no trading account: those components are not listed.
    assert.deepEqual(Object.keys(assessHealth({ ...HEALTHY, feed: undefined, trading: [] }).components), [
      'bus',
      'pipeline',
    ]);
  });

  it('answers the probes of a node whose trading exchange cannot be reached: live 200, ready 503 with the reason', async () => {
    // A port nothing listens on: bound, then closed.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const dir = mkdtempSync(join(tmpdir(), 'tickwire-health-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        trading: {
          accounts: [
            {
              account: 'alice',
              apiKey: 'k',
              apiSecret: 's',
              restUrl: `http://127.0.0.1:${port}`,
              wsUrl: `ws://127.0.0.1:${port}`,
              symbols: ['BTCUSDT'],
            },
          ],
        },
      }),
    );
    const config = loadConfig({
      file,
      flags: { port: '0', feed: 'none', db: join(dir, 't.db'), logLevel: 'silent' },
    });
    const platform = await startPlatform(config, pino({ level: 'silent' }));
    try {
      assert.deepEqual(await (await fetch(`${platform.url}/health/live`)).json(), { status: 'ok' });
      const ready = await fetch(`${platform.url}/health/ready`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as {
        status: string;
        components: Record<string, { status: string; reason?: string }>;
      };
      assert.equal(body.status, 'degraded');
      assert.equal(body.components.bus!.status, 'ok');
      assert.deepEqual(body.components.trading, { status: 'degraded', reason: 'alice: connecting' });
      const health = await fetch(`${platform.url}/health`);
      assert.equal(health.status, 503);
      assert.equal(((await health.json()) as { status: string }).status, 'degraded');
    } finally {
      await platform.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
