import {
  type AlertList,
  type ConnectionSummary,
  type HealthReport,
  type HostSnapshot,
  type LatencyReport,
  TickwireApi,
} from '../client/index.ts';
import { allowedTarget, checkReachable, cpuPercentBetween, readMetrics } from './server-probe.ts';

/**
 * `tickwire loadtest analyze`: reads a running node over HTTP (never this process) — health,
 * statistics, delivery latency, alerts, the host sample, its CPU from `/metrics` over a second
 * and, with an admin key, its connections —
 * and turns what it finds into findings, each with what to do about it and why.
 */

export type Severity = 'critical' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  area: string;
  finding: string;
  recommendation?: string;
}

export interface Analysis {
  target: string;
  at: string;
  findings: Finding[];
}

/** A p99 at this share of its target is "at risk". */
const AT_RISK = 0.5;
const CPU_BOUND_PERCENT = 85;
const EVENT_LOOP_P99_MS = 50;
const MEMORY_PERCENT = 90;
const SLOW_CLIENTS_LISTED = 5;
const METRICS_TIMEOUT_MS = 3_000;

/** The parts of GET /api/v1/stats the findings read (a diagnostic shape, docs/MONITORING.md). */
interface Stats {
  config: { workers: number; profile: string };
  pipeline: {
    dropped: Record<string, number>;
    workersDown: number;
    restarts: number;
    rings: { rings: { consumer: string; capacity: number; highWaterFill: number; fullEvents: number }[] };
  };
  bus: { kind: string; droppedPublishes?: number; gaps?: number; missed?: number };
  gateway: {
    connections: number;
    backlog: number;
    conflated: Record<string, number>;
    closed: Record<string, number>;
    rejected_upgrade: Record<string, number>;
    error_reply: Record<string, number>;
  };
}

export async function analyze(
  url: string,
  options: { apiKey?: string; allowHosts?: string[] } = {},
): Promise<Analysis> {
  const base = allowedTarget(url, options.allowHosts ?? []);
  await checkReachable(base);
  const api = new TickwireApi({
    url: base.origin,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
  });
  const [health, stats, latency, alerts, host, connections, cpuPercent] = await Promise.all([
    api.health(),
    api.stats() as unknown as Promise<Stats>,
    api.latency(),
    api.alerts(),
    api.host().catch(() => undefined),
    options.apiKey === undefined ? Promise.resolve(undefined) : api.connections().catch(() => undefined),
    processCpuPercent(base),
  ]);
  const findings = [
    ...healthFindings(health),
    ...latencyFindings(latency, host),
    ...hostFindings(host, cpuPercent),
    ...pipelineFindings(stats),
    ...gatewayFindings(stats, connections),
    ...busFindings(stats),
    ...alertFindings(alerts),
  ];
  const order: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
  findings.sort((a, b) => order[a.severity] - order[b.severity]);
  return { target: base.origin, at: new Date().toISOString(), findings };
}

function healthFindings(health: HealthReport): Finding[] {
  if (health.status === 'ok') return [];
  return Object.entries(health.components)
    .filter(([, component]) => component.status !== 'ok')
    .map(([name, component]) => ({
      severity: component.status === 'down' ? 'critical' : 'warning',
      area: 'health',
      finding: `${name} is ${component.status}${component.reason ? `: ${component.reason}` : ''}`,
      recommendation:
        'GET /health names each component; docs/MONITORING.md ("Health") says what each state means',
    }));
}

function latencyFindings(report: LatencyReport, host: HostSnapshot | undefined): Finding[] {
  const cause =
    host === undefined
      ? undefined
      : host.process.cpuPercent >= CPU_BOUND_PERCENT
        ? `the node's process is CPU-bound (${Math.round(host.process.cpuPercent)} % of a core): serve fewer clients per node, or run more nodes on a broker (docs/SCALING.md)`
        : host.process.eventLoop.lagP99Ms >= EVENT_LOOP_P99_MS
          ? `the node's event loop stalls (p99 lag ${host.process.eventLoop.lagP99Ms.toFixed(0)} ms): everything it sends waits behind that work`
          : undefined;
  const findings: Finding[] = [];
  for (const [type, summary] of Object.entries(report.events)) {
    if (summary.count === 0) continue;
    const share = summary.p99Us / summary.targetUs;
    if (share < AT_RISK) continue;
    const over = share >= 1;
    findings.push({
      severity: over ? 'critical' : 'warning',
      area: 'latency',
      finding: `${type}: p99 ${(summary.p99Us / 1000).toFixed(1)} ms ${over ? 'is over' : 'is at risk of'} its ${summary.targetUs / 1000} ms target (${Math.round(summary.withinTarget * 100)} % within it, ${summary.count} events)`,
      recommendation:
        cause ??
        "the time is counted from the exchange's own event time: check the exchange connection's latency (docs/TRADING.md, \"Events, lanes, targets\") and the host's steal time",
    });
  }
  return findings;
}

/** The node's CPU over one second, from two reads of its `/metrics` (a share of one core). */
async function processCpuPercent(base: URL): Promise<number | undefined> {
  try {
    const first = await readMetrics(base, METRICS_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return cpuPercentBetween(first, await readMetrics(base, METRICS_TIMEOUT_MS));
  } catch {
    return undefined;
  }
}

function hostFindings(host: HostSnapshot | undefined, cpuPercent: number | undefined): Finding[] {
  if (host === undefined) return [];
  const findings: Finding[] = [];
  const { process: node, memory } = host;
  if (node.eventLoop.lagP99Ms >= EVENT_LOOP_P99_MS)
    findings.push({
      severity: 'warning',
      area: 'process',
      finding: `event-loop lag p99 ${node.eventLoop.lagP99Ms.toFixed(0)} ms (utilization ${Math.round(node.eventLoop.utilization * 100)} %)`,
      recommendation:
        'the gateway, the trading path and the REST API share the main thread: move tick processing to worker threads (--workers), keep --compression-threshold at 0, or spread the clients over more nodes',
    });
  const cpu = cpuPercent ?? node.cpuPercent;
  if (cpu >= CPU_BOUND_PERCENT)
    findings.push({
      severity: 'warning',
      area: 'process',
      finding: `the node uses ${Math.round(cpu)} % of a core (${host.host.cores} cores on the host)`,
      recommendation: 'it is CPU-bound: more clients will queue; add nodes behind a broker (docs/SCALING.md)',
    });
  if (memory.usedPercent >= MEMORY_PERCENT)
    findings.push({
      severity: 'warning',
      area: 'host',
      finding: `memory ${memory.usedPercent.toFixed(0)} % used`,
      recommendation:
        'lower --history-size or --max-buffered-bytes (per-connection budgets add up), or add memory',
    });
  return findings;
}

function pipelineFindings(stats: Stats): Finding[] {
  const findings: Finding[] = [];
  const { pipeline, config } = stats;
  const ringFull = pipeline.dropped.ringFull ?? 0;
  if (ringFull > 0) {
    const capacity = pipeline.rings.rings[0]?.capacity;
    findings.push({
      severity: 'warning',
      area: 'pipeline',
      finding: `${ringFull} market-data ticks dropped because a worker's input ring was full`,
      recommendation: `the workers fall behind the feed in bursts: raise --ring-capacity (now ${capacity}) to absorb them, --workers (now ${config.workers}) if they are busy all the time, or use --input-policy conflate to keep the latest price instead`,
    });
  } else {
    const nearlyFull = pipeline.rings.rings.filter((ring) => ring.highWaterFill >= 0.8);
    if (nearlyFull.length > 0)
      findings.push({
        severity: 'info',
        area: 'pipeline',
        finding: `ring${nearlyFull.length > 1 ? 's' : ''} ${nearlyFull.map((ring) => ring.consumer).join(', ')} reached ${Math.round(Math.max(...nearlyFull.map((ring) => ring.highWaterFill)) * 100)} % full at their peak`,
        recommendation:
          'nothing was dropped yet; a larger burst would be: consider --ring-capacity at twice its value',
      });
  }
  if (pipeline.restarts > 0 || pipeline.workersDown > 0)
    findings.push({
      severity: pipeline.workersDown > 0 ? 'critical' : 'warning',
      area: 'pipeline',
      finding: `pipeline workers restarted ${pipeline.restarts} times; ${pipeline.workersDown} down now`,
      recommendation: 'the node log says why each failed; their symbols were flagged gap while down',
    });
  return findings;
}

function gatewayFindings(stats: Stats, connections: ConnectionSummary[] | undefined): Finding[] {
  const findings: Finding[] = [];
  const { gateway } = stats;
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const conflated = sum(gateway.conflated);
  if (conflated > 0) {
    const slow = (connections ?? [])
      .filter((connection) => connection.bufferedBytes > 0)
      .sort((a, b) => b.bufferedBytes - a.bufferedBytes)
      .slice(0, SLOW_CLIENTS_LISTED);
    findings.push({
      severity: 'info',
      area: 'clients',
      finding:
        `${conflated} market-data messages were conflated for slow clients (they read slower than the stream; their fills and orders are never conflated)` +
        (slow.length > 0
          ? `; the most behind now: ${slow.map((c) => `${c.id} (${c.account ?? 'anonymous'}, ${c.address}, ${Math.round(c.bufferedBytes / 1024)} KB queued)`).join(', ')}`
          : connections === undefined
            ? ' (an admin key, --api-key, lists the slowest)'
            : ''),
      recommendation:
        'expected for clients on slow links; if they should keep up, they subscribe to more than they read: fewer topics, a server-side filter, or binary ticks (--format binary in a load test)',
    });
  }
  const slowConsumers = gateway.closed.SLOW_CONSUMER ?? 0;
  if (slowConsumers > 0)
    findings.push({
      severity: 'warning',
      area: 'clients',
      finding: `${slowConsumers} clients were disconnected as slow consumers: their fills or orders did not fit the outbound byte budget`,
      recommendation:
        'they reconnect and recover what they missed; if they are healthy clients on long links, raise --max-buffered-bytes',
    });
  for (const [code, count] of Object.entries(gateway.rejected_upgrade)) {
    const flag =
      code === 'TOO_MANY_CONNECTIONS'
        ? '--max-connections'
        : code === 'TOO_MANY_CONNECTIONS_FROM_ADDRESS'
          ? '--max-connections-per-address'
          : undefined;
    findings.push({
      severity: 'warning',
      area: 'clients',
      finding: `${count} WebSocket upgrades refused: ${code}`,
      ...(flag
        ? { recommendation: `raise ${flag} if these clients are expected, or spread them over more nodes` }
        : {}),
    });
  }
  const rateLimited = gateway.error_reply.RATE_LIMITED ?? 0;
  if (rateLimited > 0)
    findings.push({
      severity: 'info',
      area: 'clients',
      finding: `${rateLimited} client requests were over the inbound rate`,
      recommendation:
        'clients sending more than --inbound-rate requests a second: batch their subscriptions into one request',
    });
  return findings;
}

function busFindings(stats: Stats): Finding[] {
  const { bus } = stats;
  const lost = (bus.droppedPublishes ?? 0) + (bus.gaps ?? 0) + (bus.missed ?? 0);
  if (lost === 0) return [];
  return [
    {
      severity: 'warning',
      area: 'bus',
      finding: `the ${bus.kind} bus dropped ${bus.droppedPublishes ?? 0} publishes and saw ${bus.gaps ?? 0} gaps (${bus.missed ?? 0} messages missed)`,
      recommendation:
        'the broker connection was lost or slow: check the broker; clients of recoverable topics were told to resync (docs/BUS.md)',
    },
  ];
}

function alertFindings(alerts: AlertList): Finding[] {
  return alerts.active
    .filter((alert) => alert.state === 'firing')
    .map((alert) => ({
      severity:
        alert.severity === 'critical' ? 'critical' : alert.severity === 'warning' ? 'warning' : 'info',
      area: `alert ${alert.rule}`,
      finding: `${alert.summary} (value ${alert.value}, threshold ${alert.op} ${alert.threshold})`,
      ...(alert.recommendation === undefined ? {} : { recommendation: alert.recommendation }),
    }));
}

/** The findings for a terminal. */
export function analysisText(analysis: Analysis): string {
  if (analysis.findings.length === 0)
    return `${analysis.target}: no findings: every target met, nothing dropped, no alert firing\n`;
  const lines = [`${analysis.target}: ${analysis.findings.length} finding(s)`, ''];
  for (const finding of analysis.findings) {
    lines.push(`${finding.severity.toUpperCase().padEnd(8)} ${finding.area}: ${finding.finding}`);
    if (finding.recommendation) lines.push(`         → ${finding.recommendation}`);
  }
  return `${lines.join('\n')}\n`;
}
