import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, it } from 'node:test';
import type { EngineStatus } from '../../src/engines/index.ts';
import { TestClient } from '../gateway/harness.ts';
import { BROKER_KINDS, brokerSuite, freePort } from '../support/broker-servers.ts';
import { eventually } from '../support/eventually.ts';

const BIN = new URL('../../bin/tickwire.js', import.meta.url).pathname;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (const kind of BROKER_KINDS) {
  brokerSuite(kind, `tickwire up on ${kind}`, (broker) => {
    let url = '';
    let output = '';
    let up: ReturnType<typeof spawn>;

    before(async () => {
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      up = spawn(
        process.execPath,
        [
          BIN,
          'up',
          '--bus',
          broker().url,
          '--bus-prefix',
          `up-${randomBytes(4).toString('hex')}`,
          '--engine-port',
          '0',
          // The flags `tickwire up` does not know go to `tickwire start`.
          ...['--port', String(port), '--symbols', '5', '--workers', '1', '--log-level', 'warn'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      up.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      up.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });

    after(() => {
      if (up.exitCode === null) up.kill('SIGKILL');
    });

    async function engines(): Promise<EngineStatus[]> {
      const response = await fetch(`${url}/api/v1/engines`).catch(() => undefined);
      return response?.ok ? ((await response.json()) as { engines: EngineStatus[] }).engines : [];
    }

    it('runs the platform and each engine as processes, restarts a killed engine while the platform carries on, and stops them all', async () => {
      const first = await eventually(
        async () =>
          (await engines()).find((engine) => engine.instance === 'features' && engine.status === 'ok'),
        `the features engine listed ok by the platform: ${output}`,
        60_000,
      );
      assert.notEqual(first.pid, up.pid, 'the engine runs in a process of its own');

      // A client of the platform subscribes to a feature: the engine in the other process learns
      // the demand over the broker and computes it.
      const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
      try {
        client.send({ op: 'subscribe', id: 1, topics: ['features.SIM.BTCUSDT.sma-2'] });
        const message = await client.next((json) => json.topic === 'features.SIM.BTCUSDT.sma-2', 30_000);
        assert.equal((message.data as { feature: string }).feature, 'sma-2');
      } finally {
        client.close();
      }

      process.kill(first.pid, 'SIGKILL');
      const restarted = await eventually(
        async () =>
          (await engines()).find(
            (engine) => engine.instance === 'features' && engine.status === 'ok' && engine.pid !== first.pid,
          ),
        'the features engine restarted',
        30_000,
      );
      assert.equal(restarted.restarts, 1);
      assert.equal((await fetch(`${url}/health/live`)).status, 200, 'the platform carried on');
      assert.match(output, /features died \(signal SIGKILL\); restarting in 500 ms/);

      up.kill('SIGTERM');
      const [code] = (await once(up, 'exit')) as [number | null];
      assert.equal(code, 0);
      assert.equal(alive(restarted.pid), false, 'the engine stopped with tickwire up');
      await assert.rejects(fetch(`${url}/health/live`), 'the platform stopped with tickwire up');
    });
  });
}
