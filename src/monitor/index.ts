export { createMetricsRegistry, type MetricSources } from './prometheus.ts';
export { createEngineMetricsRegistry, type EngineReading } from './engine-metrics.ts';
export { EventLatency } from './event-latency.ts';
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
export { alertsConfigSchema, type AlertsConfig, DEFAULT_ALERT_RULES } from './alerts/alert-rules.ts';
export { READINGS, type ReadingName } from './node-readings.ts';
export * from './views.ts';
