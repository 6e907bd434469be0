import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/index.ts';
import type { Bench, BenchContext } from './harness.ts';
import { Child } from './support/ipc.ts';
import type {
  ClientOps,
  ConnectReply,
  MemoryReading,
  ServerKind,
  ServerOps,
  ServerReady,
} from './support/connections-protocol.ts';

/**
 * How many WebSocket connections one gateway process holds, and what each costs in process
 * memory. Several client processes (each well under the 20,000 open-file limit) open the
 * connections from several 127.0.0.x source addresses, each subscribing to one market-data topic.
 * In the server process: bytes per connection = (RSS after all are subscribed and settled - RSS
 * before) / connections, both readings after forced full GCs (--expose-gc), with the young
 * generation pinned small (see YOUNG_GENERATION_FLAGS); heapUsed per connection is reported
 * beside it. Connect time runs from the first connect started to the last subscribed reply. The
 * same clients then do the same against a bare `ws` WebSocketServer: the baseline. At the end one
 * message is published per topic and every connection must receive it: they are real and alive.
 */

interface Plan {
  connections: number;
  clientProcesses: number;
  /** Opened and closed before the first reading, so one-time costs (code, pools) are not counted. */
  warmup: number;
  /** Handshakes in flight per client process. */
  concurrency: number;
  settleMs: number;
  connectTimeoutMs: number;
}

// 18,000 leaves 2,000 of the server's 20,000 files for everything else it opens.
const FULL: Plan = {
  connections: 18_000,
  clientProcesses: 4,
  warmup: 500,
  concurrency: 64,
  settleMs: 1_000,
  connectTimeoutMs: 120_000,
};
const QUICK: Plan = {
  connections: 1_000,
  clientProcesses: 2,
  warmup: 100,
  concurrency: 32,
  settleMs: 200,
  connectTimeoutMs: 30_000,
};

const TARGET_CONNECTIONS = 15_000;
const TARGET_BYTES_PER_CONNECTION = 12 * 1024;
/** Per connection, connect start to subscribed reply. */
const HANDSHAKE_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 20_000;
const DELIVERY_TIMEOUT_MS = 10_000;
/** Warm-up connections come from 127.0.0.1; measured ones from 127.0.0.2 and up. */
const WARMUP_ADDRESS = '127.0.0.1';

type Server = Child<ServerOps, ServerReady>;
type Client = Child<ClientOps, Record<string, never>>;

interface PhaseResult {
  before: MemoryReading;
  after: MemoryReading;
  subscribed: number;
  failed: number;
  failures: Record<string, number>;
  /** Connections open at the end that received the published message. */
  delivered: number;
  open: number;
  /** Connections the server holds, confirmed alive by their clients. */
  held: number;
  connectSeconds: number;
}

/**
 * The young generation pinned small (1 MB semi-spaces) in both servers: left to itself it grows
 * to 2 x 16 MB under the connect burst and V8 keeps that resident or releases it depending on GC
 * timing, which moved RSS readings by up to ~30 MB (1.7 KB per connection at 18,000) from run to
 * run. It is a per-process constant, not a per-connection cost. The price: more scavenges while
 * connecting, so connect_seconds is a little slower than with default flags.
 */
const YOUNG_GENERATION_FLAGS = ['--min-semi-space-size=1', '--max-semi-space-size=1'];

const SERVER_SCRIPT = new URL('./support/connections-server.ts', import.meta.url);
const CLIENT_SCRIPT = new URL('./support/connections-client.ts', import.meta.url);

function spawnServer(kind: ServerKind): Server {
  return new Child<ServerOps, ServerReady>(`${kind} server`, SERVER_SCRIPT, [kind], {
    nodeFlags: ['--expose-gc', ...YOUNG_GENERATION_FLAGS],
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
}

/** Source addresses so that each stays under 90% of the gateway's per-address limit (default config). */
function sourceAddresses(connections: number): string[] {
  const perAddress = Math.floor(loadConfig().maxConnectionsPerAddress * 0.9);
  const count = Math.ceil(connections / perAddress);
  if (count > 250) throw new Error(`${connections} connections need more than 250 127.0.0.x addresses`);
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/** Splits `count` connections over the clients, as consecutive index ranges from `first`. */
async function connectAll(
  clients: readonly Client[],
  url: string,
  count: number,
  addresses: string[],
  plan: Plan,
  first = 0,
): Promise<ConnectReply[]> {
  const share = Math.ceil(count / clients.length);
  return Promise.all(
    clients.map((client, i) => {
      const start = i * share;
      return client.request(
        'connect',
        {
          url,
          first: first + start,
          count: Math.max(0, Math.min(share, count - start)),
          addresses,
          concurrency: plan.concurrency,
          timeoutMs: HANDSHAKE_TIMEOUT_MS,
        },
        plan.connectTimeoutMs,
      );
    }),
  );
}

async function closeAll(clients: readonly Client[]): Promise<void> {
  await Promise.all(clients.map((client) => client.request('closeAll', {}, REQUEST_TIMEOUT_MS)));
}

/** Reads every 100 ms until `done` holds or `timeoutMs` passes (the last reading, and whether it held). */
async function pollUntil<T>(
  timeoutMs: number,
  read: () => Promise<T>,
  done: (value: T) => boolean,
): Promise<{ value: T; held: boolean }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, held: true };
    if (performance.now() > deadline) return { value, held: false };
    await sleep(100);
  }
}

async function clientStats(clients: readonly Client[]): Promise<{ open: number; delivered: number }> {
  const all = await Promise.all(clients.map((client) => client.request('stats', {}, REQUEST_TIMEOUT_MS)));
  return {
    open: all.reduce((sum, s) => sum + s.open, 0),
    delivered: all.reduce((sum, s) => sum + s.delivered, 0),
  };
}

/** One server: warm up, read memory, connect everything, settle, read memory, prove delivery. */
async function measure(
  ctx: BenchContext,
  kind: ServerKind,
  server: Server,
  clients: readonly Client[],
  plan: Plan,
  addresses: string[],
): Promise<PhaseResult> {
  const { port } = await server.ready;
  const url = `ws://127.0.0.1:${port}/ws`;

  const warm = await connectAll(clients, url, plan.warmup, [WARMUP_ADDRESS], plan, plan.connections);
  const warmFailed = warm.reduce((sum, r) => sum + r.failed, 0);
  if (warmFailed > 0) throw new Error(`${kind}: ${warmFailed} of ${plan.warmup} warm-up connections failed`);
  await closeAll(clients);
  const released = await pollUntil(
    REQUEST_TIMEOUT_MS,
    () => server.request('memory', {}, REQUEST_TIMEOUT_MS),
    (reading) => reading.connections === 0,
  );
  if (!released.held) throw new Error(`${kind}: the warm-up connections were not released`);
  const before = released.value;

  ctx.note(
    `${kind}: connecting ${plan.connections} from ${clients.length} processes, ${addresses.length} addresses`,
  );
  const replies = await connectAll(clients, url, plan.connections, addresses, plan);
  const subscribed = replies.reduce((sum, r) => sum + r.subscribed, 0);
  const failures: Record<string, number> = {};
  for (const reply of replies) {
    for (const [reason, n] of Object.entries(reply.failures)) failures[reason] = (failures[reason] ?? 0) + n;
  }
  const connectSeconds =
    (Math.max(...replies.map((r) => r.lastSubscribedMs)) - Math.min(...replies.map((r) => r.firstStartMs))) /
    1000;

  await sleep(plan.settleMs);
  const after = await server.request('memory', {}, REQUEST_TIMEOUT_MS);
  const mb = (field: 'rss' | 'rssAnon' | 'rssFile' | 'heapTotal' | 'heapUsed') =>
    `${field} ${(before[field] / 2 ** 20).toFixed(1)} -> ${(after[field] / 2 ** 20).toFixed(1)} MB`;
  ctx.note(
    `${kind}: ${mb('rss')}, ${mb('rssAnon')}, ${mb('rssFile')}, ${mb('heapTotal')}, ${mb('heapUsed')}`,
  );

  await server.request('publish', {}, REQUEST_TIMEOUT_MS);
  // Not reaching every open connection is a finding, not a crash: `held` counts only those reached.
  const { value: stats } = await pollUntil(
    DELIVERY_TIMEOUT_MS,
    () => clientStats(clients),
    (value) => value.delivered >= value.open,
  );

  return {
    before,
    after,
    subscribed,
    failed: plan.connections - subscribed,
    failures,
    delivered: stats.delivered,
    open: stats.open,
    held: Math.min(after.connections, stats.open, stats.delivered),
    connectSeconds,
  };
}

/** Ends a phase: the server goes first (its sockets close from its side), then the clients forget theirs. */
async function endPhase(server: Server, clients: readonly Client[]): Promise<void> {
  await server.stop();
  await closeAll(clients);
}

function perConnection(result: PhaseResult, field: 'rss' | 'heapUsed' | 'external'): number {
  const connections = result.after.connections;
  return connections === 0 ? Number.NaN : (result.after[field] - result.before[field]) / connections;
}

export default {
  name: 'connections',
  description:
    'WebSocket connections held by one gateway process and process memory (RSS) per connection, vs bare ws',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    const addresses = sourceAddresses(plan.connections);
    const clients: Client[] = [];
    const servers: Server[] = [];
    const started = performance.now();
    try {
      for (let i = 0; i < plan.clientProcesses; i++) {
        clients.push(
          new Child<ClientOps, Record<string, never>>(`client ${i}`, CLIENT_SCRIPT, [], {
            readyTimeoutMs: READY_TIMEOUT_MS,
          }),
        );
      }
      const bare = spawnServer('ws');
      const gatewayServer = spawnServer('gateway');
      servers.push(bare, gatewayServer);
      await Promise.all(clients.map((client) => client.ready));

      const baseline = await measure(ctx, 'ws', bare, clients, plan, addresses);
      await endPhase(bare, clients);
      const gateway = await measure(ctx, 'gateway', gatewayServer, clients, plan, addresses);
      await endPhase(gatewayServer, clients);

      for (const [kind, result] of [
        ['ws', baseline],
        ['gateway', gateway],
      ] as const) {
        if (result.failed > 0)
          ctx.note(`${kind}: ${result.failed} connections failed: ${JSON.stringify(result.failures)}`);
        if (result.held !== result.after.connections) {
          ctx.note(
            `${kind}: server held ${result.after.connections}, clients saw ${result.open} open, ` +
              `${result.delivered} received the published message`,
          );
        }
      }
      const shared = {
        client_processes: plan.clientProcesses,
        source_addresses: addresses.length,
        connect_seconds: Number(gateway.connectSeconds.toFixed(2)),
        baseline_connect_seconds: Number(baseline.connectSeconds.toFixed(2)),
      };
      ctx.report({
        metric: 'connections',
        value: gateway.held,
        unit: 'conns',
        better: 'higher',
        baseline: 'bare ws WebSocketServer',
        baseline_value: baseline.held,
        target: ctx.quick ? plan.connections : TARGET_CONNECTIONS,
        attempted: plan.connections,
        failed: gateway.failed,
        ...(gateway.failed > 0 ? { failures: gateway.failures } : {}),
        delivered: gateway.delivered,
        subscriptions: gateway.after.subscriptions,
        ...shared,
      });
      ctx.report({
        metric: 'bytes_per_connection',
        value: perConnection(gateway, 'rss'),
        unit: 'bytes',
        better: 'lower',
        baseline: 'bare ws WebSocketServer',
        baseline_value: perConnection(baseline, 'rss'),
        target: TARGET_BYTES_PER_CONNECTION,
        memory: 'rss delta after forced full GCs, 1 MB semi-spaces',
        heap_used_per_connection: Math.round(perConnection(gateway, 'heapUsed')),
        baseline_heap_used_per_connection: Math.round(perConnection(baseline, 'heapUsed')),
        external_per_connection: Math.round(perConnection(gateway, 'external')),
        ...shared,
      });
      ctx.note(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      await Promise.all([...servers, ...clients].map((child) => child.stop()));
    }
  },
} satisfies Bench;
