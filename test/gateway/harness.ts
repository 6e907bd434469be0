import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { createBus, type MessageBus } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type AuthConfig, createAuthenticator } from '../../src/gateway/auth.ts';
import { Gateway, type GatewayLimits } from '../../src/gateway/gateway.ts';
import { createHttpServer } from '../../src/gateway/http-server.ts';
import { Cluster } from '../../src/gateway/cluster.ts';
import { managementRoutes } from '../../src/gateway/rest-api.ts';
import { gatewaySettings } from '../../src/platform/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';

export const ADMIN_KEY = 'admin-key-0123456789';
export const ACC1_KEY = 'acc1-key-0123456789ab';
export const ACC2_KEY = 'acc2-key-0123456789ab';

export interface TestGateway {
  url: string;
  http: string;
  bus: MessageBus;
  gateway: Gateway;
  registry: SymbolRegistry;
  server: Server;
  stop(): Promise<void>;
}

/** A gateway on a real HTTP server on a free loopback port, with the default limits unless overridden. */
export async function startGateway(
  overrides: Partial<GatewayLimits> & {
    recoverable?: string[];
    history?: { maxEntries: number; maxAgeMs: number };
    compressionThreshold?: number;
    headerTimeoutMs?: number;
  } = {},
  auth: Partial<AuthConfig> = {},
): Promise<TestGateway> {
  const defaults = loadConfig();
  const bus = createBus('memory');
  const registry = new SymbolRegistry();
  registry.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 5 });
  registry.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 });
  const authenticator = createAuthenticator({
    apiKeys: [
      { key: ADMIN_KEY, account: 'admin', admin: true },
      { key: ACC1_KEY, account: 'acc1' },
      { key: ACC2_KEY, account: 'acc2' },
    ],
    ...auth,
  });
  const { recoverable, history, compressionThreshold, headerTimeoutMs, ...limits } = overrides;
  const settings = gatewaySettings(defaults);
  const gateway = new Gateway({
    ...settings,
    bus,
    registry,
    auth: authenticator,
    limits: { ...settings.limits, ...limits },
    ...(recoverable ? { recoverable } : {}),
    ...(history ? { history } : {}),
    compressionThreshold: compressionThreshold ?? 0,
  });
  const cluster = new Cluster({ bus, gateway, nodeId: 'test-node' });
  const server = createHttpServer({
    routes: managementRoutes(gateway, authenticator, cluster),
    ...(headerTimeoutMs === undefined ? {} : { headerTimeoutMs }),
  });
  gateway.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cluster.start(`http://127.0.0.1:${port}`);
  return {
    url: `ws://127.0.0.1:${port}`,
    http: `http://127.0.0.1:${port}`,
    bus,
    gateway,
    registry,
    server,
    async stop() {
      cluster.close();
      await gateway.close(1_000);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
    },
  };
}

export type Frame = { binary: false; json: Record<string, unknown> } | { binary: true; bytes: Buffer };

/** A WebSocket client that records every frame and lets a test wait for the one it expects. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, options);
    this.ws.on('message', (data, isBinary) => {
      this.frames.push(
        isBinary
          ? { binary: true, bytes: data as Buffer }
          : { binary: false, json: JSON.parse(data.toString()) },
      );
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode}`)),
      );
    });
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolve({ code, reason: reason.toString() });
      }),
    );
    this.opened.catch(() => {});
  }

  static async connect(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(url, options);
    await client.opened;
    await client.next((json) => json.type === 'welcome');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** JSON frames received so far. */
  get json(): Record<string, unknown>[] {
    return this.frames.flatMap((frame) => (frame.binary ? [] : [frame.json]));
  }

  /** Data frames (those with a topic) received so far. */
  data(topic?: string): Record<string, unknown>[] {
    return this.json.filter(
      (json) => typeof json.topic === 'string' && (topic === undefined || json.topic === topic),
    );
  }

  /** Resolves with the first JSON frame (received already or later) that matches; fails after `timeoutMs`. */
  async next(
    match: (json: Record<string, unknown>) => boolean,
    timeoutMs = 5_000,
  ): Promise<Record<string, unknown>> {
    await this.until(() => this.json.some(match), timeoutMs);
    return this.json.find(match)!;
  }

  /** A reply to the request with this id. */
  reply(id: number): Promise<Record<string, unknown>> {
    return this.next((json) => json.id === id);
  }

  async request(message: Record<string, unknown> & { id: number }): Promise<Record<string, unknown>> {
    this.send(message);
    return this.reply(message.id);
  }

  async until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline)
        assert.fail(`condition not met within ${timeoutMs} ms; frames: ${this.frames.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}
