/** The streaming indicators of the features engine and the names features are requested by. */
export { type FeatureRequest, INDICATORS, parseFeatureName, usage } from './catalog.ts';
export type {
  Indicator,
  IndicatorDefinition,
  IndicatorParam,
  IndicatorValue,
  MarketView,
  Quote,
} from './indicator.ts';
