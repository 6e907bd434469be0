import { loadavg } from 'node:os';
import { type Bench, type BenchContext, percentile, round } from './harness.ts';
import { Child } from './support/ipc.ts';
import { type ClientOps, SYMBOL_COUNT } from './support/fanout-protocol.ts';
import {
  CLIENTS,
  type Clients,
  deliveriesAt,
  fanoutPlan,
  type LatencyRun,
  latencyAt,
  measureFanout,
  type Plan,
  reportFanout,
  startFanoutClients,
  withServer,
} from './support/fanout-search.ts';
import type {
  FillClientOps,
  FillLatencies,
  FillSourceOps,
  LaneMode,
  MarketSourceOps,
  PriorityServerOps,
  PriorityStats,
  StalledClientOps,
} from './support/priority-protocol.ts';

/**
 * Fills first, end to end, and what market data gets meanwhile. Three parts, in one run:
 *
 * 1. Fan-out: the gateway's maximum rate to 1,000 JSON clients and its market-data latency at half
 *    of it, against the corked `ws` ceiling at the same rate (bench/support/fanout-search.ts).
 * 2. Stalled readers: the same latency at that rate with 100 more clients subscribed to `md.>`
 *    that never read, against the run without them, and the gateway's memory.
 * 3. Fills under a flood: the gateway reads market data from a feed process (20,000 ticks/s over
 *    TCP, 2,000,000 deliveries/s offered, more than its 996 parsing clients can take) and execution
 *    reports from a fill-source process (one every 10 ms over a WebSocket, each stamped with its
 *    event time), and publishes each as it reads it. 4 clients of account acc1 in their own
 *    process measure each fill from its event time. Cases: lanes on; lanes off (the baseline);
 *    lanes on with one of the 4 reading at 100 KB/s.
 *
 * No measured process runs at raised priority: the gateway, the fill source and the fill clients
 * run at the priority they were started with; the flood clients and the market-data source stand
 * in for other machines and run at nice 19. docs/BENCHMARKS.md explains the figures.
 */

const FILL_CLIENTS = 4;
const FLOOD_CLIENTS = CLIENTS - FILL_CLIENTS;
/** Market-data messages per second from the feed: 2,000,000 deliveries/s, more than the clients can read. */
const MD_RATE = 20_000;
const FILL_INTERVAL_MS = 10;
/** Fills sent before the measured ones (not measured: the JIT still compiles their path). */
const WARMUP_FILLS = 50;
const SLOW_BYTES_PER_SECOND = 100_000;
const STALLED_READERS = 100;
const TARGET_FILL_P99_US = 1_000;
const TARGET_STALLED_MD_P99_US = 100_000;
/** Nice value of the processes that stand in for other machines. */
const LOAD_NICE = 19;

const PRIORITIES = {
  gateway: 'nice 0',
  fill_clients: 'nice 0',
  fill_source: 'nice 0',
  market_source: `nice ${LOAD_NICE}`,
  flood_clients: `nice ${LOAD_NICE}`,
};

/** A percentile, rounded for printing. */
const pct = (values: number[], at: number): number => round(percentile(values, at));

interface FillRun {
  mode: LaneMode;
  slow: number;
  latencies: FillLatencies;
  stats: PriorityStats;
  fills: number;
  lateMs: number;
}

/** One fill case in fresh processes, all stopped at the end (a flooded client process has megabytes left to read). */
async function measureFills(
  ctx: BenchContext,
  mode: LaneMode,
  slow: number,
  fills: number,
): Promise<FillRun> {
  const start = <Ops extends Record<string, { request: object; reply: object }>, Ready extends object>(
    name: string,
    script: string,
    args: string[] = [],
    nice?: number,
  ) =>
    new Child<Ops, Ready>(name, new URL(`./support/${script}`, import.meta.url), args, {
      readyTimeoutMs: 30_000,
      ...(nice === undefined ? {} : { nice }),
    });
  const server = start<PriorityServerOps, { port: number; path: string }>(
    `priority ${mode} gateway`,
    'priority-server.ts',
    [mode],
  );
  const fillSource = start<FillSourceOps, { port: number }>('fill source', 'priority-fill-source.ts');
  const market = start<MarketSourceOps, { port: number }>(
    'market source',
    'priority-market-source.ts',
    [],
    LOAD_NICE,
  );
  const flood = start<ClientOps, Record<string, never>>('flood clients', 'fanout-clients.ts', [], LOAD_NICE);
  const fillClients = start<FillClientOps, Record<string, never>>('fill clients', 'priority-fill-client.ts');
  try {
    const [{ port, path }, { port: fillSourcePort }, { port: marketPort }] = await Promise.all([
      server.ready,
      fillSource.ready,
      market.ready,
      flood.ready,
      fillClients.ready,
    ]);
    await server.request('connect', { fillSourcePort, marketPort }, 10_000);
    await flood.request('connect', { port, path, first: 0, count: FLOOD_CLIENTS, consume: 'parse' }, 60_000);
    await fillClients.request(
      'connect',
      {
        port,
        path,
        first: FLOOD_CLIENTS,
        count: FILL_CLIENTS,
        slow,
        slowBytesPerSecond: SLOW_BYTES_PER_SECOND,
      },
      30_000,
    );
    await server.request('reset', {}, 5_000);
    const durationMs = (WARMUP_FILLS + fills) * FILL_INTERVAL_MS;
    const [sent] = await Promise.all([
      fillSource.request(
        'send',
        { intervalMs: FILL_INTERVAL_MS, warmup: WARMUP_FILLS, count: fills },
        durationMs * 3 + 10_000,
      ),
      market.request('run', { rate: MD_RATE, durationMs }, durationMs * 3 + 10_000),
    ]);
    const stats = await server.request('stats', {}, 10_000);
    // A slow reader takes its backlog at 100 KB/s: its last fills may come seconds later.
    const latencies = await fillClients.request(
      'collect',
      { fills, timeoutMs: slow > 0 ? 30_000 : 10_000 },
      40_000,
    );
    const run: FillRun = { mode, slow, latencies, stats, fills, lateMs: sent.lateMs };
    ctx.note(
      `${mode}${slow ? ` with ${slow} slow client` : ''}: ${fills} fills × ${FILL_CLIENTS} clients, from event time ` +
        `p50 ${pct(latencies.fromEventUs, 50)} us, p99 ${pct(latencies.fromEventUs, 99)} us ` +
        `(from the publish call p50 ${pct(latencies.fromPublishUs, 50)} us, p99 ${pct(latencies.fromPublishUs, 99)} us)` +
        (slow ? `, slow client p99 ${pct(latencies.slowFromEventUs, 99)} us` : '') +
        `; missing ${latencies.missing}; gateway published ${stats.mdPublished} ticks and ${stats.fillsPublished} fills, ` +
        `conflated ${stats.conflated}, closed ${JSON.stringify(stats.closed)}, cpu ${Math.round((stats.cpuMs / stats.elapsedMs) * 100)}%, ` +
        `rss ${stats.rssMb} MB; fill source at most ${round(sent.lateMs)} ms late`,
    );
    return run;
  } finally {
    await Promise.all([server.stop(), fillSource.stop(), market.stop(), flood.stop(), fillClients.stop()]);
  }
}

interface StalledRun {
  without: LatencyRun;
  stalled: LatencyRun;
  memoryWithout: { rssMb: number; heapMb: number };
  memoryStalled: { rssMb: number; heapMb: number };
}

/** The gateway at `rate`, without and then with 100 clients on `md.>` that never read. */
async function measureStalled(plan: Plan, clients: Clients, rate: number): Promise<StalledRun> {
  return withServer('tickwire', clients, async (server) => {
    const { port, path } = await server.ready;
    const without = await latencyAt(server, clients, rate, plan.latencyMs);
    const memoryWithout = await server.request('memory', {}, 5_000);
    const stalledClients = new Child<StalledClientOps, Record<string, never>>(
      'stalled clients',
      new URL('./support/stalled-clients.ts', import.meta.url),
      [],
      { readyTimeoutMs: 30_000 },
    );
    try {
      await stalledClients.ready;
      await stalledClients.request('connect', { port, path, count: STALLED_READERS }, 30_000);
      // First a step that fills the stalled readers' buffers, then the measured one.
      await latencyAt(server, clients, rate, plan.latencyMs);
      const stalled = await latencyAt(server, clients, rate, plan.latencyMs);
      const memoryStalled = await server.request('memory', {}, 5_000);
      return { without, stalled, memoryWithout, memoryStalled };
    } finally {
      await stalledClients.stop();
    }
  });
}

export default {
  name: 'priority',
  description:
    'fills from an exchange connection to their owners under a market-data flood; market data at half the fan-out maximum vs the corked ws ceiling; 100 stalled readers',
  async run(ctx) {
    // Other work on this shared 2-core machine moves these figures: the load at the start says how busy it was.
    const loadAtStart = round(loadavg()[0]!);
    const plan = fanoutPlan(ctx.quick);
    const common = { clients: CLIENTS, symbols: SYMBOL_COUNT, load_avg_1m_at_start: loadAtStart };

    const clients = startFanoutClients();
    try {
      await clients.ready;
      const fanout = await measureFanout(ctx, plan, clients);
      reportFanout(ctx, fanout, { ...common, step_ms: plan.stepMs });
      const halfRate = fanout.tickwire.maxRate / 2;
      if (halfRate > 0) {
        const stalled = await measureStalled(plan, clients, halfRate);
        ctx.report({
          metric: 'stalled_md_latency_p99_us',
          value: stalled.stalled.p99,
          unit: 'us',
          better: 'lower',
          baseline: 'same rate without the stalled readers',
          baseline_value: stalled.without.p99,
          stalled_readers: STALLED_READERS,
          md_latency_p50_us: round(stalled.stalled.p50),
          baseline_md_latency_p50_us: round(stalled.without.p50),
          healthy_clients_complete: stalled.stalled.trial.delivery.complete,
          rate_deliveries_per_s: deliveriesAt(halfRate),
          gateway_rss_mb: stalled.memoryStalled.rssMb,
          baseline_gateway_rss_mb: stalled.memoryWithout.rssMb,
          gateway_heap_mb: stalled.memoryStalled.heapMb,
          baseline_gateway_heap_mb: stalled.memoryWithout.heapMb,
          target: TARGET_STALLED_MD_P99_US,
          target_met: stalled.stalled.p99 <= TARGET_STALLED_MD_P99_US,
          ...common,
        });
      }
    } finally {
      await clients.stop();
    }

    const fills = ctx.quick ? 50 : 300;
    const lanes = await measureFills(ctx, 'lanes', 0, fills);
    const fifo = await measureFills(ctx, 'fifo', 0, fills);
    const slow = await measureFills(ctx, 'lanes', 1, fills);
    ctx.report({
      metric: 'fill_p99_us',
      value: percentile(lanes.latencies.fromEventUs, 99),
      unit: 'us',
      better: 'lower',
      baseline: 'same run with priorityLanes: false',
      baseline_value: percentile(fifo.latencies.fromEventUs, 99),
      measured_from: "the fill's event time in the fill source",
      fill_p50_us: pct(lanes.latencies.fromEventUs, 50),
      baseline_fill_p50_us: pct(fifo.latencies.fromEventUs, 50),
      fill_p99_from_publish_us: pct(lanes.latencies.fromPublishUs, 99),
      baseline_fill_p99_from_publish_us: pct(fifo.latencies.fromPublishUs, 99),
      fills: lanes.fills,
      fill_clients: FILL_CLIENTS,
      missing_fills: lanes.latencies.missing + fifo.latencies.missing,
      md_offered_deliveries_per_s: deliveriesAt(MD_RATE),
      md_published_per_s: round((lanes.stats.mdPublished / lanes.stats.elapsedMs) * 1000),
      conflated: lanes.stats.conflated,
      gateway_cpu: round(lanes.stats.cpuMs / lanes.stats.elapsedMs),
      gateway_rss_mb: lanes.stats.rssMb,
      priorities: PRIORITIES,
      target: TARGET_FILL_P99_US,
      target_met: percentile(lanes.latencies.fromEventUs, 99) <= TARGET_FILL_P99_US,
      ...common,
    });
    ctx.report({
      metric: 'slow_client_fill_p99_us',
      value: percentile(slow.latencies.slowFromEventUs, 99),
      unit: 'us',
      better: 'lower',
      baseline: 'same run with priorityLanes: false, a client reading at full speed',
      baseline_value: percentile(fifo.latencies.fromEventUs, 99),
      slow_client_reads_bytes_per_s: SLOW_BYTES_PER_SECOND,
      slow_client_fill_p50_us: pct(slow.latencies.slowFromEventUs, 50),
      other_clients_fill_p99_us: pct(slow.latencies.fromEventUs, 99),
      missing_fills: slow.latencies.missing,
      priorities: PRIORITIES,
      target: TARGET_FILL_P99_US,
      target_met: percentile(slow.latencies.slowFromEventUs, 99) <= TARGET_FILL_P99_US,
      ...common,
    });
  },
} satisfies Bench;
