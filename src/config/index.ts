export { CONFIG_FILE_ENV, type ConfigSources, loadConfig } from './load.ts';
export {
  CONFIG_KEYS,
  type ConfigKey,
  configSchema,
  defaultText,
  FEED_KINDS,
  FILE_ONLY_KEYS,
  LOG_LEVELS,
  type TickwireConfig,
} from './schema.ts';
