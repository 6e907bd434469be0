/**
 * Processing engines on the bus (docs/ENGINES.md). So far: the bars the features engine will build
 * its indicators on (docs/FEATURES.md).
 */
export { type Bar, BarBuilder, MAX_FLAT_BARS } from './features/bar-builder.ts';
export { barSpecName, type BarSpec, parseBarSpec } from './features/bar-spec.ts';
