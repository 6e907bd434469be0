import { TickwireApi } from '../client/index.ts';
import { TickwireError } from '../errors.ts';
import { TRADING_EVENT_TARGETS_MS } from '../trading/index.ts';
import { ClientWorkers } from './client-workers.ts';
import type { LatencyFigures } from './latency-histograms.ts';
import {
  CLIENTS_PER_WORKER,
  LOADTEST_MODES,
  type LoadtestFlags,
  type LoadtestMode,
} from './loadtest-options.ts';
import { allowedTarget, checkReachable, type ServerSample, ServerMetrics } from './server-probe.ts';
import { judge, LATENCY_STATS, parseThreshold, type Verdict } from './thresholds.ts';
import { TradingFlow, type TradingFlowFigures } from './trading-flow.ts';
import { RunTally, type TimelinePoint } from './run-tally.ts';
import type { ClientPlan } from './worker-protocol.ts';

export type { TimelinePoint };

/**
 * Clients per 127.0.0.x source address: a node accepts 1,000 connections per address by default
 * (`--max-connections-per-address`), and one address has ~28,000 ephemeral ports.
 */
const CLIENTS_PER_ADDRESS = 1_000;

/**
 * A client process whose event loop lags this much, or that uses this much of a core, delays the
 * messages it times: the report says the figures include the generator's own delay.
 */
const GENERATOR_SATURATED = { lagP99Ms: 50, cpuPercent: 90 } as const;

/** A check of the report: a trading target or a --threshold. */
export interface Check {
  name: string;
  kind: 'target' | 'threshold';
  value: number | undefined;
  /** Written as given (thresholds) or as `p99 < 10 ms` (targets). */
  limit: string;
  passed: boolean;
}

export interface LoadtestResult {
  mode: LoadtestMode;
  target: string;
  startedAt: string;
  seconds: number;
  format: 'json' | 'binary';
  subscriptionsPerClient: number;
  workers: number;
  clients: { planned: number; connectedAtEnd: number; everConnected: number; connectFailures: number };
  deliveries: number;
  deliveriesPerSecond: number;
  conflated: number;
  recovered: number;
  reconnects: number;
  resyncs: number;
  errors: Record<string, number>;
  /** Per event type, µs from the event's own time to its receipt by a client. */
  latency: Record<string, LatencyFigures>;
  server: { cpuPercentMean?: number; cpuPercentMax?: number; rssMbMax?: number; samples: ServerSample[] };
  /** The client processes' own load (the busiest process, the worst second). */
  generator: { cpuPercentMax: number; lagP99MsMax: number; saturated: boolean };
  trading?: TradingFlowFigures;
  timeline: TimelinePoint[];
  /** The figures thresholds are judged on (latencies in µs). */
  figures: Record<string, number>;
  checks: Check[];
  passed: boolean;
}

export interface LoadtestHooks {
  /** Called once a second with the second just ended, and the run's planned length. */
  onSecond?: (point: TimelinePoint, totalS: number) => void;
  /** Ends the test early (SIGINT): the report covers what ran. */
  signal?: AbortSignal;
}

/**
 * `tickwire loadtest quick|full`: opens the clients over client processes, lets them receive for
 * the mode's time (with the trading flow when asked), then reports every figure against its target
 * and the thresholds. Throws LOADTEST_TARGET (a disallowed or silent target) or BAD_CONFIG before
 * any client is opened.
 */
export async function runLoadtest(
  mode: LoadtestMode,
  flags: LoadtestFlags,
  hooks: LoadtestHooks = {},
): Promise<LoadtestResult> {
  const thresholds = flags.threshold.map(parseThreshold);
  const base = allowedTarget(flags.url, flags['allow-host']);
  await checkReachable(base);
  const defaults = LOADTEST_MODES[mode];
  const seconds = flags.duration ?? defaults.seconds;
  const clientCount = flags.clients ?? defaults.clients;
  const symbols = await new TickwireApi({ url: base.origin }).symbols();
  if (symbols.length === 0)
    throw new TickwireError('LOADTEST_TARGET', `${base.origin} has no symbols: it reads no market feed`);
  const plans = planClients(base, clientCount, flags, symbols);
  const workerCount = Math.min(clientCount, flags.workers ?? Math.ceil(clientCount / CLIENTS_PER_WORKER));
  const shares = Array.from({ length: workerCount }, (_, worker) =>
    plans.filter((_plan, index) => index % workerCount === worker),
  );

  const tally = new RunTally(workerCount);
  const workers = new ClientWorkers((worker, report) => tally.add(worker, report));
  const server = new ServerMetrics(base);
  const trading = flags.trading
    ? new TradingFlow(base, flags['api-key']!, symbols[0]!.symbol, flags['orders-per-second'])
    : undefined;
  const startedAt = new Date();
  const started = performance.now();
  let ticker: ReturnType<typeof setInterval> | undefined;
  try {
    await server.start();
    workers.start(shares, {
      url: `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/ws`,
      ...(flags['api-key'] === undefined ? {} : { apiKey: flags['api-key'] }),
      format: flags.format,
      // A shortened run ramps over at most its first third, so every client is up for most of it.
      connectsPerSecond: Math.ceil(clientCount / Math.min(defaults.rampSeconds, seconds / 3) / workerCount),
      accountTopics: flags['api-key'] !== undefined,
    });
    await trading?.start();
    ticker = setInterval(() => {
      const point = tally.endSecond(Math.round((performance.now() - started) / 1000));
      hooks.onSecond?.(point, seconds);
    }, 1_000);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      hooks.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    clearInterval(ticker);
    await trading?.stop().catch(() => undefined);
    await workers.stop();
    server.stop();
  }
  const elapsedS = (performance.now() - started) / 1000;

  const latency = tally.latency();
  const { totals, errors, timeline } = tally;
  const connectedAtEnd = timeline.at(-1)?.connected ?? 0;
  const cpu = server.samples.map((sample) => sample.cpuPercent);
  const result: Omit<LoadtestResult, 'figures' | 'checks' | 'passed'> = {
    mode,
    target: base.origin,
    startedAt: startedAt.toISOString(),
    seconds: Math.round(elapsedS * 10) / 10,
    format: flags.format,
    subscriptionsPerClient: flags.subscriptions,
    workers: workerCount,
    clients: {
      planned: clientCount,
      connectedAtEnd,
      everConnected: tally.everConnected,
      connectFailures: errors.CONNECT_FAILED ?? 0,
    },
    ...totals,
    deliveriesPerSecond: Math.round(totals.deliveries / elapsedS),
    errors,
    latency,
    server: {
      ...(cpu.length === 0
        ? {}
        : {
            cpuPercentMean: Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length),
            cpuPercentMax: Math.round(Math.max(...cpu)),
            rssMbMax: Math.round(Math.max(...server.samples.map((sample) => sample.rssMb))),
          }),
      samples: server.samples,
    },
    generator: generatorLoad(timeline),
    ...(trading === undefined ? {} : { trading: trading.figures }),
    timeline,
  };
  const figures = figuresFrom(result);
  const checks = [
    connectedCheck(result.clients),
    ...targetChecks(latency),
    ...thresholds.map((threshold) => checkOf(judge(threshold, figures))),
  ];
  return { ...result, figures, checks, passed: checks.every((check) => check.passed) };
}

/** Client i takes `subscriptions` consecutive topics of the (kind × symbol) list, from i × m on. */
function planClients(
  base: URL,
  count: number,
  flags: LoadtestFlags,
  symbols: readonly { venue: string; symbol: string }[],
): ClientPlan[] {
  const topics = flags.kinds.flatMap((kind) =>
    symbols.map(({ venue, symbol }) => `md.${kind}.${venue}.${symbol}`),
  );
  const perClient = Math.min(flags.subscriptions, topics.length);
  const loopbackV4 = base.hostname === 'localhost' || base.hostname.startsWith('127.');
  return Array.from({ length: count }, (_, index) => ({
    topics: Array.from({ length: perClient }, (_, k) => topics[(index * perClient + k) % topics.length]!),
    ...(loopbackV4 ? { localAddress: `127.0.0.${2 + Math.floor(index / CLIENTS_PER_ADDRESS)}` } : {}),
  }));
}

/** The flat figures thresholds read (latencies in µs). */
function figuresFrom(result: Omit<LoadtestResult, 'figures' | 'checks' | 'passed'>): Record<string, number> {
  const figures: Record<string, number> = {
    deliveries_per_s: result.deliveriesPerSecond,
    deliveries: result.deliveries,
    clients_connected: result.clients.connectedAtEnd,
    connect_failures: result.clients.connectFailures,
    errors: Object.values(result.errors).reduce((a, b) => a + b, 0),
    reconnects: result.reconnects,
    resyncs: result.resyncs,
    recovered: result.recovered,
    conflated: result.conflated,
  };
  if (result.server.cpuPercentMean !== undefined) figures.server_cpu_percent = result.server.cpuPercentMean;
  if (result.server.rssMbMax !== undefined) figures.server_rss_mb = result.server.rssMbMax;
  for (const [type, latency] of Object.entries(result.latency))
    for (const stat of LATENCY_STATS) figures[`${type}_${stat}`] = latency[stat];
  return figures;
}

/** Every planned client must have connected: a test that could not open its clients measured less. */
function connectedCheck(clients: LoadtestResult['clients']): Check {
  return {
    name: 'clients_connected',
    kind: 'target',
    value: clients.everConnected,
    limit: `= ${clients.planned}`,
    passed: clients.everConnected === clients.planned,
  };
}

function generatorLoad(timeline: readonly TimelinePoint[]): LoadtestResult['generator'] {
  const cpuPercentMax = Math.max(0, ...timeline.map((point) => point.generatorCpuPercent));
  const lagP99MsMax = Math.max(0, ...timeline.map((point) => point.generatorLagP99Ms));
  return {
    cpuPercentMax,
    lagP99MsMax,
    saturated: cpuPercentMax >= GENERATOR_SATURATED.cpuPercent || lagP99MsMax >= GENERATOR_SATURATED.lagP99Ms,
  };
}

/** Each trading event type that arrived, its p99 against its target (docs/TRADING.md). */
function targetChecks(latency: Record<string, LatencyFigures>): Check[] {
  return Object.entries(TRADING_EVENT_TARGETS_MS)
    .filter(([type]) => latency[type] !== undefined)
    .map(([type, targetMs]) => ({
      name: `${type}_p99`,
      kind: 'target' as const,
      value: latency[type]!.p99,
      limit: `< ${targetMs} ms`,
      passed: latency[type]!.p99 < targetMs * 1000,
    }));
}

function checkOf(verdict: Verdict): Check {
  return {
    name: verdict.threshold.figure,
    kind: 'threshold',
    value: verdict.value,
    limit: verdict.threshold.source,
    passed: verdict.passed,
  };
}
