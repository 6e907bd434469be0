import { availableParallelism } from 'node:os';
import { z } from 'zod';

/**
 * The one configuration schema. Flags, environment variables and the config file all feed it;
 * each key is documented in README.md ("Configuration"), and every key here is read by the code.
 * Later capabilities add their keys here, so that all three sources learn them at once.
 */

/** Bus implementations available in this build. Redis and NATS URLs arrive with the scale-out work. */
export const BUS_KINDS = ['memory'] as const;
/** Feeds available in this build. */
export const FEED_KINDS = ['sim', 'none'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Upper bound on simulated symbols: the simulator's documented range. */
export const MAX_SIMULATED_SYMBOLS = 100_000;

const SYMBOL_NAME = /^[A-Z0-9]{1,32}$/;

/**
 * `--symbols 100` simulates 100 symbols (BTCUSDT and ETHUSDT first); `--symbols BTCUSDT,ETHUSDT`
 * names them. Environment variables and flags arrive as strings, the config file as a number or array.
 */
const symbolsSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    const text = value.trim();
    if (/^\d+$/.test(text)) return Number(text);
    return text
      .split(',')
      .map((name) => name.trim().toUpperCase())
      .filter((name) => name.length > 0);
  },
  z.union([
    z.number().int().min(1).max(MAX_SIMULATED_SYMBOLS),
    z
      .array(z.string().regex(SYMBOL_NAME, 'symbol names are 1-32 characters A-Z and 0-9'))
      .min(1)
      .max(MAX_SIMULATED_SYMBOLS)
      .refine((names) => new Set(names).size === names.length, 'symbol names must not repeat'),
  ]),
);

/** Strings from flags and environment become numbers; a number from the config file passes as is. */
const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: integer(0, 65_535).default(8001),
    bus: z
      .enum(BUS_KINDS, {
        error: () =>
          `must be one of: ${BUS_KINDS.join(', ')} (Redis and NATS buses are not in this build yet)`,
      })
      .default('memory'),
    feed: z
      .enum(FEED_KINDS, {
        error: () =>
          `must be one of: ${FEED_KINDS.join(', ')} (the Binance adapter is not in this build yet)`,
      })
      .default('sim'),
    symbols: symbolsSchema.default(100),
    workers: integer(1, 64).default(defaultWorkers()),
    logLevel: z.enum(LOG_LEVELS).default('info'),
  })
  .strict();

export type TickwireConfig = z.output<typeof configSchema>;
export type ConfigKey = keyof TickwireConfig;

/**
 * One worker per core beyond the one the main thread's socket I/O uses, and at least one:
 * on this 2-core machine that is one worker.
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** How each key is spelled in each source. */
export const CONFIG_KEYS: Record<ConfigKey, { flag: string; env: string; help: string }> = {
  host: {
    flag: '--host',
    env: 'TICKWIRE_HOST',
    help: 'address the HTTP/WebSocket server binds (default 127.0.0.1)',
  },
  port: {
    flag: '--port',
    env: 'TICKWIRE_PORT',
    help: 'port of the HTTP/WebSocket server (default 8001; 0 = any free port)',
  },
  bus: { flag: '--bus', env: 'TICKWIRE_BUS', help: 'message bus: memory (default)' },
  feed: {
    flag: '--feed',
    env: 'TICKWIRE_FEED',
    help: 'market-data feed: sim (default, built-in simulator) or none',
  },
  symbols: {
    flag: '--symbols',
    env: 'TICKWIRE_SYMBOLS',
    help: 'how many simulated symbols (default 100, BTCUSDT and ETHUSDT first) or a comma-separated list',
  },
  workers: {
    flag: '--workers',
    env: 'TICKWIRE_WORKERS',
    help: 'pipeline worker threads (default: cores - 1, at least 1)',
  },
  logLevel: {
    flag: '--log-level',
    env: 'TICKWIRE_LOG_LEVEL',
    help: `log level: ${LOG_LEVELS.join(', ')} (default info)`,
  },
};
