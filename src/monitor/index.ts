export { createMetricsRegistry, type MetricSources } from './prometheus.ts';
export { EventLatency, type LatencySummary } from './event-latency.ts';
export {
  assessHealth,
  type ComponentHealth,
  HEALTH_STATUSES,
  type HealthReadings,
  type HealthStatus,
  type NodeHealth,
} from './health.ts';
