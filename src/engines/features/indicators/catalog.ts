import { TickwireError } from '../../../errors.ts';
import { BANDS } from './bands.ts';
import type { IndicatorDefinition } from './indicator.ts';
import { MICROSTRUCTURE } from './microstructure.ts';
import { MOMENTUM } from './momentum.ts';
import { MOVING_AVERAGES } from './moving-averages.ts';
import { TREND } from './trend.ts';
import { VOLATILITY } from './volatility.ts';
import { VOLUME } from './volume.ts';

/** Every indicator the features engine computes (docs/FEATURES.md lists them with formulas). */
export const INDICATORS: readonly IndicatorDefinition[] = [
  ...MOVING_AVERAGES,
  ...MOMENTUM,
  ...BANDS,
  ...TREND,
  ...VOLUME,
  ...VOLATILITY,
  ...MICROSTRUCTURE,
];

const BY_NAME = new Map(INDICATORS.map((definition) => [definition.name, definition]));

/** A feature as a topic names it: an indicator, its parameters, and the bars it runs on. */
export interface FeatureRequest {
  /** As written: the last segment of `features.<venue>.<symbol>.<name>`. */
  name: string;
  indicator: IndicatorDefinition;
  /** Every parameter, the omitted ones at their defaults. */
  params: number[];
  /** The bar spec it runs on; undefined: the engine's first. */
  spec: string | undefined;
}

/**
 * Reads a feature name: `<indicator>[-<param>…][:<bar spec>]`, a decimal point written `_`, the
 * trailing parameters optional (`rsi`, `rsi-14`, `bb-20-2_5:1m`, `macd-12-26-9:5m`). Throws
 * BAD_FEATURE saying what is wrong.
 */
export function parseFeatureName(name: string): FeatureRequest {
  const [body, spec, extra] = name.split(':');
  if (extra !== undefined || spec === '') throw bad(name, 'write at most one ":<bar spec>" at the end');
  const [indicatorName, ...written] = body!.split('-');
  const indicator = BY_NAME.get(indicatorName!);
  if (indicator === undefined)
    throw bad(
      name,
      `no indicator ${JSON.stringify(indicatorName)}; the catalog has ${[...BY_NAME.keys()].join(', ')}`,
    );
  if (written.length > indicator.params.length)
    throw bad(name, `${indicator.name} takes ${indicator.params.length} parameter(s): ${usage(indicator)}`);
  const params = indicator.params.map((param, index) => {
    const text = written[index];
    if (text === undefined) return param.default;
    const value = /^[0-9]+(_[0-9]+)?$/.test(text) ? Number(text.replace('_', '.')) : NaN;
    if (!(value >= param.min && value <= param.max) || (param.integer && !Number.isInteger(value)))
      throw bad(
        name,
        `${param.name} must be ${param.integer ? 'a whole number' : 'a number'} from ${param.min} to ${param.max} (a decimal point written _)`,
      );
    return value;
  });
  return { name, indicator, params, spec };
}

/** How to write an indicator's name with its parameters: `macd-<fast=12>-<slow=26>-<signal=9>`, `psar-<step=0_02>-<max=0_2>`. */
export function usage(indicator: IndicatorDefinition): string {
  return [
    indicator.name,
    ...indicator.params.map((param) => `<${param.name}=${String(param.default).replace('.', '_')}>`),
  ].join('-');
}

function bad(name: string, rule: string): TickwireError {
  return new TickwireError('BAD_FEATURE', `feature ${JSON.stringify(name)}: ${rule}`);
}
