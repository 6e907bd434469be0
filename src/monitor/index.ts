export { createMetricsRegistry, type MetricSources } from './prometheus.ts';
export { EventLatency, type LatencySummary } from './event-latency.ts';
