import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { MessageBus } from '../bus/index.ts';
import type { BinanceFeedHealth } from '../feeds/index.ts';
import { type Gateway, LANES, sendBufferCap } from '../gateway/index.ts';
import type { TickPipeline } from '../pipeline/index.ts';

export interface MetricSources {
  bus: MessageBus;
  pipeline: TickPipeline;
  gateway: Gateway;
  /** The exchange feed's health, when the node runs one. */
  feed?: () => BinanceFeedHealth;
}

/**
 * The Prometheus registry of one node, served at GET /metrics. Every figure is read from the
 * component's own counters when Prometheus scrapes (nothing is counted twice, nothing runs per
 * message here); counters by reason keep their labels to the fixed code tables. Node's process
 * metrics (CPU, memory, event-loop lag, GC) come from prom-client's defaults.
 */
export function createMetricsRegistry(sources: MetricSources): Registry {
  const { gateway } = sources;
  // Each source's figures are assembled once per scrape, not once per metric that shows them.
  const pipelineStats = oncePerScrape(() => sources.pipeline.stats());
  const busStats = oncePerScrape(() => sources.bus.stats());
  const busHealth = oncePerScrape(() => sources.bus.health());
  const feed = sources.feed && oncePerScrape(sources.feed);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tickwire_' });
  // prom-client's totals of active handles, requests and resources are gauges named `_total`,
  // which Prometheus reserves for counters (promtool warns); the per-type gauges it also exports
  // (`tickwire_nodejs_active_handles{type}`…) sum to them.
  for (const kind of ['handles', 'requests', 'resources'])
    registry.removeSingleMetric(`tickwire_nodejs_active_${kind}_total`);

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
  /** A gauge per label value, from a component's `{value: figure}` table. */
  const gaugeBy = (name: string, help: string, label: string, read: () => Record<string, number>) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [value, figure] of Object.entries(read())) this.set({ [label]: value }, figure);
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
  gauge('tickwire_gateway_subscriptions', 'Subscriptions of the open connections', () =>
    gateway.subscriptionCount(),
  );
  total(
    'tickwire_gateway_messages_received_total',
    'Frames received from clients',
    () => gateway.traffic.received,
  );
  new Counter({
    name: 'tickwire_gateway_messages_sent_total',
    help: 'Messages written to clients, by lane and format (a binary frame of several ticks counts each tick)',
    labelNames: ['lane', 'format'],
    registers: [registry],
    collect() {
      this.reset();
      LANES.forEach((lane, index) => {
        this.inc({ lane, format: 'json' }, gateway.traffic.sent[index * 2]!);
        this.inc({ lane, format: 'binary' }, gateway.traffic.sent[index * 2 + 1]!);
      });
    },
  });
  gauge(
    'tickwire_gateway_send_buffer_capped',
    "1 when each connection's unsent kernel bytes are capped (TCP_NOTSENT_LOWAT), 0 when not",
    () => (sendBufferCap().available ? 1 : 0),
  );
  gauge(
    'tickwire_gateway_backlog',
    'Market-data messages (per bus pattern) waiting for their fan-out',
    () => gateway.hub.backlogLength,
  );
  total(
    'tickwire_gateway_slices_total',
    'Slices of fan-out work the gateway ran',
    () => gateway.scheduler.slices,
  );
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
    () => pipelineStats().ticksIn,
  );
  total(
    'tickwire_pipeline_ticks_published_total',
    'Ticks published on the bus',
    () => pipelineStats().ticksPublished,
  );
  byReason('tickwire_pipeline_dropped_total', 'Ticks dropped, by reason', 'reason', () => ({
    ...pipelineStats().dropped,
  }));
  byReason(
    'tickwire_pipeline_quality_total',
    'Ticks flagged by data-quality checks, by check',
    'check',
    () => ({
      ...pipelineStats().quality,
    }),
  );
  total(
    'tickwire_pipeline_worker_restarts_total',
    'Pipeline workers restarted',
    () => pipelineStats().restarts,
  );
  gauge(
    'tickwire_pipeline_stale_symbols',
    'Symbols with no update for staleAfterMs',
    () => pipelineStats().stale.count,
  );
  gauge(
    'tickwire_pipeline_peak_ticks_per_second',
    'Most ticks published in one second so far',
    () => pipelineStats().peakTicksPerSecond,
  );
  gauge(
    'tickwire_pipeline_workers_alive',
    'Pipeline worker threads running',
    () => pipelineStats().workers.filter((worker) => worker.alive).length,
  );
  gauge(
    'tickwire_pipeline_workers_down',
    'Pipeline workers not running (restarting or given up), the inline partition included',
    () => pipelineStats().workersDown,
  );
  gauge(
    'tickwire_ring_utilization',
    'Used slots over capacity, all rings',
    () => pipelineStats().ringUtilization,
  );

  total('tickwire_bus_published_total', 'Messages published on the bus', () => busStats().published);
  total('tickwire_bus_delivered_total', 'Handler calls made by the bus', () => busStats().delivered);
  total('tickwire_bus_handler_errors_total', 'Bus handlers that threw', () => busStats().handlerErrors);

  // The broker connection (docs/BUS.md, "Health"); the memory bus reports connected and zeros.
  gauge('tickwire_bus_connected', '1 while the bus reaches its broker, 0 otherwise', () =>
    busHealth().state === 'connected' ? 1 : 0,
  );
  total('tickwire_bus_reconnects_total', 'Reconnections to the broker', () => busHealth().reconnects);
  total('tickwire_bus_broker_in_total', 'Messages received from the broker', () => busHealth().messagesIn);
  total('tickwire_bus_broker_out_total', 'Messages written to the broker', () => busHealth().messagesOut);
  gauge(
    'tickwire_bus_pending_publishes',
    'Publishes waiting for the broker',
    () => busHealth().pendingPublishes,
  );
  total(
    'tickwire_bus_dropped_publishes_total',
    'Publishes dropped while the broker was unreachable and the buffer full',
    () => busHealth().droppedPublishes,
  );
  total('tickwire_bus_malformed_total', 'Broker messages skipped as malformed', () => busHealth().malformed);
  total('tickwire_bus_gaps_total', 'Sequence gaps seen on broker messages', () => busHealth().gaps);
  total('tickwire_bus_missed_total', 'Broker messages lost, from sequence gaps', () => busHealth().missed);
  gauge(
    'tickwire_bus_rtt_seconds',
    'Last measured round trip to the broker',
    () => (busHealth().rttMs ?? 0) / 1000,
  );
  if (feed !== undefined) feedMetrics(feed, { total, gaugeBy, gauge });
  return registry;
}

/**
 * `read`, called at most once per scrape. prom-client runs every metric's collect() in one
 * synchronous pass of registry.metrics(), so the value is kept until the next macrotask.
 */
function oncePerScrape<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) {
      value = read();
      setImmediate(() => {
        value = undefined;
      });
    }
    return value;
  };
}

type Makers = {
  total: (name: string, help: string, read: () => number) => unknown;
  gaugeBy: (name: string, help: string, label: string, read: () => Record<string, number>) => unknown;
  gauge: (name: string, help: string, read: () => number) => unknown;
};

/** The exchange feed (docs/FEEDS.md, "Health"): connections, streams, books, frames. */
function feedMetrics(feed: () => BinanceFeedHealth, { total, gaugeBy, gauge }: Makers): void {
  gaugeBy('tickwire_feed_connections', 'Exchange connections, by state', 'state', () => ({
    ...feed().totals.byState,
  }));
  gauge('tickwire_feed_streams', 'Exchange streams subscribed', () => feed().totals.streams);
  total('tickwire_feed_messages_total', 'Frames received from the exchange', () => feed().totals.messages);
  total('tickwire_feed_reconnects_total', 'Exchange reconnections', () => feed().totals.reconnects);
  total(
    'tickwire_feed_rotations_total',
    'Connections rotated before their lifetime cap',
    () => feed().totals.rotations,
  );
  gauge(
    'tickwire_feed_last_message_age_seconds',
    'Oldest last-frame age over live connections',
    () => feed().connections.reduce((oldest, c) => Math.max(oldest, c.lastMessageAgeMs), 0) / 1000,
  );
  gaugeBy('tickwire_feed_books', 'Local order books, by state', 'state', () => {
    const { inSync, resyncing, awaitingFirstDiff } = feed().books;
    return { in_sync: inSync, resyncing, awaiting_first_diff: awaitingFirstDiff };
  });
  total(
    'tickwire_feed_book_gaps_total',
    'Depth diffs that did not follow the previous one',
    () => feed().books.gaps,
  );
  total(
    'tickwire_feed_book_resyncs_total',
    'Order books resynced from a snapshot',
    () => feed().books.resyncs,
  );
  total(
    'tickwire_feed_book_snapshots_total',
    'Order book snapshots applied (first syncs and resyncs)',
    () => feed().books.snapshots,
  );
  gauge(
    'tickwire_feed_snapshots_pending',
    'Book snapshots queued, waiting to retry or being fetched',
    () => feed().rest.snapshotsQueued + feed().rest.snapshotsInFlight,
  );
  total(
    'tickwire_feed_malformed_total',
    'Exchange frames skipped as malformed',
    () => feed().mapper.malformed,
  );
}
