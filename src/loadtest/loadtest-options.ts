import { z } from 'zod';

/**
 * `tickwire loadtest quick|full` options, their defaults and their bounds: written once here, read
 * by the runner and printed by the help. Bounds are guard rails, not tuning: a load test stops by
 * itself (at most MAX_DURATION_S), opens at most MAX_CLIENTS clients, and targets loopback or a
 * host named with --allow-host.
 */

export const LOADTEST_MODES = {
  quick: { seconds: 15, clients: 100, rampSeconds: 2 },
  full: { seconds: 60, clients: 1_000, rampSeconds: 20 },
} as const;
export type LoadtestMode = keyof typeof LOADTEST_MODES;

export const MAX_CLIENTS = 50_000;
export const MAX_DURATION_S = 600;
/** One process may hold at most 20,000 open files here; each holds at most this many clients. */
export const CLIENTS_PER_WORKER = 10_000;

const wholeNumber = (min: number, max: number) =>
  z.coerce.number().int('must be a whole number').min(min).max(max);

const loadtestFlagsObject = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\/[^/]+\/?$/, 'must be an http:// or https:// base URL, e.g. http://127.0.0.1:8001')
      .default('http://127.0.0.1:8001'),
    clients: wholeNumber(1, MAX_CLIENTS).optional(),
    subscriptions: wholeNumber(1, 100).default(10),
    kinds: z
      .string()
      .default('trade,quote')
      .transform((text) => text.split(',').map((kind) => kind.trim()))
      .pipe(z.array(z.enum(['trade', 'quote', 'book', 'bar'])).min(1)),
    format: z.enum(['json', 'binary']).default('json'),
    'api-key': z.string().min(1).optional(),
    trading: z.boolean().default(false),
    'orders-per-second': z.coerce.number().gt(0).max(50).default(2),
    duration: wholeNumber(1, MAX_DURATION_S).optional(),
    threshold: z.array(z.string()).default([]),
    json: z.boolean().default(false),
    html: z.string().min(1).optional(),
    'allow-host': z.array(z.string().min(1)).default([]),
    workers: wholeNumber(1, 16).optional(),
  })
  .strict();

export const loadtestFlagsSchema = loadtestFlagsObject.refine(
  (flags) => !flags.trading || flags['api-key'] !== undefined,
  {
    path: ['trading'],
    message:
      'the trading flow needs --api-key (an account with a trading account: npm start prints the demo key)',
  },
);

export type LoadtestFlags = z.output<typeof loadtestFlagsSchema>;

export const analyzeFlagsSchema = loadtestFlagsObject.pick({
  url: true,
  'api-key': true,
  json: true,
  'allow-host': true,
});
export const ANALYZE_FLAG_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  'allow-host': { type: 'string', multiple: true },
} as const;

/** parseArgs options for the flags above. */
export const LOADTEST_FLAG_OPTIONS = {
  url: { type: 'string' },
  clients: { type: 'string' },
  subscriptions: { type: 'string' },
  kinds: { type: 'string' },
  format: { type: 'string' },
  'api-key': { type: 'string' },
  trading: { type: 'boolean' },
  'orders-per-second': { type: 'string' },
  duration: { type: 'string' },
  threshold: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  html: { type: 'string' },
  'allow-host': { type: 'string', multiple: true },
  workers: { type: 'string' },
} as const;

export const LOADTEST_USAGE = `tickwire loadtest quick|full [options]   (quick: 15 s, 100 clients; full: 60 s, 1,000 clients, 20 s ramp)
tickwire loadtest analyze [--url http://127.0.0.1:8001] [--json] [--api-key <admin key>]

  --url <base>              the node (http://127.0.0.1:8001); loopback unless --allow-host names it
  --clients <n>             clients, 1-${MAX_CLIENTS.toLocaleString('en')} (spread over processes of ${CLIENTS_PER_WORKER.toLocaleString('en')} and 127.0.0.x addresses)
  --subscriptions <m>       market-data topics per client (10)
  --kinds trade,quote       which market data (trade, quote, book, bar)
  --format json|binary      how the market data comes (json)
  --api-key <key>           authenticate every client; they also subscribe to the account's events
  --trading                 place orders and run a DCA bot on that account, so fills, orders and bot events flow
  --orders-per-second <r>   the trading flow's market orders per second (2)
  --duration <s>            run for this long instead of the mode's time (at most ${MAX_DURATION_S})
  --threshold <expr>        k6-style, repeatable: fill_p99<10ms, trade_p99<50ms, deliveries_per_s>10000, errors==0
  --json                    print the result as JSON
  --html <file>             write an HTML report with latency over time
  --allow-host <host>       allow a target that is not loopback (repeatable)
  --workers <n>             client processes (one per ${CLIENTS_PER_WORKER.toLocaleString('en')} clients)

Exit code: 0 when every threshold and target held, 1 when one did not, 2 when the test could not run.`;
