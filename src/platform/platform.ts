import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createBus, type MessageBus, TRADING_TOPICS } from '../bus/index.ts';
import type { TickwireConfig } from '../config/index.ts';
import {
  authenticated,
  Cluster,
  createAuthenticator,
  createHttpServer,
  Gateway,
  managementRoutes,
  sendBufferCap,
  sendError,
  sendJson,
} from '../gateway/index.ts';
import {
  createMetricsRegistry,
  EventLatency,
  type LatencyMessage,
  type LatencyReport,
  monitorRoutes,
  NodeMonitor,
} from '../monitor/index.ts';
import { startExchangeSimulator } from '../simulator/index.ts';
import { TRADING_EVENT_TARGETS_MS, TradingService, tradingRoutes } from '../trading/index.ts';
import { dashboardRoutes } from './dashboard.ts';
import { gatewaySettings } from './gateway-settings.ts';
import { MarketSnapshot, TickPipeline } from '../pipeline/index.ts';
import { binanceNormalizer } from '../feeds/index.ts';
import { startMarketFeed } from './market-feed.ts';
import { marketRoutes } from './market-routes.ts';
import { createEngine, DemandAnnouncer, ENGINE_NAMES, EngineHost } from '../engines/index.ts';
import { nodeStatus } from './node-status.ts';
import { RemoteTickAdopter } from './remote-ticks.ts';
import { SymbolRegistry } from '../wire/index.ts';

/** How often the delivery latency summary is published on `trading.latency`. */
const LATENCY_PUBLISH_MS = 1_000;
const TRADING_LATENCY_TOPIC = TRADING_TOPICS[0];
const SHUTDOWN_DEADLINE_MS = 5_000;

export interface Platform {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8001. */
  readonly url: string;
  readonly bus: MessageBus;
  readonly pipeline: TickPipeline;
  readonly registry: SymbolRegistry;
  readonly gateway: Gateway;
  readonly trading: TradingService;
  /** REST base of the embedded exchange simulator (`--feed sim`). */
  readonly simulatorUrl: string | undefined;
  /** Delivery latency of trading events, per event type. */
  readonly latency: EventLatency;
  /** Host and process sampling, alert rules, the monitor streams. */
  readonly monitor: NodeMonitor;
  /** Stops accepting, stops the feed and the workers, closes the bus. */
  stop(): Promise<void>;
}

/**
 * Assembles one Tickwire node from its configuration: bus, symbol registry, feed, pipeline workers
 * and the HTTP server, in the order data flows, and returns once the server listens.
 */
export async function startPlatform(config: TickwireConfig, log: Logger): Promise<Platform> {
  const startedAt = Date.now();
  const registry = new SymbolRegistry();
  const adopter = new RemoteTickAdopter(registry);
  const bus = createBus(config.bus, {
    prefix: config.busPrefix,
    rewriteInbound: adopter.adopt,
    onGap: (topic, missed) => {
      log.warn({ topic, missed }, 'messages lost on the broker');
      // Runs only once broker messages flow, which is after `gateway` below exists.
      gateway.recorder.noteGap(topic, missed);
    },
    onHandlerError: (error, topic) => log.warn({ err: error, topic }, 'bus handler failed'),
  });
  // The pipeline starts before the feed registers its symbols: its partitioner learns them on
  // first lookup, so the registry stays the single source of symbol ids.
  const pipeline = await TickPipeline.start({
    registry,
    bus,
    profile: config.profile,
    // Exchange frames are parsed, and order books kept, inside the workers that own the symbols.
    ...(config.feed === 'none' ? {} : { normalizer: binanceNormalizer() }),
    workers: config.workers,
    ringCapacity: config.ringCapacity,
    inputPolicy: config.inputPolicy,
    quality: { staleAfterMs: config.staleAfterMs, spikeStdDevs: config.spikeStdDevs },
    onWorkerError: (index, error) => log.error({ err: error, worker: index }, 'pipeline worker failed'),
    // The feed hears the restart too and resyncs that worker's books from fresh snapshots.
    onWorkerRestart: (index, symbolIds) =>
      log.warn({ worker: index, symbols: symbolIds.length }, 'pipeline worker restarted'),
    onWorkerGaveUp: (index, restarts) =>
      log.error({ worker: index, restarts }, 'pipeline worker keeps failing; its partition stays down'),
  });
  // The node's own exchange: the `sim` feed reads its market, and accounts without URLs trade on it.
  const simulator =
    config.feed === 'sim'
      ? await startExchangeSimulator({
          port: config.simPort,
          symbols: config.symbols,
          eventsPerSecond: config.simRate,
          seed: config.simSeed,
        })
      : undefined;
  let trading: TradingService | undefined;
  const feed = await startMarketFeed(config, registry, pipeline, log, simulator)
    .then(async (started) => {
      trading = await TradingService.start({
        config: config.trading,
        db: config.db,
        bus,
        log,
        embedded: simulator && { restUrl: simulator.url, wsUrl: simulator.wsUrl },
      }).catch(async (error: unknown) => {
        await started?.stop();
        throw error;
      });
      return started;
    })
    .catch(async (error: unknown) => {
      // Nothing else holds the workers, the simulator and the broker connection: release them, or the process stays.
      await simulator?.close();
      await pipeline.stop();
      await bus.close();
      throw error;
    });
  const tradingService = trading!;
  if (tradingService.demoApiKey !== undefined)
    log.info(
      { account: 'demo' },
      `demo trading account on the embedded simulator: X-API-Key ${tradingService.demoApiKey} (docs/TRADING.md)`,
    );
  // Only a node with a feed keeps a market snapshot: on a gateway node of a cluster it would
  // subscribe to all market data on the broker (docs/SCALING.md).
  const snapshot = config.feed === 'none' ? undefined : new MarketSnapshot(bus, registry);
  // The engines run embedded, on a node with a feed (docs/ENGINES.md); a gateway-only node of a
  // cluster leaves them to the node that reads the market, as it does the snapshot.
  const engines = new EngineHost(
    config.feed === 'none' || config.engines === 'none'
      ? []
      : ENGINE_NAMES.map((name) => createEngine(name, config)),
  );
  await engines.start(bus);
  const auth = createAuthenticator({
    ...config.auth,
    apiKeys: [
      ...config.auth.apiKeys,
      ...(config.adminKey ? [{ key: config.adminKey, account: 'admin', admin: true }] : []),
      ...(tradingService.demoApiKey ? [{ key: tradingService.demoApiKey, account: 'demo' }] : []),
    ],
    anonymous: { topics: config.anonymousTopics },
  });

  const cap = sendBufferCap();
  if (!cap.available) {
    log.warn(
      { reason: cap.reason },
      "send-buffer cap unavailable: a client that stops reading takes up to the kernel's send buffer of stale market data before the gateway can conflate it (docs/ARCHITECTURE.md)",
    );
  }
  const latency = new EventLatency(TRADING_EVENT_TARGETS_MS);
  const gateway = new Gateway({
    bus,
    registry,
    auth,
    ...gatewaySettings(config),
    onDelivered: (_topic, payload) => latency.delivered(payload),
    onPatternsChanged: () => demand.changed(),
  });
  const latencyTimer = setInterval(
    () =>
      bus.publish(TRADING_LATENCY_TOPIC, {
        type: 'latency_summary',
        events: latency.summary(),
        time: Date.now(),
      } satisfies LatencyMessage),
    LATENCY_PUBLISH_MS,
  );
  const nodeId = newNodeId(config.port);
  const cluster = new Cluster({ bus, gateway, nodeId });
  // Engines that compute on demand (features) learn what this node's clients subscribe to.
  const demand = new DemandAnnouncer(bus, nodeId, () => gateway.hub.patternNames());
  demand.start();

  const metrics = createMetricsRegistry({
    bus,
    pipeline,
    gateway,
    ...(feed ? { feed: () => feed.health() } : {}),
  });
  metrics.registerMetric(latency.metric);
  metrics.registerMetric(latency.targetMetric);
  const status = nodeStatus({ bus, pipeline, gateway, trading: tradingService, feed });
  const monitor = new NodeMonitor({
    bus,
    pipeline,
    gateway,
    latency,
    ...(feed ? { feed: () => feed.health() } : {}),
    trading: () => tradingService.health(),
    intervalMs: config.monitorIntervalMs,
    alerts: config.alerts,
    health: status.health,
    componentStatus: status.components,
    metrics,
    log,
  });
  monitor.start();
  const server = createHttpServer({
    headerTimeoutMs: config.headerTimeoutMs,
    routes: {
      ...managementRoutes(gateway, auth, cluster),
      ...tradingRoutes(tradingService, auth),
      ...monitorRoutes(monitor, auth),
      'GET /api/v1/latency': (_request, response) =>
        sendJson(response, 200, {
          targetsMs: TRADING_EVENT_TARGETS_MS,
          events: latency.summary(),
        } satisfies LatencyReport),
      ...marketRoutes(registry, feed, snapshot),
      ...engines.routes(async (request, response, account) => {
        const principal = await authenticated(request, response, auth);
        if (principal === undefined) return false;
        if (principal.admin || principal.account === account) return true;
        sendError(response, 403, 'FORBIDDEN', `account ${principal.account} may not read account ${account}`);
        return false;
      }),
      ...dashboardRoutes(),
      // Liveness: the process runs and its event loop answers (a Kubernetes liveness probe).
      'GET /health/live': (_request, response) => sendJson(response, 200, { status: 'ok' }),
      // Readiness: every component ok, or 503 with the reasons (out of a load balancer's rotation).
      'GET /health/ready': (_request, response) => {
        const health = status.health();
        sendJson(response, health.status === 'ok' ? 200 : 503, health);
      },
      'GET /health': (_request, response) => {
        const health = status.health();
        sendJson(response, health.status === 'ok' ? 200 : 503, {
          ...health,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          workersAlive: pipeline.stats().workers.filter((worker) => worker.alive).length,
          bus: bus.health(),
        });
      },
      'GET /api/v1/stats': (_request, response) =>
        sendJson(response, 200, {
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          config: {
            bus: bus.health().url ?? 'memory',
            feed: config.feed,
            profile: config.profile,
            workers: pipeline.settings.workers,
            symbols: registry.size,
          },
          pipeline: pipeline.stats(),
          bus: { ...bus.stats(), ...bus.health(), remoteTicksUnadoptable: adopter.unadoptable },
          gateway: {
            connections: gateway.connectionCount,
            backlog: gateway.hub.backlogLength,
            sendBufferCap: sendBufferCap(),
            ...gateway.counters,
          },
        }),
      'GET /metrics': async (_request, response) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(await metrics.metrics());
      },
      'GET /api/v1/feeds': (_request, response) =>
        sendJson(response, 200, feed ? { feed: config.feed, ...feed.health() } : { feed: 'none' }),
    },
    onHandlerError: (error, route) => log.error({ err: error, route }, 'HTTP handler failed'),
  });
  gateway.attach(server);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(latencyTimer);
      monitor.stop();
      await tradingService.stop();
      await feed?.stop();
      await simulator?.close();
      demand.stop();
      await engines.stop();
      cluster.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close(SHUTDOWN_DEADLINE_MS);
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_DEADLINE_MS);
      await closed;
      clearTimeout(deadline);
      snapshot?.close();
      await pipeline.stop();
      await bus.close();
    })();
    return stopping;
  };

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // A port in use: release the feed, the workers and the broker connection, or the process stays.
    await stop();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  cluster.start(url);
  return {
    url,
    bus,
    pipeline,
    registry,
    gateway,
    trading: tradingService,
    simulatorUrl: simulator?.url,
    latency,
    monitor,
    stop,
  };
}

/**
 * A node id unique among the nodes sharing a broker, readable in logs and in /api/v1/cluster/nodes:
 * host name, port and a random suffix (two nodes on one host may both have asked for port 0).
 */
function newNodeId(port: number): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_-]/g, '-')
      .slice(0, 40) || 'node';
  return `${host}-${port}-${randomBytes(3).toString('hex')}`;
}
