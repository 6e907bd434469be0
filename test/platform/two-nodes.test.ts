import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TestClient } from '../gateway/harness.ts';
import { eventually } from '../support/eventually.ts';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import {
  type BrokerKind,
  brokerSuite,
  freePort,
  ownBrokerSuiteOptions,
  startBrokerServer,
} from '../support/broker-servers.ts';

const BIN = new URL('../../bin/tickwire.js', import.meta.url).pathname;
const ADMIN_KEY = 'two-nodes-admin-key-0123456789';

/** A `tickwire start` process; resolves once it logs its URL. */
interface Node {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

async function startNode(bus: string, prefix: string, feed: 'sim' | 'none'): Promise<Node> {
  const args = [BIN, 'start', '--port', '0', '--bus', bus, '--bus-prefix', prefix, '--feed', feed];
  args.push('--symbols', '5', '--workers', '1', '--admin-key', ADMIN_KEY);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in time: ${output}`)), 30_000);
    const onData = () => {
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`node exited early with ${code}: ${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

async function admin(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function twoNodeSuite(kind: BrokerKind): void {
  brokerSuite(kind, `two nodes on one ${kind} broker`, (broker) => {
    let nodeA: Node;
    let nodeB: Node;

    before(async () => {
      const prefix = `two-nodes-${randomBytes(4).toString('hex')}`;
      [nodeA, nodeB] = await Promise.all([
        startNode(broker().url, prefix, 'sim'),
        startNode(broker().url, prefix, 'none'),
      ]);
    });

    after(async () => {
      await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    });

    it('both nodes report a healthy bus', async () => {
      for (const node of [nodeA, nodeB]) {
        const health = await eventually(async () => {
          const response = await fetch(`${node.url}/health`);
          return response.status === 200 ? ((await response.json()) as { bus: { kind: string } }) : undefined;
        }, 'healthy');
        assert.equal(health.bus.kind, kind);
      }
    });

    it('a tick ingested on node A reaches a WebSocket client of node B, under the right symbol', async () => {
      const client = await TestClient.connect(`${nodeB.url.replace('http', 'ws')}/ws`);
      try {
        client.send({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.ETHUSDT'] });
        const trade = await client.next((json) => json.topic === 'md.trade.SIM.ETHUSDT', 20_000);
        const data = trade.data as { symbol: string; venue: string; price: string };
        assert.equal(data.symbol, 'ETHUSDT', 'node B maps the symbol id of node A to its own');
        assert.equal(data.venue, 'SIM');
        assert.match(data.price, /^\d+\.\d{2}$/);
      } finally {
        client.close();
      }
    });

    it('a broadcast posted to node A reaches the clients of both nodes', async () => {
      await eventually(async () => {
        const { body } = await admin(nodeA.url, 'GET', '/api/v1/cluster/nodes');
        return (body.nodes as unknown[]).length === 2 ? true : undefined;
      }, 'node A sees node B');
      const clients = await Promise.all(
        [nodeA, nodeB].map((node) =>
          TestClient.connect(`${node.url.replace('http', 'ws')}/ws?api_key=${ADMIN_KEY}`),
        ),
      );
      try {
        for (const client of clients) {
          client.send({ op: 'subscribe', id: 1, topics: ['alerts.performance'] });
          await client.next((json) => json.type === 'subscribed');
        }
        const { status, body } = await admin(nodeA.url, 'POST', '/api/v1/websocket/broadcast', {
          topic: 'alerts.performance',
          data: { text: 'from node A' },
          priority: 'high',
        });
        assert.equal(status, 200);
        assert.equal(body.reached, 2, JSON.stringify(body));
        assert.deepEqual(body.missing, []);
        for (const client of clients) {
          const alert = await client.next((json) => json.topic === 'alerts.performance');
          assert.deepEqual(alert.data, { text: 'from node A' });
        }
      } finally {
        for (const client of clients) client.close();
      }
    });

    it('after node A stops, node B keeps serving', async () => {
      assert.equal(await nodeA.stop(), 0);
      const health = await fetch(`${nodeB.url}/health`);
      assert.equal(health.status, 200);
      const client = await TestClient.connect(`${nodeB.url.replace('http', 'ws')}/ws?api_key=${ADMIN_KEY}`);
      try {
        client.send({ op: 'subscribe', id: 1, topics: ['alerts.resource'] });
        await client.next((json) => json.type === 'subscribed');
        const { body } = await admin(nodeB.url, 'POST', '/api/v1/websocket/broadcast', {
          topic: 'alerts.resource',
          data: 'still here',
        });
        assert.equal(body.reached, 1);
        await client.next((json) => json.topic === 'alerts.resource');
      } finally {
        client.close();
      }
    });
  });
}

/** A node whose broker is down when it starts: it serves, says it is degraded, and heals. */
function brokerDownAtStartSuite(kind: BrokerKind): void {
  describe(`a node whose ${kind} broker is down at start`, ownBrokerSuiteOptions(kind), () => {
    it('starts, answers /health with 503 degraded, and 200 once the broker comes up', async () => {
      const port = await freePort();
      const config = loadConfig({
        flags: { port: '0', bus: `${kind}://127.0.0.1:${port}`, feed: 'none', logLevel: 'silent' },
      });
      const platform = await startPlatform(config, pino({ level: 'silent' }));
      let broker: Awaited<ReturnType<typeof startBrokerServer>> | undefined;
      try {
        const down = await fetch(`${platform.url}/health`);
        assert.equal(down.status, 503);
        const body = (await down.json()) as { status: string; bus: { state: string; kind: string } };
        assert.equal(body.status, 'degraded');
        assert.equal(body.bus.kind, kind);
        assert.notEqual(body.bus.state, 'connected');
        broker = await startBrokerServer(kind, port);
        await eventually(async () => {
          const response = await fetch(`${platform.url}/health`);
          return response.status === 200 ? true : undefined;
        }, 'healthy once the broker is up');
      } finally {
        await platform.stop();
        await broker?.stop();
      }
    });
  });
}

describe('two Tickwire nodes as one system', () => {
  twoNodeSuite('redis');
  twoNodeSuite('nats');
  brokerDownAtStartSuite('redis');
  brokerDownAtStartSuite('nats');
});
