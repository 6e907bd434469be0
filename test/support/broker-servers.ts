import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { after, before, describe } from 'node:test';

/**
 * Real Redis and NATS servers for tests and benchmarks: each started as a child process on a free
 * loopback port, with no persistence, and killed when this process exits. Never the shared
 * instances on 6379/4222.
 *
 * - `brokerSuite(kind, name, body)`: a describe block with one server for its tests; uses
 *   REDIS_URL / NATS_URL when set (tests that only need a server), else starts its own.
 * - `startBrokerServer(kind)`: a server of one's own, with `kill()` and `restart()` on the same
 *   port, for fault tests.
 * - A missing binary skips loudly, naming the install command; with TICKWIRE_REQUIRE_BROKERS=1 it
 *   fails instead.
 */

export const BROKER_KINDS = ['redis', 'nats'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

const BINARIES: Record<BrokerKind, { name: string; install: string; env: string }> = {
  redis: { name: 'redis-server', install: 'apt-get install redis-server', env: 'REDIS_URL' },
  nats: { name: 'nats-server', install: 'apt-get install nats-server', env: 'NATS_URL' },
};

const START_TIMEOUT_MS = 10_000;
const OUTPUT_KEPT = 4096;

/** True when TICKWIRE_REQUIRE_BROKERS=1: a missing broker binary is a failure, not a skip. */
export function brokersRequired(): boolean {
  return process.env.TICKWIRE_REQUIRE_BROKERS === '1';
}

/** The path of the server binary, searched on PATH plus the sbin folders Debian installs into. */
export function brokerBinary(kind: BrokerKind): string | undefined {
  const name = BINARIES[kind].name;
  const folders = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/bin',
  ];
  for (const folder of folders) {
    if (folder === '') continue;
    const candidate = join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** Why tests of `kind` that start their own server cannot run here, or undefined when they can. */
export function brokerSkipReason(kind: BrokerKind): string | undefined {
  if (brokerBinary(kind) !== undefined) return undefined;
  const { name, install } = BINARIES[kind];
  return `${name} not found on PATH: install it (${install}) to run these tests; TICKWIRE_REQUIRE_BROKERS=1 makes this a failure`;
}

/** The server URL from REDIS_URL / NATS_URL, if set. */
export function brokerUrlFromEnv(kind: BrokerKind): string | undefined {
  const value = process.env[BINARIES[kind].env];
  return value === undefined || value === '' ? undefined : value;
}

export interface BrokerServer {
  readonly kind: BrokerKind;
  readonly port: number;
  /** `redis://127.0.0.1:<port>` or `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly running: boolean;
  /** Kills the server at once (SIGKILL: nothing flushed, connections cut), and waits for it to exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  restart(): Promise<void>;
  /** Kills it for good; idempotent. */
  stop(): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    liveChildren.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** A port nobody listens on right now: listen on 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Starts a server of `kind` on a free port (or `port`). Throws when the binary is missing. */
export async function startBrokerServer(kind: BrokerKind, port?: number): Promise<BrokerServer> {
  const binary = brokerBinary(kind);
  if (binary === undefined) throw new Error(brokerSkipReason(kind));
  installExitHooks();
  const chosen = port ?? (await freePort());
  let child: ChildProcess | undefined = await launch(kind, binary, chosen);
  let stopped = false;

  const kill = async () => {
    const current = child;
    child = undefined;
    if (current === undefined) return;
    const exited = current.exitCode !== null || current.signalCode !== null;
    if (!exited) {
      current.kill('SIGKILL');
      await once(current, 'exit');
    }
    liveChildren.delete(current);
  };

  return {
    kind,
    port: chosen,
    url: `${kind}://127.0.0.1:${chosen}`,
    get running() {
      return child !== undefined;
    },
    kill,
    async restart() {
      if (stopped) throw new Error(`${kind} server on port ${chosen} was stopped for good`);
      await kill();
      child = await launch(kind, binary, chosen);
    },
    async stop() {
      stopped = true;
      await kill();
    },
  };
}

function argumentsFor(kind: BrokerKind, port: number): string[] {
  return kind === 'redis'
    ? ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    : ['-p', String(port), '-a', '127.0.0.1'];
}

/** Spawns the server and resolves once a TCP connection to it succeeds. */
async function launch(kind: BrokerKind, binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(binary, argumentsFor(kind, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    liveChildren.delete(child);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (exited) throw new Error(`${kind} server on port ${port} exited at start: ${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${kind} server on port ${port} did not accept connections within ${START_TIMEOUT_MS} ms: ${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface SuiteBroker {
  readonly kind: BrokerKind;
  readonly url: string;
}

/**
 * A describe block whose tests share one server of `kind` (from REDIS_URL / NATS_URL, or started
 * here and stopped after the block). `broker()` gives it once `before` has run. Skipped loudly
 * when no server can be had, unless TICKWIRE_REQUIRE_BROKERS=1.
 */
export function brokerSuite(kind: BrokerKind, name: string, body: (broker: () => SuiteBroker) => void): void {
  const fromEnv = brokerUrlFromEnv(kind);
  const skip = fromEnv === undefined ? brokerSkipReason(kind) : undefined;
  if (skip !== undefined && !brokersRequired()) {
    process.emitWarning(`skipping "${name}": ${skip}`);
    describe(name, { skip }, () => body(() => ({ kind, url: '' })));
    return;
  }
  describe(name, () => {
    let server: BrokerServer | undefined;
    let url = fromEnv;
    before(async () => {
      if (url === undefined) {
        server = await startBrokerServer(kind);
        url = server.url;
      }
    });
    after(async () => {
      await server?.stop();
    });
    body(() => {
      if (url === undefined) throw new Error(`the ${kind} server for "${name}" is not started yet`);
      return { kind, url };
    });
  });
}

/** Options for a describe block that starts its own servers: skips loudly (or fails) without the binary. */
export function ownBrokerSuiteOptions(kind: BrokerKind): { skip?: string } {
  const skip = brokerSkipReason(kind);
  if (skip === undefined || brokersRequired()) return {};
  process.emitWarning(`skipping ${kind} fault tests: ${skip}`);
  return { skip };
}
