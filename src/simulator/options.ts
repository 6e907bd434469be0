import { z } from 'zod';
import { TickwireError } from '../errors.ts';
import { VENUES } from '../wire/index.ts';
import type { AccountSpec } from './accounts/accounts.ts';
import type { MarketEventSource } from './market/market-event-source.ts';
import {
  type RecordedMarketSourceOptions,
  resolveRecordedSourceOptions,
} from './market/recorded-source-options.ts';

/** Upper bound on simulated symbols (the same bound the platform's config uses). */
export const MAX_EXCHANGE_SYMBOLS = 100_000;

/**
 * Defaults: Binance Spot's documented stream limits (20 s pings, a minute to answer, 24 h
 * connections, 1024 streams and 5 incoming messages a second per connection) and a market of
 * 100 symbols led by BTCUSDT and ETHUSDT.
 */
export const EXCHANGE_SIMULATOR_DEFAULTS = {
  host: '127.0.0.1',
  port: 0,
  symbols: 100 as number | readonly string[],
  /** Market events (a top-of-book change, with or without a trade) per second over all symbols. */
  eventsPerSecond: 1_000,
  seed: 1,
  lifetimeMs: 24 * 3_600_000,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 60_000,
  maxStreamsPerConnection: 1_024,
  maxIncomingPerSecond: 5,
  /** How often due events are generated and written: shorter spreads them, longer costs less. */
  batchIntervalMs: 5,
  /** A connection whose socket holds more unsent bytes than this is closed (a slow consumer). */
  maxBufferedBytes: 64 * 1024 * 1024,
  /** REQUEST_WEIGHT per IP per minute (REST and the WebSocket API), as exchangeInfo lists it. */
  requestWeightPerMinute: 6_000,
  /** New orders per account per 10 seconds (ORDERS), as Binance's default. */
  ordersPer10Seconds: 100,
  /** How long a listenKey lives without a keepalive (Binance: 60 minutes). */
  listenKeyValidityMs: 3_600_000,
} as const;

export interface ExchangeSimulatorOptions {
  host?: string;
  port?: number;
  /** How many symbols (BTCUSDT and ETHUSDT first), or their names. */
  symbols?: number | readonly string[];
  eventsPerSecond?: number;
  seed?: number;
  lifetimeMs?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  maxStreamsPerConnection?: number;
  maxIncomingPerSecond?: number;
  batchIntervalMs?: number;
  maxBufferedBytes?: number;
  requestWeightPerMinute?: number;
  ordersPer10Seconds?: number;
  listenKeyValidityMs?: number;
  /**
   * Where market events come from. Default: seeded price processes over `symbols`. A replay of
   * recorded ticks plugs in here (see MarketEventSource); `symbols` and `seed` are then unused.
   * A source given here is started by its owner (RecordedMarketSource: `start()`).
   */
  source?: MarketEventSource;
  /**
   * Replay a recording instead (docs/SIMULATOR.md, "Replay"): the simulator opens a
   * RecordedMarketSource, lists the recording's symbols and starts the replay once it listens.
   * `symbols`, `seed` and `eventsPerSecond` are then unused.
   */
  replay?: RecordedMarketSourceOptions;
  /** Accounts created at start (docs/SIMULATOR.md, "Accounts"); more through `POST /sim/accounts`. */
  accounts?: readonly AccountSpec[];
}

export type ResolvedSimulatorOptions = Required<Omit<ExchangeSimulatorOptions, 'source' | 'replay'>> & {
  source: MarketEventSource | undefined;
  replay: RecordedMarketSourceOptions | undefined;
};

const SYMBOL_NAME = /^[A-Z0-9]{1,20}$/;

/** Spreads the defaults under the user's options and checks every invariant, naming the key. */
export function resolveSimulatorOptions(options: ExchangeSimulatorOptions = {}): ResolvedSimulatorOptions {
  const resolved = {
    ...EXCHANGE_SIMULATOR_DEFAULTS,
    source: undefined,
    replay: undefined,
    accounts: [],
    ...options,
  };
  const bad = (key: string, rule: string, value: unknown): never => {
    throw new TickwireError(
      'BAD_CONFIG',
      `exchange simulator option ${key} must be ${rule} (got ${JSON.stringify(value)})`,
    );
  };
  const integer = (key: keyof typeof EXCHANGE_SIMULATOR_DEFAULTS, min: number, max: number) => {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      bad(key, `an integer from ${min} to ${max}`, value);
    }
  };
  if (typeof resolved.host !== 'string' || resolved.host.length === 0)
    bad('host', 'a host name', resolved.host);
  integer('port', 0, 65_535);
  integer('eventsPerSecond', 0, 10_000_000);
  integer('seed', 0, 0xffff_ffff);
  integer('lifetimeMs', 10, 2_147_483_647);
  integer('pingIntervalMs', 10, 2_147_483_647);
  integer('pongTimeoutMs', 10, 2_147_483_647);
  integer('maxStreamsPerConnection', 1, 1_000_000);
  integer('maxIncomingPerSecond', 1, 1_000_000);
  integer('batchIntervalMs', 1, 1_000);
  integer('maxBufferedBytes', 1_024, 2 ** 40);
  integer('requestWeightPerMinute', 1, 1_000_000_000);
  integer('ordersPer10Seconds', 1, 1_000_000_000);
  integer('listenKeyValidityMs', 100, 2_147_483_647);
  const symbols = resolved.symbols;
  if (typeof symbols === 'number') {
    if (!Number.isInteger(symbols) || symbols < 1 || symbols > MAX_EXCHANGE_SYMBOLS) {
      bad('symbols', `a count from 1 to ${MAX_EXCHANGE_SYMBOLS} or a list of names`, symbols);
    }
  } else if (Array.isArray(symbols)) {
    if (symbols.length < 1 || symbols.length > MAX_EXCHANGE_SYMBOLS) {
      bad('symbols', `a list of 1 to ${MAX_EXCHANGE_SYMBOLS} names`, symbols.length);
    }
    for (const name of symbols) {
      if (typeof name !== 'string' || !SYMBOL_NAME.test(name))
        bad('symbols', 'names of 1-20 characters A-Z and 0-9', name);
    }
    if (new Set(symbols).size !== symbols.length) bad('symbols', 'names that do not repeat', symbols);
  } else {
    bad('symbols', 'a count or a list of names', symbols);
  }
  if (resolved.replay !== undefined) {
    if (resolved.source !== undefined) bad('replay', 'absent when source is given', resolved.replay.dir);
    resolved.replay = resolveRecordedSourceOptions(resolved.replay, 'exchange simulator option replay.');
  }
  return resolved as ResolvedSimulatorOptions;
}

/** A whole number from a flag (string) or a config file (number). */
const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

/**
 * `--symbols 1000` or `--symbols BTCUSDT,ETHUSDT`; a config file may give a number or an array.
 * Shared with `tickwire start`'s configuration, whose symbols go to this simulator or to Binance
 * (whose names are at most 20 characters, like these).
 */
export const symbolsOption = z.preprocess(
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
    z.number().int().min(1).max(MAX_EXCHANGE_SYMBOLS),
    z
      .array(z.string().regex(SYMBOL_NAME, 'symbol names are 1-20 characters A-Z and 0-9'))
      .min(1)
      .max(MAX_EXCHANGE_SYMBOLS)
      .refine((names) => new Set(names).size === names.length, 'symbol names must not repeat'),
  ]),
);

/** An ISO time (`2026-11-21T09:30:00Z`) as ns since the epoch, a recording's receive-time unit. */
const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO time such as 2026-11-21T09:30:00Z')
  .transform((text) => BigInt(Date.parse(text)) * 1_000_000n);

const REPLAY_ONLY_KEYS = ['replaySpeed', 'replayFrom', 'replayTo', 'replayVenue'] as const;

/**
 * The simulator's options as flags or config values (strings are coerced), every key optional:
 * what is absent takes EXCHANGE_SIMULATOR_DEFAULTS. `tickwire sim` validates its flags with it,
 * and `tickwire start` can reuse it for an embedded simulator. The output is
 * ExchangeSimulatorOptions: the flat `replay*` keys become the `replay` option.
 */
export const simulatorOptionsSchema = z
  .object({
    host: z.string().min(1).optional(),
    port: wholeNumber(0, 65_535).optional(),
    symbols: symbolsOption.optional(),
    eventsPerSecond: wholeNumber(0, 10_000_000).optional(),
    seed: wholeNumber(0, 0xffff_ffff).optional(),
    lifetimeMs: wholeNumber(10, 2_147_483_647).optional(),
    pingIntervalMs: wholeNumber(10, 2_147_483_647).optional(),
    pongTimeoutMs: wholeNumber(10, 2_147_483_647).optional(),
    maxStreamsPerConnection: wholeNumber(1, 1_000_000).optional(),
    maxIncomingPerSecond: wholeNumber(1, 1_000_000).optional(),
    batchIntervalMs: wholeNumber(1, 1_000).optional(),
    requestWeightPerMinute: wholeNumber(1, 1_000_000_000).optional(),
    ordersPer10Seconds: wholeNumber(1, 1_000_000_000).optional(),
    listenKeyValidityMs: wholeNumber(100, 2_147_483_647).optional(),
    replay: z.string().min(1, 'must be a directory').optional(),
    replaySpeed: z.coerce
      .number({ error: 'must be a number' })
      .min(0, 'must be >= 0 (0 = as fast as possible)')
      .optional(),
    replayFrom: isoTime.optional(),
    replayTo: isoTime.optional(),
    replayVenue: z.enum(VENUES).optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.replay === undefined) {
      for (const key of REPLAY_ONLY_KEYS) {
        if (value[key] !== undefined)
          context.addIssue({ code: 'custom', path: [key], message: 'only applies with --replay <dir>' });
      }
    }
    if (value.replayFrom !== undefined && value.replayTo !== undefined && value.replayFrom > value.replayTo)
      context.addIssue({ code: 'custom', path: ['replayTo'], message: 'must not be before --from' });
  })
  .transform(
    ({ replay, replaySpeed, replayFrom, replayTo, replayVenue, ...rest }): ExchangeSimulatorOptions => {
      if (replay === undefined) return rest;
      const options: RecordedMarketSourceOptions = { dir: replay };
      if (replaySpeed !== undefined) options.speed = replaySpeed;
      if (replayFrom !== undefined) options.from = replayFrom;
      if (replayTo !== undefined) options.to = replayTo;
      if (replayVenue !== undefined) options.venue = replayVenue;
      return { ...rest, replay: options };
    },
  );

export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;

/** How each schema key is spelled as a `tickwire sim` flag, with its help line. */
export const SIMULATOR_FLAGS = {
  host: { flag: '--host', help: 'address to bind (default 127.0.0.1)' },
  port: { flag: '--port', help: 'port of the HTTP and WebSocket server (default 9100; 0 = any free port)' },
  symbols: { flag: '--symbols', help: 'how many symbols (default 100, BTCUSDT and ETHUSDT first) or A,B,C' },
  eventsPerSecond: { flag: '--rate', help: 'market events per second over all symbols (default 1000)' },
  seed: { flag: '--seed', help: 'seed of the market; the same seed replays the same market (default 1)' },
  lifetimeMs: { flag: '--lifetime-ms', help: 'connection lifetime cap (default 86400000, 24 h)' },
  pingIntervalMs: { flag: '--ping-interval-ms', help: 'server ping interval (default 20000)' },
  pongTimeoutMs: {
    flag: '--pong-timeout-ms',
    help: 'disconnect when a ping is unanswered this long (default 60000)',
  },
  maxStreamsPerConnection: { flag: '--max-streams', help: 'streams per connection (default 1024)' },
  maxIncomingPerSecond: {
    flag: '--max-incoming',
    help: 'incoming messages per second per connection (default 5)',
  },
  batchIntervalMs: { flag: '--batch-ms', help: 'event generation period in ms (default 5)' },
  requestWeightPerMinute: {
    flag: '--weight-limit',
    help: 'request weight per IP per minute, REST and WebSocket API (default 6000)',
  },
  ordersPer10Seconds: { flag: '--order-limit', help: 'new orders per account per 10 s (default 100)' },
  listenKeyValidityMs: {
    flag: '--listen-key-ms',
    help: 'listenKey validity without keepalive (default 3600000, 60 minutes)',
  },
  replay: {
    flag: '--replay',
    help: 'replay the recording in this directory instead of generating a market (docs/RECORDING.md)',
  },
  replaySpeed: {
    flag: '--speed',
    help: 'replay at this multiple of recorded time (default 1; 0 = as fast as possible)',
  },
  replayFrom: { flag: '--from', help: 'replay from this receive time (ISO, e.g. 2026-11-21T09:30:00Z)' },
  replayTo: { flag: '--to', help: 'replay up to this receive time (ISO)' },
  replayVenue: {
    flag: '--venue',
    help: "replay only this venue's symbols (when a name was recorded on several)",
  },
} as const satisfies Record<keyof SimulatorOptionsInput, { flag: string; help: string }>;
