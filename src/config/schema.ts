import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BUS_KINDS } from '../bus/index.ts';
import { authConfigSchema } from '../gateway/auth.ts';

/**
 * The one configuration schema. Flags, environment variables and the config file all feed it;
 * each key is documented in README.md ("Configuration"), and every key here is read by the code.
 * Later capabilities add their keys here, so that all three sources learn them at once.
 */

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

/** A list from the config file (array) or from a flag or the environment (comma-separated). */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry.length > 0)
        : value,
    z.array(item),
  );

/** Topic patterns, checked against the grammar when the gateway starts. */
const patterns = list(z.string().min(1));

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

    // WebSocket gateway: limits (docs/PROTOCOL.md, "Limits").
    maxConnections: integer(1, 1_000_000).default(20_000),
    maxConnectionsPerAddress: integer(1, 1_000_000).default(1_000),
    maxSubscriptions: integer(1, 100_000).default(1_000),
    maxFrameBytes: integer(256, 16 * 1024 * 1024).default(64 * 1024),
    inboundRate: integer(1, 1_000_000).default(100),
    inboundBurst: integer(1, 1_000_000).default(200),
    floodLimit: integer(1, 1_000_000).default(100),
    conflateAfterBytes: integer(1_024, 1 << 30).default(256 * 1024),
    maxBufferedBytes: integer(4_096, 1 << 30).default(8 * 1024 * 1024),
    pingIntervalMs: integer(100, 3_600_000).default(25_000),
    idleTimeoutMs: integer(200, 7_200_000).default(60_000),
    allowedOrigins: list(z.string().min(1)).default([]),
    compressionThreshold: integer(0, 1 << 30).default(0),

    // Recovery (docs/PROTOCOL.md, "Recovery").
    recoverableTopics: patterns.default(['orders.>', 'fills.>', 'bots.>', 'alerts.>']),
    historySize: integer(1, 1_000_000).default(1_000),
    historyTtlMs: integer(1_000, 7 * 24 * 3_600_000).default(5 * 60_000),

    // Access (docs/PROTOCOL.md, "Authentication and permissions").
    adminKey: z.string().min(16, 'must be at least 16 characters').optional(),
    anonymousTopics: patterns.default(['md.>']),
    /** API keys and JWT verification: only in the config file (see docs). */
    auth: authConfigSchema.omit({ anonymous: true }).prefault({}),
  })
  .strict()
  .refine((config) => config.idleTimeoutMs > config.pingIntervalMs, {
    path: ['idleTimeoutMs'],
    message: 'must be longer than pingIntervalMs, or every connection would time out between pings',
  });

export type TickwireConfig = z.output<typeof configSchema>;
export type ConfigKey = keyof TickwireConfig;

/**
 * One worker per core beyond the one the main thread's socket I/O uses, and at least one:
 * on this 2-core machine that is one worker.
 */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Keys only the config file can set: structured values that flags and variables cannot carry well. */
export const FILE_ONLY_KEYS = ['auth'] as const satisfies readonly ConfigKey[];

/** How each key is spelled in each source. */
export const CONFIG_KEYS: Record<
  Exclude<ConfigKey, (typeof FILE_ONLY_KEYS)[number]>,
  { flag: string; env: string; help: string }
> = {
  host: key('host', 'address the HTTP/WebSocket server binds (default 127.0.0.1)'),
  port: key('port', 'port of the HTTP/WebSocket server (default 8001; 0 = any free port)'),
  bus: key('bus', 'message bus: memory (default)'),
  feed: key('feed', 'market-data feed: sim (default, built-in simulator) or none'),
  symbols: key(
    'symbols',
    'how many simulated symbols (default 100, BTCUSDT and ETHUSDT first) or a comma-separated list',
  ),
  workers: key('workers', 'pipeline worker threads (default: cores - 1, at least 1)'),
  logLevel: key('log-level', `log level: ${LOG_LEVELS.join(', ')} (default info)`),
  maxConnections: key('max-connections', 'WebSocket connections per node (default 20000)'),
  maxConnectionsPerAddress: key(
    'max-connections-per-address',
    'WebSocket connections per remote address (default 1000)',
  ),
  maxSubscriptions: key('max-subscriptions', 'subscriptions per connection (default 1000)'),
  maxFrameBytes: key('max-frame-bytes', 'largest inbound frame answered normally (default 65536)'),
  inboundRate: key('inbound-rate', 'inbound messages per second per connection (default 100)'),
  inboundBurst: key('inbound-burst', 'inbound burst per connection (default 200)'),
  floodLimit: key(
    'flood-limit',
    'rate-limited messages in a row before the connection is closed (default 100)',
  ),
  conflateAfterBytes: key(
    'conflate-after-bytes',
    'buffered bytes after which market data is conflated per topic (default 262144)',
  ),
  maxBufferedBytes: key(
    'max-buffered-bytes',
    'outbound byte budget; past it a priority message disconnects the client (default 8388608)',
  ),
  pingIntervalMs: key('ping-interval-ms', 'server ping interval (default 25000)'),
  idleTimeoutMs: key('idle-timeout-ms', 'close a connection silent for this long (default 60000)'),
  compressionThreshold: key(
    'compression-threshold',
    'per-message deflate for clients that offer it, for messages of at least this many bytes (default 0: off)',
  ),
  allowedOrigins: key('allowed-origins', 'comma-separated browser origins allowed to connect (default: any)'),
  recoverableTopics: key(
    'recoverable-topics',
    'comma-separated patterns kept for recovery (default orders.>,fills.>,bots.>,alerts.>)',
  ),
  historySize: key('history-size', 'messages kept per recoverable topic (default 1000)'),
  historyTtlMs: key('history-ttl-ms', 'how long recoverable messages are kept (default 300000)'),
  adminKey: key('admin-key', 'an API key with admin rights, for account "admin"'),
  anonymousTopics: key(
    'anonymous-topics',
    'comma-separated patterns anonymous connections may subscribe to (default md.>)',
  ),
};

/** The flag `--name` and the variable `TICKWIRE_NAME` of a key. */
function key(name: string, help: string): { flag: string; env: string; help: string } {
  return { flag: `--${name}`, env: `TICKWIRE_${name.toUpperCase().replaceAll('-', '_')}`, help };
}
