import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBus, type MessageBus } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import {
  createAuthenticator,
  createHttpServer,
  Gateway,
  type GatewayLimits,
} from '../../src/gateway/index.ts';
import { gatewaySettings } from '../../src/platform/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';

/**
 * A Tickwire gateway for a benchmark's server process: memory bus, symbol registry, API-key auth,
 * the node's HTTP server on a free loopback port. Shared by the gateway benchmarks (fanout,
 * priority; connections may use it too) so that every one of them measures the same gateway,
 * with the node's mapping from configuration (gatewaySettings) and the configuration's defaults
 * (the environment is not read: a benchmark must not depend on the shell it runs in), except
 * the limits a benchmark must lift to reach its load (BENCH_LIMITS, and `limits`).
 */

export interface BenchGatewayOptions {
  /** Symbols registered on venue SIM (priceScale 2, sizeScale 4), in this order: ids follow it. */
  symbols: readonly string[];
  /** False puts every message in one FIFO, without conflation (the priority benchmark's baseline). */
  priorityLanes?: boolean;
  apiKeys?: { key: string; account: string; admin?: boolean }[];
  limits?: Partial<GatewayLimits>;
}

export interface BenchGateway {
  port: number;
  bus: MessageBus;
  registry: SymbolRegistry;
  gateway: Gateway;
  /** The registry id of each of `symbols`, in order. */
  symbolIds: number[];
  stop(): Promise<void>;
}

export const BENCH_VENUE = 'SIM';
export const BENCH_SCALES = { priceScale: 2, sizeScale: 4 } as const;

/** The limits a benchmark lifts so that its own load is not refused or pinged mid-run. */
export const BENCH_LIMITS: Partial<GatewayLimits> = {
  maxConnectionsPerAddress: 20_000,
  pingIntervalMs: 3_600_000,
  idleTimeoutMs: 7_200_000,
};

export async function startBenchGateway(options: BenchGatewayOptions): Promise<BenchGateway> {
  const settings = gatewaySettings(loadConfig({ env: {} }));
  const bus = createBus('memory');
  const registry = new SymbolRegistry();
  const symbolIds = options.symbols.map((symbol) => registry.register(BENCH_VENUE, symbol, BENCH_SCALES));
  const auth = createAuthenticator({ apiKeys: options.apiKeys ?? [] });
  const gateway = new Gateway({
    ...settings,
    bus,
    registry,
    auth,
    limits: { ...settings.limits, ...BENCH_LIMITS, ...options.limits },
    priorityLanes: options.priorityLanes ?? true,
  });
  const server = createHttpServer({ routes: {} });
  gateway.attach(server);
  const port = await listenOnLoopback(server);
  return {
    port,
    bus,
    registry,
    gateway,
    symbolIds,
    async stop() {
      await gateway.close(500);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bus.close();
    },
  };
}

export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
