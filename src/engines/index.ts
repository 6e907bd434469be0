/**
 * Processing engines on the bus (docs/ENGINES.md): the engine interface, the host that runs them
 * embedded, how engines learn what clients subscribe to, and the features engine (docs/FEATURES.md).
 */
export { type AccountAccess, type Engine, type EngineHealth, OPERATOR_ACCESS } from './engine.ts';
export {
  EngineHost,
  type EngineHostOptions,
  type EngineStatus,
  type EngineStatusMessage,
  STATUS_EVERY_MS,
  STATUS_LAPSE_MS,
} from './engine-host.ts';
export {
  createEngine,
  ENGINE_CONFIG_HELP,
  ENGINE_CONFIG_SHAPE,
  ENGINE_NAMES,
  type EngineName,
} from './engine-catalog.ts';
export { type EngineOption, type EngineOptions } from './engine-options.ts';
export { type EngineServer, serveEngine } from './engine-server.ts';
export { type ProcessSpec, type SupervisedProcess, Supervisor } from './supervisor.ts';
export {
  ANALYTICS_ENGINE_DEFAULTS,
  AnalyticsEngine,
  type AnalyticsEngineOptions,
  type AnalyticsEngineStats,
} from './analytics/analytics-engine.ts';
export { type AnalyticsStatistics, type MarkEvent, recompute, replay } from './analytics/analytics-book.ts';
export type { AnalyticsSnapshot, EquityPoint, PnlFigures } from './analytics/account-ledger.ts';
export { type PerformanceStatistics, summarize, summarizeTrades } from './analytics/statistics.ts';
export { EnginePartition } from './partition.ts';
export { DemandAnnouncer, type DemandMessage, DemandTracker } from './demand.ts';
export {
  type BarMessage,
  type FeatureMessage,
  FEATURES_ENGINE_DEFAULTS,
  FeaturesEngine,
  type FeaturesEngineOptions,
} from './features/features-engine.ts';
export { type Aggressor, type Bar, BarBuilder, MAX_FLAT_BARS } from './features/bar-builder.ts';
export { barSpecName, type BarSpec, parseBarSpec } from './features/bar-spec.ts';
export {
  type FeatureRequest,
  INDICATORS,
  type IndicatorDefinition,
  type IndicatorValue,
  parseFeatureName,
} from './features/indicators/index.ts';
