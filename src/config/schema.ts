import { z } from 'zod';
import { brokerNames, parseBusSpec } from '../bus/index.ts';
import { BINANCE_STREAM_KINDS, BINANCE_URLS } from '../feeds/index.ts';
import { authConfigSchema, DEFAULT_ANONYMOUS_TOPICS, DEFAULT_HEADER_TIMEOUT_MS } from '../gateway/index.ts';
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SHAPE } from '../engines/index.ts';
import { alertsConfigSchema } from '../monitor/index.ts';
import { INPUT_POLICIES, PIPELINE_PROFILE_NAMES } from '../pipeline/index.ts';
import { symbolsOption } from '../simulator/index.ts';
import { tradingConfigSchema } from '../trading/index.ts';

/**
 * The one configuration schema. Flags, environment variables and the config file all feed it;
 * each key is documented in README.md ("Configuration"), and every key here is read by the code.
 * Later capabilities add their keys here, so that all three sources learn them at once.
 */

/**
 * Feeds: `sim` starts the Binance-compatible exchange simulator on loopback and reads it with the
 * Binance adapter under venue SIM; `binance` reads Binance (or any compatible URLs); `none` runs
 * no feed (a gateway node of a cluster).
 */
export const FEED_KINDS = ['sim', 'binance', 'none'] as const;
/**
 * Where the processing engines run: `embedded` in the node (on a node with a feed), `none` when
 * they run as processes of their own (`tickwire engine`, `tickwire up`; docs/ENGINES.md).
 */
export const ENGINE_PLACEMENTS = ['embedded', 'none'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

/** A refinement that runs a validator of the bus folder, which throws BAD_CONFIG saying what is wrong. */
const checkedBy =
  (validate: (text: string) => unknown) =>
  (text: string, context: z.RefinementCtx): void => {
    try {
      validate(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^BAD_CONFIG: /, '') });
    }
  };

/** Topic patterns, checked against the grammar when the gateway starts. */
const patterns = list(z.string().min(1));

/** Every key with its schema: its type, its default and its rules, written once. */
const configShape = {
  host: z.string().min(1).default('127.0.0.1'),
  port: integer(0, 65_535).default(8001),
  bus: z.string().trim().default('memory').superRefine(checkedBy(parseBusSpec)),
  busPrefix: z.string().default('tickwire').superRefine(checkedBy(brokerNames)),
  feed: z.enum(FEED_KINDS, { error: () => `must be one of: ${FEED_KINDS.join(', ')}` }).default('sim'),
  engines: z
    .enum(ENGINE_PLACEMENTS, { error: () => `must be one of: ${ENGINE_PLACEMENTS.join(', ')}` })
    .default('embedded'),
  symbols: symbolsOption.default(100),
  feedStreams: list(z.enum(BINANCE_STREAM_KINDS)).default(['trade', 'bookTicker', 'depth']),
  simPort: integer(0, 65_535).default(0),
  simRate: integer(1, 10_000_000).default(5_000),
  simSeed: integer(0, 2 ** 31 - 1).default(1),
  binanceRestUrl: z.url({ protocol: /^https?$/ }).default(BINANCE_URLS.restUrl),
  binanceWsUrl: z.url({ protocol: /^wss?$/ }).default(BINANCE_URLS.wsUrl),

  // Pipeline (docs/PIPELINE.md): a profile, and single settings that override it.
  profile: z.enum(PIPELINE_PROFILE_NAMES).default('throughput'),
  workers: integer(0, 64).optional(),
  ringCapacity: integer(2, 2 ** 30)
    .refine((slots) => (slots & (slots - 1)) === 0, 'must be a power of two')
    .optional(),
  inputPolicy: z.enum(INPUT_POLICIES).optional(),
  staleAfterMs: integer(100, 86_400_000).default(10_000),
  spikeStdDevs: z.coerce.number().min(1).max(1_000).default(8),
  logLevel: z.enum(LOG_LEVELS).default('info'),

  // WebSocket gateway: limits (docs/PROTOCOL.md, "Limits").
  maxConnections: integer(1, 1_000_000).default(20_000),
  maxConnectionsPerAddress: integer(1, 1_000_000).default(1_000),
  headerTimeoutMs: integer(100, 120_000).default(DEFAULT_HEADER_TIMEOUT_MS),
  maxSubscriptions: integer(1, 100_000).default(1_000),
  maxFrameBytes: integer(256, 16 * 1024 * 1024).default(64 * 1024),
  inboundRate: integer(1, 1_000_000).default(100),
  inboundBurst: integer(1, 1_000_000).default(200),
  floodLimit: integer(1, 1_000_000).default(100),
  conflateAfterBytes: integer(1_024, 1 << 30).default(64 * 1024),
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
  anonymousTopics: patterns.default([...DEFAULT_ANONYMOUS_TOPICS]),
  /** API keys and JWT verification: only in the config file (see docs). */
  auth: authConfigSchema.omit({ anonymous: true }).prefault({}),

  // Trading (docs/TRADING.md): where its state is kept, and (config file only) its accounts.
  db: z
    .string()
    .min(1)
    .default('data/tickwire.db')
    .refine(
      (db) => !/^[a-z]+:\/\//.test(db) || /^postgres(ql)?:\/\//.test(db),
      'must be a file path or a postgres:// URL',
    ),
  trading: tradingConfigSchema.prefault({}),

  // Monitoring (docs/MONITORING.md): the sampling interval and (config file only) alert rules.
  monitorIntervalMs: integer(100, 60_000).default(1_000),
  alerts: alertsConfigSchema.prefault({}),

  // Processing engines (docs/ENGINES.md): each engine's own options, written in its folder.
  ...ENGINE_CONFIG_SHAPE,
};

export const configSchema = z
  .object(configShape)
  .strict()
  .refine((config) => config.idleTimeoutMs > config.pingIntervalMs, {
    path: ['idleTimeoutMs'],
    message: 'must be longer than pingIntervalMs, or every connection would time out between pings',
  });

export type TickwireConfig = z.output<typeof configSchema>;
export type ConfigKey = keyof TickwireConfig;

/** Keys only the config file can set: structured values that flags and variables cannot carry well. */
export const FILE_ONLY_KEYS = ['auth', 'trading', 'alerts'] as const satisfies readonly ConfigKey[];

/** How each key is spelled in each source. */
export const CONFIG_KEYS: Record<
  Exclude<ConfigKey, (typeof FILE_ONLY_KEYS)[number]>,
  { flag: string; env: string; help: string }
> = {
  host: key('host', 'address the HTTP/WebSocket server binds'),
  port: key('port', 'port of the HTTP/WebSocket server (0: any free port)'),
  bus: key('bus', 'message bus: memory, redis://host:port or nats://host:port'),
  busPrefix: key('bus-prefix', 'prefix of every broker channel or subject'),
  feed: key('feed', 'market-data feed: sim (the built-in exchange simulator), binance or none'),
  ...engineKeys(),
  engines: key(
    'engines',
    'where the processing engines run: embedded (in a node with a feed) or none (they run as their own processes)',
  ),
  symbols: key(
    'symbols',
    'how many symbols (simulated: BTCUSDT and ETHUSDT first) or a comma-separated list',
  ),
  feedStreams: key('feed-streams', 'Binance streams per symbol'),
  simPort: key('sim-port', 'port of the built-in exchange simulator (0: any free port)'),
  simRate: key('sim-rate', 'market events per second the simulator generates'),
  simSeed: key('sim-seed', 'seed of the simulated market: the same seed replays the same prices'),
  binanceRestUrl: key('binance-rest-url', 'REST base URL of --feed binance'),
  binanceWsUrl: key('binance-ws-url', 'WebSocket base URL of --feed binance'),
  profile: key('profile', 'pipeline profile: throughput, latency or symbols'),
  workers: key('workers', "pipeline worker threads, 0 = inline on the main thread (default: the profile's)"),
  ringCapacity: key('ring-capacity', "slots per pipeline ring, a power of two (default: the profile's)"),
  inputPolicy: key(
    'input-policy',
    "market data when a worker's ring is full: conflate, drop-oldest or drop-newest (default: the profile's)",
  ),
  staleAfterMs: key('stale-after-ms', 'a symbol silent this long is flagged stale'),
  spikeStdDevs: key('spike-std-devs', 'a price move beyond this many standard deviations is a spike'),
  logLevel: key('log-level', `log level: ${LOG_LEVELS.join(', ')}`),
  maxConnections: key('max-connections', 'WebSocket connections per node'),
  maxConnectionsPerAddress: key(
    'max-connections-per-address',
    'connections per remote address, counted from accept',
  ),
  headerTimeoutMs: key(
    'header-timeout-ms',
    'a connection must send its request head within this long, or is closed',
  ),
  maxSubscriptions: key('max-subscriptions', 'subscriptions per connection'),
  maxFrameBytes: key('max-frame-bytes', 'largest inbound frame answered normally'),
  inboundRate: key('inbound-rate', 'inbound messages per second per connection'),
  inboundBurst: key('inbound-burst', 'inbound burst per connection'),
  floodLimit: key('flood-limit', 'rate-limited messages in a row before the connection is closed'),
  conflateAfterBytes: key(
    'conflate-after-bytes',
    'buffered bytes after which market data is conflated per topic',
  ),
  maxBufferedBytes: key(
    'max-buffered-bytes',
    'outbound byte budget; past it a priority message disconnects the client',
  ),
  pingIntervalMs: key('ping-interval-ms', 'server ping interval'),
  idleTimeoutMs: key('idle-timeout-ms', 'close a connection silent for this long'),
  compressionThreshold: key(
    'compression-threshold',
    'per-message deflate for clients that offer it, for messages of at least this many bytes (0: off)',
  ),
  allowedOrigins: key(
    'allowed-origins',
    'comma-separated browser origins allowed to connect; none allows any',
  ),
  recoverableTopics: key('recoverable-topics', 'comma-separated patterns kept for recovery'),
  historySize: key('history-size', 'messages kept per recoverable topic'),
  historyTtlMs: key('history-ttl-ms', 'how long recoverable messages are kept'),
  adminKey: key('admin-key', 'an API key with admin rights, for account "admin"'),
  monitorIntervalMs: key(
    'monitor-interval-ms',
    'how often host and process metrics are sampled and alert rules evaluated',
  ),
  db: key('db', 'trading state: a SQLite file, or a postgres:// URL shared by nodes'),
  anonymousTopics: key('anonymous-topics', 'comma-separated patterns anonymous connections may subscribe to'),
};

/**
 * The engines' keys: flag and variable from the key (`featuresBars`: `--features-bars`,
 * `TICKWIRE_FEATURES_BARS`), help text from the engine.
 */
function engineKeys(): Record<keyof typeof ENGINE_CONFIG_SHAPE, { flag: string; env: string; help: string }> {
  return Object.fromEntries(
    Object.keys(ENGINE_CONFIG_SHAPE).map((name) => [
      name,
      key(kebab(name), ENGINE_CONFIG_HELP[name as keyof typeof ENGINE_CONFIG_SHAPE]),
    ]),
  ) as never;
}

/**
 * A key's default as `tickwire help` and README's table write it, read from its schema (so that it
 * is written once); undefined for a key without one (derived elsewhere, or unset).
 */
export function configDefault(key: ConfigKey): string | undefined {
  return defaultText(configShape[key] as z.ZodType);
}

/** A schema's default as the help text and README write it; undefined without one. */
function defaultText(schema: z.ZodType): string | undefined {
  const parsed = schema.safeParse(undefined);
  if (!parsed.success || parsed.data === undefined) return undefined;
  return Array.isArray(parsed.data) ? parsed.data.join(',') || 'none' : String(parsed.data);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The flag `--name` and the variable `TICKWIRE_NAME` of a key. */
function key(name: string, help: string): { flag: string; env: string; help: string } {
  return { flag: `--${name}`, env: `TICKWIRE_${name.toUpperCase().replaceAll('-', '_')}`, help };
}
