import { TickwireError } from '../errors.ts';

/**
 * Pass/fail checks on a load test's figures, written the way k6 writes thresholds:
 * `fill_p99<10ms`, `trade_p99<=50ms`, `deliveries_per_s>10000`, `errors==0`.
 *
 * Latency figures are `<event>_<p50|p90|p99|p999|max>`, kept in µs and written with a unit (`us`,
 * `ms`, `s`; ms when none). `<event>` is an event type as the report names it (`trade`, `quote`,
 * `book`, `order_fill_notification`, …) or a short name from EVENT_ALIASES. The other figures are
 * counts and rates named as in the report (COUNT_FIGURES).
 */

export const EVENT_ALIASES: Readonly<Record<string, string>> = {
  fill: 'order_fill_notification',
  order: 'order_status_update',
  bot_status: 'bot_status_update',
  bot_cycle: 'bot_cycle_update',
};

export const LATENCY_STATS = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
/** `<event>_<stat>`: a latency figure's name, its event and its statistic. */
export const LATENCY_FIGURE = new RegExp(`^(.+)_(${LATENCY_STATS.join('|')})$`);

export const COUNT_FIGURES = [
  'deliveries_per_s',
  'deliveries',
  'clients_connected',
  'connect_failures',
  'errors',
  'reconnects',
  'resyncs',
  'recovered',
  'conflated',
  'server_cpu_percent',
  'server_rss_mb',
] as const;

type Operator = '<=' | '>=' | '==' | '<' | '>';
const UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000 };

export interface Threshold {
  /** As written. */
  source: string;
  /** The figure it reads (latency names with the full event type). */
  figure: string;
  operator: Operator;
  /** In the figure's own unit (µs for latencies). */
  limit: number;
}

/** Parses one threshold; a malformed one is BAD_CONFIG saying what is wrong. */
export function parseThreshold(source: string): Threshold {
  const match = /^\s*([a-z0-9_]+)\s*(<=|>=|==|<|>)\s*([0-9]*\.?[0-9]+)\s*(us|µs|ms|s)?\s*$/.exec(source);
  if (match === null)
    throw new TickwireError(
      'BAD_CONFIG',
      `threshold ${JSON.stringify(source)}: write <figure><op><number>[unit], e.g. fill_p99<10ms or errors==0`,
    );
  const [, name, operator, number, unit] = match as unknown as [string, string, Operator, string, string?];
  const latency = LATENCY_FIGURE.exec(name);
  if (latency !== null) {
    const [, event, stat] = latency as unknown as [string, string, string];
    return {
      source,
      figure: `${EVENT_ALIASES[event] ?? event}_${stat}`,
      operator,
      limit: Number(number) * UNIT_US[unit ?? 'ms']!,
    };
  }
  if (unit !== undefined)
    throw new TickwireError('BAD_CONFIG', `threshold ${JSON.stringify(source)}: ${name} takes no unit`);
  if (!(COUNT_FIGURES as readonly string[]).includes(name))
    throw new TickwireError(
      'BAD_CONFIG',
      `threshold ${JSON.stringify(source)}: no figure ${name}; figures are <event>_<${LATENCY_STATS.join('|')}> and ${COUNT_FIGURES.join(', ')}`,
    );
  return { source, figure: name, operator, limit: Number(number) };
}

export interface Verdict {
  threshold: Threshold;
  /** The figure's value; undefined when the run produced none (no such event arrived): a failure. */
  value: number | undefined;
  passed: boolean;
}

export function judge(threshold: Threshold, figures: Readonly<Record<string, number>>): Verdict {
  const value = figures[threshold.figure];
  if (value === undefined) return { threshold, value, passed: false };
  const { operator, limit } = threshold;
  const passed =
    operator === '<'
      ? value < limit
      : operator === '<='
        ? value <= limit
        : operator === '>'
          ? value > limit
          : operator === '>='
            ? value >= limit
            : value === limit;
  return { threshold, value, passed };
}
