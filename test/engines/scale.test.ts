import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { after, before, it } from 'node:test';
import { createBus, type MessageBus } from '../../src/bus/index.ts';
import type { BarMessage, EngineStatus } from '../../src/engines/index.ts';
import { BROKER_KINDS, brokerSuite, freePort } from '../support/broker-servers.ts';
import { eventually } from '../support/eventually.ts';

const BIN = new URL('../../bin/tickwire.js', import.meta.url).pathname;
const SYMBOLS = 6;

/**
 * Three instances of the features engine share the symbols over a real broker (`tickwire up --scale
 * features=3`); one is killed (and restarted by tickwire up): its symbols move to the others and
 * back, and every symbol's 1 s bars are published once each, none twice, none skipped.
 */
for (const kind of BROKER_KINDS) {
  brokerSuite(kind, `features scaled out to three instances on ${kind}`, (broker) => {
    let url = '';
    let output = '';
    let up: ReturnType<typeof spawn>;
    let listener: MessageBus;
    /** Per bars topic, how many times each bar (by open time) was published. */
    const seen = new Map<string, Map<number, number>>();

    before(async () => {
      const port = await freePort();
      const prefix = `scale-${randomBytes(4).toString('hex')}`;
      url = `http://127.0.0.1:${port}`;
      listener = createBus(broker().url, { prefix });
      listener.subscribe('bars.SIM.*.1s', (payload, topic) => {
        const bars = seen.get(topic) ?? new Map<number, number>();
        seen.set(topic, bars);
        const openTime = (payload as BarMessage).openTime;
        bars.set(openTime, (bars.get(openTime) ?? 0) + 1);
      });
      up = spawn(
        process.execPath,
        [
          BIN,
          'up',
          '--bus',
          broker().url,
          '--bus-prefix',
          prefix,
          '--scale',
          'features=3',
          '--engine-port',
          '0',
          '--features-bars',
          '1s',
          ...['--port', String(port), '--symbols', String(SYMBOLS), '--workers', '1', '--log-level', 'warn'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      up.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      up.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    });

    after(async () => {
      await listener?.close();
      if (up.exitCode === null) {
        up.kill('SIGTERM');
        await once(up, 'exit');
      }
    });

    async function features(): Promise<EngineStatus[]> {
      const response = await fetch(`${url}/api/v1/engines`).catch(() => undefined);
      if (!response?.ok) return [];
      const { engines } = (await response.json()) as { engines: EngineStatus[] };
      return engines.filter((engine) => engine.name === 'features');
    }

    it('shares the symbols, moves a dead instance’s share within seconds, and publishes every bar exactly once', async () => {
      // The instances share the symbols once all three are members (by jump hash: each most
      // likely has some of the twelve, at least two surely do).
      await eventually(
        async () => {
          const list = await features();
          return list.length === 3 && list.filter((engine) => engine.published > 0).length >= 2;
        },
        'three features instances, sharing the symbols',
        60_000,
      );
      const from = Date.now() + 1_000;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const victim = (await features()).reduce((a, b) => (b.published > a.published ? b : a));
      process.kill(victim.pid, 'SIGKILL');
      // tickwire up restarts it; it joins again once it has whole bars.
      await eventually(
        async () =>
          (await features()).find(
            (engine) =>
              engine.instance === victim.instance && engine.pid !== victim.pid && engine.published > 0,
          ),
        `${victim.instance} restarted and publishing again`,
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const to = Date.now() - 4_000;

      assert.equal(seen.size, SYMBOLS, 'every symbol has bars');
      for (const [topic, bars] of seen) {
        const times = [...bars.keys()].filter((time) => time >= from && time < to).sort((a, b) => a - b);
        assert.ok(times.length >= (to - from) / 1_000 - 2, `${topic}: ${times.length} bars`);
        for (let i = 1; i < times.length; i++)
          assert.equal(
            times[i]! - times[i - 1]!,
            1_000,
            `${topic}: no bar skipped after ${new Date(times[i - 1]!).toISOString()}`,
          );
        const twice = times.filter((time) => bars.get(time)! > 1);
        assert.deepEqual(twice, [], `${topic}: no bar published twice`);
      }
      assert.ok(output.includes(`${victim.instance} died (signal SIGKILL)`), output);
    });
  });
}
