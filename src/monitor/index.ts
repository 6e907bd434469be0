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
export { NodeMonitor, type NodeMonitorOptions } from './node-monitor.ts';
export { monitorRoutes } from './monitor-routes.ts';
export {
  ALERT_CATEGORIES,
  alertsConfigSchema,
  type AlertsConfig,
  DEFAULT_ALERT_RULES,
  SEVERITIES,
} from './alerts/alert-rules.ts';
export { ALERT_STATES, type Alert, type AlertState } from './alerts/alert-engine.ts';
export { READINGS, type ReadingName } from './node-readings.ts';
export type { HostSample } from './host-sampler.ts';
