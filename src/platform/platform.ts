import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createBus, type MessageBus } from '../bus/index.ts';
import type { TickwireConfig } from '../config/index.ts';
import { SimulatedFeed, simulatedUniverse } from '../feeds/simulator/index.ts';
import {
  createAuthenticator,
  createHttpServer,
  Gateway,
  managementRoutes,
  sendJson,
} from '../gateway/index.ts';
import { createMetricsRegistry } from '../monitor/index.ts';
import { gatewaySettings } from './gateway-settings.ts';
import { MarketSnapshot, TickPipeline } from '../pipeline/index.ts';
import { SymbolRegistry } from '../wire/index.ts';

/** Market events per second the built-in simulator emits over all its symbols. */
export const SIMULATOR_EVENTS_PER_SECOND = 5_000;
/** Seed of the simulated market: the same config replays the same prices. */
export const SIMULATOR_SEED = 1;
/** Symbols listed by GET /api/v1/ticker and the dashboard. */
const TICKER_ROWS = 50;
const SHUTDOWN_DEADLINE_MS = 5_000;

export interface Platform {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8001. */
  readonly url: string;
  readonly bus: MessageBus;
  readonly pipeline: TickPipeline;
  readonly registry: SymbolRegistry;
  readonly gateway: Gateway;
  /** Stops accepting, stops the feed and the workers, closes the bus. */
  stop(): Promise<void>;
}

const dashboardHtml = readFileSync(new URL('../../web/index.html', import.meta.url));

/**
 * Assembles one Tickwire node from its configuration: bus, symbol registry, feed, pipeline workers
 * and the HTTP server, in the order data flows, and returns once the server listens.
 */
export async function startPlatform(config: TickwireConfig, log: Logger): Promise<Platform> {
  const startedAt = Date.now();
  const bus = createBus(config.bus, {
    onHandlerError: (error, topic) => log.warn({ err: error, topic }, 'bus handler failed'),
  });
  const registry = new SymbolRegistry();
  // The pipeline starts before the feed registers its symbols: its partitioner learns them on
  // first lookup, so the registry stays the single source of symbol ids.
  const pipeline = await TickPipeline.start({
    registry,
    bus,
    workers: config.workers,
    onWorkerError: (index, error) => log.error({ err: error, worker: index }, 'pipeline worker failed'),
  });
  const simulator =
    config.feed === 'sim'
      ? new SimulatedFeed({
          universe: simulatedUniverse(config.symbols),
          registry,
          sink: pipeline,
          eventsPerSecond: SIMULATOR_EVENTS_PER_SECOND,
          seed: SIMULATOR_SEED,
        })
      : undefined;
  const snapshot = new MarketSnapshot(bus, registry);
  const auth = createAuthenticator({
    ...config.auth,
    apiKeys: [
      ...config.auth.apiKeys,
      ...(config.adminKey ? [{ key: config.adminKey, account: 'admin', admin: true }] : []),
    ],
    anonymous: { topics: config.anonymousTopics },
  });

  const gateway = new Gateway({
    bus,
    registry,
    auth,
    ...gatewaySettings(config),
  });

  const metrics = createMetricsRegistry({ bus, pipeline, gateway });
  const server = createHttpServer({
    routes: {
      ...managementRoutes(gateway, auth),
      'GET /': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(dashboardHtml);
      },
      'GET /health': (_request, response) =>
        sendJson(response, 200, {
          status: 'ok',
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          workersAlive: pipeline.stats().workers.filter((worker) => worker.alive).length,
        }),
      'GET /api/v1/stats': (_request, response) =>
        sendJson(response, 200, {
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          config: { bus: config.bus, feed: config.feed, workers: config.workers, symbols: registry.size },
          pipeline: pipeline.stats(),
          bus: bus.stats(),
          gateway: { connections: gateway.connectionCount, ...gateway.counters },
        }),
      'GET /metrics': async (_request, response) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(await metrics.metrics());
      },
      'GET /api/v1/ticker': (_request, response) =>
        sendJson(response, 200, { symbols: snapshot.rows(TICKER_ROWS) }),
    },
    onHandlerError: (error, route) => log.error({ err: error, route }, 'HTTP handler failed'),
  });
  gateway.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  simulator?.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    bus,
    pipeline,
    registry,
    gateway,
    stop() {
      stopping ??= (async () => {
        simulator?.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await gateway.close(SHUTDOWN_DEADLINE_MS);
        server.closeIdleConnections();
        const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS);
        await closed;
        clearTimeout(deadline);
        snapshot.close();
        await pipeline.stop();
        await bus.close();
      })();
      return stopping;
    },
  };
}
