/**
 * Processing engines on the bus (docs/ENGINES.md): the engine interface, the host that runs them
 * embedded, how engines learn what clients subscribe to, and the features engine (docs/FEATURES.md).
 */
export type { Engine, EngineHealth } from './engine.ts';
export {
  EngineHost,
  type EngineHostOptions,
  type EngineStatus,
  type EngineStatusMessage,
  STATUS_EVERY_MS,
  STATUS_LAPSE_MS,
} from './engine-host.ts';
export { createEngine, ENGINE_NAMES, type EngineName } from './engine-catalog.ts';
export { type EngineServer, serveEngine } from './engine-server.ts';
export { type ProcessSpec, type SupervisedProcess, Supervisor } from './supervisor.ts';
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
