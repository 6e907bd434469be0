import type { AddressInfo } from 'node:net';
import type { MessageBus } from '../bus/index.ts';
import { createHttpServer, sendJson } from '../gateway/index.ts';
import { createEngineMetricsRegistry } from '../monitor/index.ts';
import { type Engine, OPERATOR_ACCESS } from './engine.ts';
import { EngineHost } from './engine-host.ts';

export interface EngineServerOptions {
  engine: Engine;
  bus: MessageBus;
  /** The instance name; default the engine's name. */
  instance?: string;
  /** Default the engine's own (the original platform's) port; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Restarts so far (what `tickwire up` passes on). */
  restarts?: number;
}

export interface EngineServer {
  readonly url: string;
  readonly host: EngineHost;
  stop(): Promise<void>;
}

/**
 * One engine alone in its process (`tickwire engine <name>`): on its bus, with its own HTTP server
 * serving `/health` (the original engines' fields: `status`, `messagebus_connected`, uptime, last
 * message age), `/metrics` (Prometheus) and the engine's REST routes.
 */
export async function serveEngine(options: EngineServerOptions): Promise<EngineServer> {
  const { engine, bus } = options;
  const instance = options.instance ?? engine.name;
  let port = options.port ?? engine.port;
  const host = new EngineHost([engine], {
    instanceOf: () => instance,
    portOf: () => port,
    restarts: options.restarts ?? 0,
  });
  const metrics = createEngineMetricsRegistry({ bus, engines: () => host.local() });
  const server = createHttpServer({
    routes: {
      ...host.routes(OPERATOR_ACCESS),
      'GET /health': (_request, response) => {
        const [status] = host.local();
        sendJson(response, status!.status === 'down' ? 503 : 200, {
          engine: engine.name,
          instance,
          status: status!.status,
          messagebus_connected: status!.messagebusConnected,
          uptime_seconds: status!.uptimeSeconds,
          last_message_age_ms: status!.lastMessageAgeMs,
          restarts: status!.restarts,
          ...(status!.reason === undefined ? {} : { reason: status!.reason }),
        });
      },
      'GET /metrics': async (_request, response) => {
        response.writeHead(200, { 'content-type': metrics.contentType });
        response.end(await metrics.metrics());
      },
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, options.host ?? '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  await host.start(bus);
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    host,
    async stop() {
      await host.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
