import { z } from 'zod';
import { checkedBy, type EngineOptions, integerOption, listOption } from '../engine-options.ts';
import { parseBarSpec } from './bar-spec.ts';
import { parseFeatureName } from './indicators/index.ts';

/** The features engine's options (configuration keys `featuresBars`, `featuresKeep`, `features`). */
export const FEATURES_OPTIONS = {
  bars: {
    schema: listOption(z.string().min(1).superRefine(checkedBy(parseBarSpec)))
      .refine((specs) => specs.length > 0, 'needs at least one bar spec')
      .default(['1s', '1m']),
    help: 'bar specs the features engine builds for every symbol; features run on the first unless they name another',
  },
  keep: {
    schema: integerOption(10, 100_000).default(1_000),
    help: 'bars kept per symbol and spec, for GET /api/v1/bars and to warm up a feature asked for late',
  },
  features: {
    schema: listOption(z.string().min(1).superRefine(checkedBy(parseFeatureName))).default([]),
    help: 'features computed on every symbol whether or not anyone subscribes (rsi-14, macd:1m…)',
  },
} satisfies EngineOptions;
