import { TickwireError } from '../errors.ts';
import type { Engine } from './engine.ts';
import { AnalyticsEngine } from './analytics/analytics-engine.ts';
import { FeaturesEngine } from './features/features-engine.ts';

/** Every engine `tickwire engine <name>` and `tickwire up` can run, by name. */
export const ENGINE_FACTORIES = {
  features: () => new FeaturesEngine(),
  analytics: () => new AnalyticsEngine(),
} as const satisfies Record<string, () => Engine>;

export type EngineName = keyof typeof ENGINE_FACTORIES;
export const ENGINE_NAMES = Object.keys(ENGINE_FACTORIES) as EngineName[];

export function createEngine(name: string): Engine {
  const factory = (ENGINE_FACTORIES as Record<string, () => Engine>)[name];
  if (factory === undefined)
    throw new TickwireError('BAD_CONFIG', `no engine "${name}"; the engines are ${ENGINE_NAMES.join(', ')}`);
  return factory();
}
