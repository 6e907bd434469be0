export { createMetricsRegistry, type MetricSources } from './prometheus.ts';
