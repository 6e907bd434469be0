import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MessageBus } from '../bus/index.ts';
import type { Gateway } from '../gateway/index.ts';
import type { TickPipeline } from '../pipeline/index.ts';

export interface MetricSources {
  bus: MessageBus;
  pipeline: TickPipeline;
  gateway: Gateway;
}

/**
 * The Prometheus registry of one node, served at GET /metrics. Every figure is read from the
 * component's own counters when Prometheus scrapes (nothing is counted twice, nothing runs per
 * message here); counters by reason keep their labels to the fixed code tables. Node's process
 * metrics (CPU, memory, event-loop lag, GC) come from prom-client's defaults.
 */
export function createMetricsRegistry({ bus, pipeline, gateway }: MetricSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tickwire_' });

  /** A counter whose value is an absolute total read from a component at scrape time. */
  const total = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  /** A counter per reason, from a component's `{reason: count}` table. */
  const byReason = (name: string, help: string, label: string, read: () => Record<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, count] of Object.entries(read())) this.inc({ [label]: reason }, count);
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });

  gauge('tickwire_gateway_connections', 'Open WebSocket connections', () => gateway.connectionCount);
  total(
    'tickwire_gateway_deliveries_total',
    'Messages offered to connections after filters',
    () => gateway.hub.delivered,
  );
  total(
    'tickwire_gateway_filtered_total',
    'Messages a subscription filter held back',
    () => gateway.hub.filteredOut,
  );
  byReason(
    'tickwire_gateway_conflated_total',
    'Messages replaced by a newer one on their topic',
    'family',
    () => gateway.counters.conflated,
  );
  byReason(
    'tickwire_gateway_error_replies_total',
    'Error replies sent, by code',
    'code',
    () => gateway.counters.error_reply,
  );
  byReason(
    'tickwire_gateway_closes_total',
    'Connections closed by the server, by reason',
    'reason',
    () => gateway.counters.closed,
  );
  byReason(
    'tickwire_gateway_refused_upgrades_total',
    'WebSocket upgrades refused, by code',
    'code',
    () => gateway.counters.rejected_upgrade,
  );

  total(
    'tickwire_pipeline_ticks_in_total',
    'Ticks offered to the pipeline by feeds',
    () => pipeline.stats().ticksIn,
  );
  total(
    'tickwire_pipeline_ticks_published_total',
    'Ticks published on the bus',
    () => pipeline.stats().ticksPublished,
  );
  byReason('tickwire_pipeline_dropped_total', 'Ticks dropped, by reason', 'reason', () => ({
    ring_full: pipeline.stats().droppedRingFull,
  }));
  byReason('tickwire_pipeline_sequence_flags_total', 'Ticks flagged by sequence checks', 'flag', () => {
    const workers = pipeline.stats().workers;
    const sum = (pick: (worker: (typeof workers)[number]) => number) =>
      workers.reduce((n, w) => n + pick(w), 0);
    return {
      gap: sum((w) => w.gaps),
      out_of_order: sum((w) => w.outOfOrder),
      duplicate: sum((w) => w.duplicates),
    };
  });
  gauge(
    'tickwire_pipeline_workers_alive',
    'Pipeline worker threads running',
    () => pipeline.stats().workers.filter((worker) => worker.alive).length,
  );
  gauge(
    'tickwire_ring_utilization',
    'Used slots over capacity, all rings',
    () => pipeline.stats().ringUtilization,
  );

  total('tickwire_bus_published_total', 'Messages published on the bus', () => bus.stats().published);
  total('tickwire_bus_delivered_total', 'Handler calls made by the bus', () => bus.stats().delivered);
  total('tickwire_bus_handler_errors_total', 'Bus handlers that threw', () => bus.stats().handlerErrors);
  return registry;
}
