import { z } from 'zod';
import { READING_NAMES } from '../node-readings.ts';
import { compileExpression, type Expression } from './expression.ts';
import { ALERT_CATEGORIES, COMPARISONS, SEVERITIES } from '../views.ts';

/** One alert rule as the config file writes it (docs/MONITORING.md, "Alerts"). */
export const alertRuleSchema = z
  .object({
    /** Unique; the `alertname` label. */
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be letters, digits and _'),
    /** A reading, or an expression over readings (`gateway.conflation_ratio * 100`). */
    expr: z.string().min(1),
    op: z.enum(COMPARISONS),
    threshold: z.number(),
    /**
     * Hysteresis: once active, the alert stays until the value is back past this (for `>`, at or
     * below it). Defaults to the threshold.
     */
    resolveAt: z.number().optional(),
    /** How long the condition must hold before pending becomes firing, ms. */
    forMs: z.number().int().min(0).default(0),
    /** After an alert of this rule resolves, how long before it may go pending again, ms. */
    cooldownMs: z.number().int().min(0).default(0),
    severity: z.enum(SEVERITIES).default('warning'),
    category: z.enum(ALERT_CATEGORIES).default('performance'),
    labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    summary: z.string().min(1),
    /** What to do about it; listed on `monitor.performance` while the alert is active. */
    recommendation: z.string().optional(),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((rule, context) => {
    try {
      compileExpression(rule.expr, READING_NAMES);
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: ['expr'],
        message: (error as Error).message.replace(/^BAD_CONFIG: /, ''),
      });
    }
    if (rule.resolveAt === undefined) return;
    const above = rule.op === '>' || rule.op === '>=';
    if (above ? rule.resolveAt > rule.threshold : rule.resolveAt < rule.threshold)
      context.addIssue({
        code: 'custom',
        path: ['resolveAt'],
        message: `must be on the resolved side of the threshold (${above ? 'at or below' : 'at or above'} ${rule.threshold})`,
      });
  });
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertRuleConfig = z.output<typeof alertRuleSchema>;

/** The config file's `alerts` key. */
export const alertsConfigSchema = z
  .object({
    /** Rules added to the defaults; one named like a default replaces it (`"enabled": false` turns it off). */
    rules: z.array(alertRuleSchema).default([]),
    /** Where firing and resolved alerts are POSTed (Alertmanager's webhook body). */
    webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Ended alerts kept for GET /api/v1/alerts. */
    historySize: z.number().int().min(1).max(100_000).default(500),
  })
  .strict()
  .refine((config) => new Set(config.rules.map((rule) => rule.name)).size === config.rules.length, {
    path: ['rules'],
    message: 'rule names must be unique',
  });
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

export interface AlertRule extends AlertRuleConfig {
  readonly expression: Expression;
}

/**
 * The default rules, from the original targets: a trading event's p99 over its target (fills 10 ms,
 * order updates 25 ms, bot updates 50 ms), queue depth 100, connection failures 5 %, drops and
 * conflation 0.5 %, and the component failures an operator must hear about at once.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRuleInput[] = [
  {
    name: 'TradingLatencyOverTarget',
    expr: 'trading.latency_target_ratio',
    op: '>',
    threshold: 1,
    forMs: 10_000,
    severity: 'warning',
    summary: "a trading event type's delivery p99 is over its target",
  },
  {
    name: 'FillLatencyHigh',
    expr: 'trading.fill_latency_p99_ms',
    op: '>',
    threshold: 10,
    resolveAt: 8,
    forMs: 5_000,
    severity: 'critical',
    summary: 'fills reach their owners later than 10 ms at p99',
  },
  {
    name: 'FillLatencyNearTarget',
    expr: 'trading.fill_latency_p99_ms',
    op: '>',
    threshold: 8,
    resolveAt: 6,
    forMs: 30_000,
    severity: 'info',
    summary: 'fill latency p99 is near its 10 ms target',
    recommendation:
      'fill latency near its target: give trading clients a gateway node of their own, or fewer processes on this host',
  },
  {
    name: 'QueueDepthHigh',
    expr: 'gateway.deepest_queue',
    op: '>',
    threshold: 100,
    resolveAt: 50,
    forMs: 10_000,
    severity: 'warning',
    summary: 'a connection has more than 100 messages queued',
    recommendation: 'a client reads slower than it is sent to: its market data is being conflated',
  },
  {
    name: 'ConnectionFailureRate',
    expr: 'gateway.connection_failure_ratio',
    op: '>',
    threshold: 0.05,
    forMs: 30_000,
    severity: 'warning',
    category: 'resource',
    summary: 'more than 5 % of WebSocket connections are refused or fail to authenticate',
  },
  {
    name: 'EventLoopLag',
    expr: 'process.event_loop_lag_max_ms',
    op: '>',
    threshold: 100,
    resolveAt: 20,
    forMs: 0,
    cooldownMs: 10_000,
    severity: 'warning',
    category: 'resource',
    summary: "the main thread's event loop was held over 100 ms",
    recommendation:
      'the main thread is saturated: raise workers (--workers) or move clients to another gateway node',
  },
  {
    name: 'MemoryGrowth',
    expr: 'process.rss_growth_bytes_per_second',
    op: '>',
    threshold: 1_048_576,
    forMs: 300_000,
    severity: 'warning',
    category: 'resource',
    summary: "the process's resident memory grows faster than 1 MiB/s for 5 minutes",
  },
  {
    name: 'FileDescriptorsNearLimit',
    expr: 'process.fd_used_ratio',
    op: '>',
    threshold: 0.8,
    resolveAt: 0.7,
    severity: 'critical',
    category: 'resource',
    summary: 'over 80 % of the open-file limit is in use',
    recommendation: 'raise the open-file limit (ulimit -n) or spread connections over more gateway nodes',
  },
  {
    name: 'CpuThermalThrottling',
    expr: 'host.cpu_throttle_events_per_second',
    op: '>',
    threshold: 0,
    severity: 'warning',
    category: 'thermal',
    summary: 'the CPU is being throttled for heat',
  },
  {
    name: 'FeedSilent',
    expr: 'feed.last_message_age_seconds',
    op: '>',
    threshold: 5,
    resolveAt: 1,
    severity: 'critical',
    category: 'feed',
    summary: 'a feed connection has received nothing for 5 s',
  },
  {
    name: 'FeedStale',
    expr: 'feed.stale_symbols',
    op: '>',
    threshold: 0,
    forMs: 10_000,
    severity: 'warning',
    category: 'feed',
    summary: 'symbols have not ticked for staleAfterMs',
  },
  {
    name: 'BooksOutOfSync',
    expr: 'feed.books_out_of_sync',
    op: '>',
    threshold: 0,
    forMs: 30_000,
    severity: 'warning',
    category: 'feed',
    summary: 'order books are resyncing or waiting for their first sync',
  },
  {
    name: 'BookGapRate',
    expr: 'feed.book_gaps_per_minute',
    op: '>',
    threshold: 1,
    forMs: 60_000,
    severity: 'warning',
    category: 'feed',
    summary: 'order-book sequence gaps arrive faster than one a minute',
  },
  {
    name: 'DropRate',
    expr: 'pipeline.drop_ratio',
    op: '>',
    threshold: 0.005,
    forMs: 10_000,
    severity: 'warning',
    summary: 'the pipeline drops more than 0.5 % of ticks',
    recommendation: 'raise workers (--workers), or choose the conflate input policy',
  },
  {
    name: 'ConflationRate',
    expr: 'gateway.conflation_ratio',
    op: '>',
    threshold: 0.005,
    forMs: 10_000,
    severity: 'info',
    summary: 'more than 0.5 % of deliveries are conflated',
    recommendation: 'a slow consumer is being conflated',
  },
  {
    name: 'BrokerDown',
    expr: 'bus.connected',
    op: '<',
    threshold: 1,
    severity: 'critical',
    category: 'resource',
    summary: "the bus's broker is unreachable: other nodes' messages do not arrive",
  },
  {
    name: 'PipelineWorkerDown',
    expr: 'pipeline.workers_down',
    op: '>',
    threshold: 0,
    severity: 'critical',
    category: 'resource',
    summary: 'a pipeline worker is not running: its symbols do not tick',
  },
  {
    // A restart takes milliseconds, less than a sampling interval: counted, it cannot be missed.
    name: 'PipelineWorkerRestarted',
    expr: 'pipeline.worker_restarts',
    op: '>',
    threshold: 0,
    severity: 'warning',
    category: 'resource',
    summary: 'a pipeline worker failed and was restarted; its order books resync',
  },
  {
    name: 'TradingConnectionDown',
    expr: 'trading.connections_down',
    op: '>',
    threshold: 0,
    forMs: 10_000,
    severity: 'critical',
    category: 'resource',
    summary: "a trading account's exchange connection is not live",
  },
];

/** The rules in force: the defaults, each replaced by a configured rule of its name, then the others. */
export function resolveAlertRules(configured: readonly AlertRuleConfig[]): AlertRule[] {
  const byName = new Map<string, AlertRuleConfig>();
  for (const rule of DEFAULT_ALERT_RULES) byName.set(rule.name, alertRuleSchema.parse(rule));
  for (const rule of configured) byName.set(rule.name, rule);
  return [...byName.values()]
    .filter((rule) => rule.enabled)
    .map((rule) => ({ ...rule, expression: compileExpression(rule.expr, READING_NAMES) }));
}
