/**
 * Processing engines on the bus (docs/ENGINES.md): the engine interface, the host that runs them
 * embedded, and the features engine (so far its bars, docs/FEATURES.md).
 */
export type { Engine, EngineHealth } from './engine.ts';
export { EngineHost, type EngineStatus } from './engine-host.ts';
export {
  type BarMessage,
  FEATURES_ENGINE_DEFAULTS,
  FeaturesEngine,
  type FeaturesEngineOptions,
} from './features/features-engine.ts';
export { type Bar, BarBuilder, MAX_FLAT_BARS } from './features/bar-builder.ts';
export { barSpecName, type BarSpec, parseBarSpec } from './features/bar-spec.ts';
