import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MessageBus } from '../bus/index.ts';

/** What the metrics read of an engine instance (the engines' EngineStatus has these fields). */
export interface EngineReading {
  name: string;
  instance: string;
  status: 'ok' | 'degraded' | 'down';
  messagebusConnected: boolean;
  lastMessageAgeMs: number | null;
  uptimeSeconds: number;
  restarts: number;
}

/**
 * The Prometheus registry of an engine running alone (`tickwire engine <name>`, GET /metrics): its
 * state, its bus's totals and Node's process metrics, read when Prometheus scrapes.
 */
export function createEngineMetricsRegistry(sources: {
  bus: MessageBus;
  engines: () => readonly EngineReading[];
}): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tickwire_' });
  for (const kind of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`tickwire_nodejs_active_${kind}_total`);
  const labelNames = ['engine', 'instance'];
  const perEngine = (name: string, help: string, read: (engine: EngineReading) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const engine of sources.engines()) {
          const value = read(engine);
          if (value !== null) this.set({ engine: engine.name, instance: engine.instance }, value);
        }
      },
    });
  perEngine('tickwire_engine_up', 'Whether the engine is ok (1) or degraded/down (0)', (engine) =>
    engine.status === 'ok' ? 1 : 0,
  );
  perEngine('tickwire_engine_messagebus_connected', "Whether the engine's bus is connected", (engine) =>
    engine.messagebusConnected ? 1 : 0,
  );
  perEngine('tickwire_engine_last_message_age_seconds', 'Since the engine read its last message', (engine) =>
    engine.lastMessageAgeMs === null ? null : engine.lastMessageAgeMs / 1000,
  );
  perEngine('tickwire_engine_uptime_seconds', 'Since the engine started', (engine) => engine.uptimeSeconds);
  new Counter({
    name: 'tickwire_engine_restarts_total',
    help: 'Times tickwire up restarted the engine after it died',
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const engine of sources.engines())
        this.inc({ engine: engine.name, instance: engine.instance }, engine.restarts);
    },
  });
  const busTotal = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  busTotal(
    'tickwire_bus_published_total',
    'Messages published on the bus',
    () => sources.bus.stats().published,
  );
  busTotal(
    'tickwire_bus_delivered_total',
    'Handler calls made by the bus',
    () => sources.bus.stats().delivered,
  );
  busTotal(
    'tickwire_bus_handler_errors_total',
    'Bus handlers that threw',
    () => sources.bus.stats().handlerErrors,
  );
  return registry;
}
