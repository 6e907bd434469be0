export { CONFIG_FILE_ENV, type ConfigSources, loadConfig } from './load.ts';
export {
  BUS_KINDS,
  CONFIG_KEYS,
  type ConfigKey,
  configSchema,
  defaultWorkers,
  FEED_KINDS,
  LOG_LEVELS,
  type TickwireConfig,
} from './schema.ts';
