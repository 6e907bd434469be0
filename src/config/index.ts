export { CONFIG_FILE_ENV, type ConfigSources, loadConfig } from './load.ts';
export {
  CONFIG_KEYS,
  type ConfigKey,
  configDefault,
  configSchema,
  FEED_KINDS,
  FILE_ONLY_KEYS,
  LOG_LEVELS,
  type TickwireConfig,
} from './schema.ts';
