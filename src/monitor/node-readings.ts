import type { MessageBus } from '../bus/index.ts';
import type { BinanceFeedHealth } from '../feeds/index.ts';
import type { Gateway } from '../gateway/index.ts';
import type { TickPipeline } from '../pipeline/index.ts';
import type { EventLatency } from './event-latency.ts';
import type { HostSample } from './host/samples.ts';

/**
 * The named figures alert rules read (docs/MONITORING.md, "Readings"). Rates and ratios are over
 * the interval since the previous reading; a reading with nothing to say (no fills delivered, no
 * feed) is left out, and a rule reading it is not active.
 */
export const READINGS = {
  'trading.fill_latency_p99_ms': 'p99 of fill delivery latency over the interval, ms',
  'trading.latency_target_ratio':
    'the largest p99 ÷ target over the trading event types delivered in the interval',
  'trading.connections_down': 'trading accounts whose exchange connection is not live',
  'gateway.connections': 'open WebSocket connections',
  'gateway.deepest_queue': 'the most messages queued for one connection',
  'gateway.connection_failure_ratio': 'refused or unauthenticated connections ÷ attempts in the interval',
  'gateway.conflation_ratio': 'messages conflated ÷ messages delivered in the interval',
  'pipeline.drop_ratio': 'ticks dropped ÷ ticks offered in the interval',
  'pipeline.workers_down': 'pipeline workers not running',
  'pipeline.worker_restarts': 'pipeline workers restarted after a failure in the interval',
  'feed.last_message_age_seconds': 'the longest any feed connection has gone without a frame, s',
  'feed.stale_symbols': 'symbols silent for staleAfterMs',
  'feed.books_out_of_sync': 'order books resyncing or awaiting their first sync',
  'feed.book_gaps_per_minute': 'order-book sequence gaps per minute over the interval',
  'bus.connected': '1 while the bus reaches its broker (always 1 in memory), else 0',
  'process.event_loop_lag_p99_ms': "p99 of the main thread's event-loop lag over the interval, ms",
  'process.event_loop_lag_max_ms': "the longest the main thread's event loop was held in the interval, ms",
  'process.rss_bytes': 'resident memory of the process',
  'process.rss_growth_bytes_per_second': 'slope of resident memory over the last minute of samples',
  'process.fd_used_ratio': 'open file descriptors ÷ the soft limit',
  'host.cpu_utilization_percent': 'mean utilization of all cores',
  'host.memory_used_percent': 'host memory in use (total − available)',
  'host.cpu_throttle_events_per_second': 'CPU thermal throttle events per second',
} as const;
export type ReadingName = keyof typeof READINGS;
export const READING_NAMES: ReadonlySet<string> = new Set(Object.keys(READINGS));

export interface ReadingSources {
  bus: MessageBus;
  pipeline: TickPipeline;
  gateway: Gateway;
  latency: EventLatency;
  feed?: () => BinanceFeedHealth;
  trading: () => { account: string; state: string }[];
}

/** Samples kept for the memory-growth slope: a minute at the default 1 s interval. */
const GROWTH_SAMPLES = 60;

interface Counts {
  at: number;
  accepted: number;
  refused: number;
  delivered: number;
  conflated: number;
  ticksIn: number;
  dropped: number;
  restarts: number;
  bookGaps: number;
  throttleEvents: number;
}

/** Takes the readings of one node at each host sample. */
export class NodeReadings {
  private previous: Counts | undefined;
  private readonly rss: { at: number; bytes: number }[] = [];

  constructor(private readonly sources: ReadingSources) {}

  read(sample: HostSample): Partial<Record<ReadingName, number>> {
    const { bus, pipeline, gateway, latency } = this.sources;
    const readings: Partial<Record<ReadingName, number>> = {};
    const stats = pipeline.stats();
    const feed = this.sources.feed?.();
    const sum = (table: Record<string, number>) => Object.values(table).reduce((a, b) => a + b, 0);
    const counts: Counts = {
      at: sample.time,
      accepted: gateway.accepted,
      refused: sum(gateway.counters.rejected_upgrade) + (gateway.counters.closed.UNAUTHORIZED ?? 0),
      delivered: gateway.hub.delivered,
      conflated: sum(gateway.counters.conflated),
      ticksIn: stats.ticksIn,
      dropped: stats.droppedTotal,
      restarts: stats.restarts,
      bookGaps: feed?.books.gaps ?? 0,
      throttleEvents: sample.thermal.throttleEvents ?? 0,
    };
    const before = this.previous;
    this.previous = counts;
    const delta = (key: keyof Counts) => (before === undefined ? 0 : counts[key] - before[key]);
    const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : undefined);
    const set = (name: ReadingName, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) readings[name] = value;
    };

    const window = latency.takeWindow();
    const fills = window.order_fill_notification;
    set('trading.fill_latency_p99_ms', fills && fills.p99Us / 1000);
    const ratios = Object.values(window).map((event) => event.p99Us / event.targetUs);
    set('trading.latency_target_ratio', ratios.length === 0 ? undefined : Math.max(...ratios));
    set(
      'trading.connections_down',
      this.sources.trading().filter((account) => account.state !== 'live').length,
    );

    set('gateway.connections', gateway.connectionCount);
    set('gateway.deepest_queue', gateway.deepestQueue());
    set('gateway.connection_failure_ratio', ratio(delta('refused'), delta('refused') + delta('accepted')));
    set('gateway.conflation_ratio', ratio(delta('conflated'), delta('delivered')));
    set('pipeline.drop_ratio', ratio(delta('dropped'), delta('ticksIn')));
    set('pipeline.workers_down', stats.workersDown);
    set('pipeline.worker_restarts', delta('restarts'));

    if (feed !== undefined) {
      const ages = feed.connections
        .map((connection) => connection.lastMessageAgeMs)
        .filter((age) => age >= 0);
      set('feed.last_message_age_seconds', ages.length === 0 ? undefined : Math.max(...ages) / 1000);
      set('feed.books_out_of_sync', feed.books.books - feed.books.inSync);
      const minutes = before === undefined ? 0 : (counts.at - before.at) / 60_000;
      set('feed.book_gaps_per_minute', minutes > 0 ? delta('bookGaps') / minutes : undefined);
    }
    set('feed.stale_symbols', stats.stale.count);
    set('bus.connected', bus.health().state === 'connected' ? 1 : 0);

    const { process: processSample, cpu, memory } = sample;
    set('process.event_loop_lag_p99_ms', processSample.eventLoop.lagP99Ms);
    set('process.event_loop_lag_max_ms', processSample.eventLoop.lagMaxMs);
    set('process.rss_bytes', processSample.rssBytes);
    set('process.rss_growth_bytes_per_second', this.rssSlope(sample.time, processSample.rssBytes));
    set(
      'process.fd_used_ratio',
      processSample.fds ? processSample.fds.open / processSample.fds.limit : undefined,
    );
    set('host.cpu_utilization_percent', cpu.cores.length > 0 ? cpu.utilization : undefined);
    set('host.memory_used_percent', memory.usedPercent);
    const seconds = before === undefined ? 0 : (counts.at - before.at) / 1000;
    set(
      'host.cpu_throttle_events_per_second',
      sample.thermal.throttleEvents === null || seconds === 0 ? undefined : delta('throttleEvents') / seconds,
    );
    return readings;
  }

  /** Least-squares slope of RSS over the kept samples (bytes/s); undefined until the window is full. */
  private rssSlope(at: number, bytes: number): number | undefined {
    this.rss.push({ at, bytes });
    if (this.rss.length > GROWTH_SAMPLES) this.rss.shift();
    if (this.rss.length < GROWTH_SAMPLES) return undefined;
    const n = this.rss.length;
    const meanT = this.rss.reduce((s, p) => s + p.at, 0) / n;
    const meanB = this.rss.reduce((s, p) => s + p.bytes, 0) / n;
    let covariance = 0;
    let variance = 0;
    for (const point of this.rss) {
      covariance += (point.at - meanT) * (point.bytes - meanB);
      variance += (point.at - meanT) ** 2;
    }
    return variance === 0 ? undefined : (covariance / variance) * 1000;
  }
}
