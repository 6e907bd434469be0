import { TickwireError } from '../errors.ts';
import { AnalyticsEngine } from './analytics/analytics-engine.ts';
import { ANALYTICS_OPTIONS } from './analytics/analytics-options.ts';
import type { Engine } from './engine.ts';
import { configKeyOf, configShape, type EngineOptions, fromConfig } from './engine-options.ts';
import { FeaturesEngine } from './features/features-engine.ts';
import { FEATURES_OPTIONS } from './features/features-options.ts';
import type { EnginePartition } from './partition.ts';

/** Every engine the platform embeds and `tickwire engine <name>` / `tickwire up` run, by name. */
const ENGINES = {
  features: {
    options: FEATURES_OPTIONS,
    create: (config: Record<string, unknown>, partition?: EnginePartition) =>
      new FeaturesEngine(fromConfig('features', FEATURES_OPTIONS, config), partition),
  },
  analytics: {
    options: ANALYTICS_OPTIONS,
    create: (config: Record<string, unknown>, partition?: EnginePartition) =>
      new AnalyticsEngine(fromConfig('analytics', ANALYTICS_OPTIONS, config), partition),
  },
} satisfies Record<
  string,
  { options: EngineOptions; create(config: Record<string, unknown>, partition?: EnginePartition): Engine }
>;

export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

/** Every engine's options as the node's configuration keys, with their schemas (src/config composes them). */
export const ENGINE_CONFIG_SHAPE = {
  ...configShape('features', FEATURES_OPTIONS),
  ...configShape('analytics', ANALYTICS_OPTIONS),
};

/** The help text of each engine configuration key. */
export const ENGINE_CONFIG_HELP: Record<keyof typeof ENGINE_CONFIG_SHAPE, string> = Object.fromEntries(
  Object.entries(ENGINES).flatMap(([name, { options }]) =>
    Object.entries(options).map(([option, { help }]) => [configKeyOf(name, option), help]),
  ),
) as never;

/**
 * The engine `name`, its options read from the node's configuration (the others at their
 * defaults); with a partition, one instance of it scaled out (docs/ENGINES.md).
 */
export function createEngine(
  name: string,
  config: Readonly<Record<string, unknown>> = {},
  partition?: EnginePartition,
): Engine {
  const entry = (ENGINES as Record<string, (typeof ENGINES)[EngineName]>)[name];
  if (entry === undefined)
    throw new TickwireError('BAD_CONFIG', `no engine "${name}"; the engines are ${ENGINE_NAMES.join(', ')}`);
  return entry.create({ ...config }, partition);
}
