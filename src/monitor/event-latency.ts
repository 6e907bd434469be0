import * as hdr from 'hdr-histogram-js';
import { Gauge, Histogram as PromHistogram } from 'prom-client';
import { wallClockMs } from '../wire/index.ts';
import type { LatencySummary } from './views.ts';

/** Largest latency recorded (µs); slower deliveries are recorded at this value. */
const MAX_US = 60_000_000;
/** Prometheus buckets (seconds): around the trading targets (10, 25, 50, 100 ms) and below. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/**
 * Delivery latency per event type, from the event's own time (`eventTime`, ms since the epoch: the
 * exchange's `E` for what it reported) to the moment the gateway writes it to its owner's socket,
 * in HDR histograms (3 significant digits, 1 µs to 60 s) and a Prometheus histogram
 * `tickwire_event_delivery_seconds{event_type}`. Only the event types given targets are recorded.
 */
export class EventLatency {
  private readonly histograms = new Map<string, hdr.Histogram>();
  /** The same deliveries since the last takeWindow(), for alert rules (a p99 since start never resolves). */
  private readonly window = new Map<string, hdr.Histogram>();
  /** For the node's Prometheus registry (`registry.registerMetric`). */
  readonly metric = new PromHistogram({
    name: 'tickwire_event_delivery_seconds',
    help: "Latency from a trading event's own time to its write on the owner's socket, by event type",
    labelNames: ['event_type'],
    buckets: BUCKETS,
    registers: [],
  });

  /** Each event type's target, so that a dashboard draws it next to the histogram's quantiles. */
  readonly targetMetric: Gauge;

  constructor(
    /** Target per event type, ms. */
    private readonly targetsMs: Readonly<Record<string, number>>,
  ) {
    this.targetMetric = new Gauge({
      name: 'tickwire_event_delivery_target_seconds',
      help: 'Delivery latency target of each trading event type',
      labelNames: ['event_type'],
      registers: [],
    });
    for (const [type, ms] of Object.entries(targetsMs))
      this.targetMetric.set({ event_type: type }, ms / 1000);
  }

  /** A message was written to a client: records it when it is an event type with a target. */
  delivered(payload: unknown): void {
    if (payload === null || typeof payload !== 'object') return;
    const { type, eventTime } = payload as { type?: unknown; eventTime?: unknown };
    if (typeof type !== 'string' || typeof eventTime !== 'number' || !(type in this.targetsMs)) return;
    this.record(type, (wallClockMs() - eventTime) * 1000);
  }

  record(type: string, latencyUs: number): void {
    const clamped = Math.min(MAX_US, Math.max(0, Math.round(latencyUs)));
    histogramOf(this.histograms, type).recordValue(clamped);
    histogramOf(this.window, type).recordValue(clamped);
    this.metric.observe({ event_type: type }, clamped / 1e6);
  }

  /** p99 and target (µs) per event type delivered since the previous call, which starts a new window. */
  takeWindow(): Record<string, { count: number; p99Us: number; targetUs: number }> {
    const result: Record<string, { count: number; p99Us: number; targetUs: number }> = {};
    for (const [type, histogram] of this.window) {
      if (histogram.totalCount === 0) continue;
      result[type] = {
        count: histogram.totalCount,
        p99Us: histogram.getValueAtPercentile(99),
        targetUs: this.targetsMs[type]! * 1000,
      };
      histogram.reset();
    }
    return result;
  }

  summary(): Record<string, LatencySummary> {
    const result: Record<string, LatencySummary> = {};
    for (const [type, histogram] of this.histograms) {
      const targetUs = this.targetsMs[type]! * 1000;
      // Deliveries at or under the target: the histogram's count up to it.
      const percentileAtTarget = histogram.totalCount === 0 ? 1 : withinTarget(histogram, targetUs);
      result[type] = {
        count: histogram.totalCount,
        p50Us: histogram.getValueAtPercentile(50),
        p90Us: histogram.getValueAtPercentile(90),
        p99Us: histogram.getValueAtPercentile(99),
        p999Us: histogram.getValueAtPercentile(99.9),
        maxUs: histogram.maxValue,
        targetUs,
        withinTarget: percentileAtTarget,
      };
    }
    return result;
  }
}

function histogramOf(histograms: Map<string, hdr.Histogram>, type: string): hdr.Histogram {
  let histogram = histograms.get(type);
  if (histogram === undefined) {
    histogram = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: MAX_US,
      numberOfSignificantValueDigits: 3,
    });
    histograms.set(type, histogram);
  }
  return histogram;
}

/** The share of a histogram's values at or below `limit`, by walking its recorded values. */
function withinTarget(histogram: hdr.Histogram, limit: number): number {
  // hdr-histogram-js has no rank query; a binary search over percentiles finds it to 0.01%.
  let low = 0;
  let high = 100;
  for (let i = 0; i < 20; i++) {
    const middle = (low + high) / 2;
    if (histogram.getValueAtPercentile(middle) <= limit) low = middle;
    else high = middle;
  }
  return Math.round(low * 100) / 10_000;
}
