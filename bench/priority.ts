import { loadavg } from 'node:os';
import { type Bench, type BenchContext, percentile, round } from './harness.ts';
import { Child } from './support/ipc.ts';
import { type ClientOps, SYMBOL_COUNT, TOPICS_PER_CLIENT } from './support/fanout-protocol.ts';
import {
  type FillClientOps,
  type FillClientReady,
  type LaneMode,
  type PriorityRunReply,
  type PriorityServerOps,
} from './support/priority-protocol.ts';

/**
 * Fill latency under market-data overload: 1,000 clients, each subscribed to 10 of 100 symbols
 * and parsing every frame as fast as it can, are offered more market data than they and the
 * gateway can handle. 4 of them (account acc1, API key), in their own process, are also
 * subscribed to fills.acc1, on which a fill is published every 10 ms with its publish time; they
 * measure its delivery latency. The same run with `priorityLanes: false` (one FIFO, no
 * conflation) is the baseline. The conflation counter is reported: on loopback it stays at 0 in a
 * run of seconds (each socket first takes ~4 MB into the kernel); docs/BENCHMARKS.md explains
 * that and what the figures mean.
 */

const CLIENTS = 1_000;
const FILL_CLIENTS = 4;
const FLOOD_CLIENTS = CLIENTS - FILL_CLIENTS;
/** Market-data messages per second offered: 2,000,000 deliveries/s, more than the clients can read. */
const MD_RATE = 20_000;
const FILL_INTERVAL_MS = 10;
/** Market data and fills before the measured fills: the fill's path is compiled by then. */
const WARMUP_MS = 500;
const TARGET_P99_US = 1_000;
const SUBSCRIBERS_PER_SYMBOL = (CLIENTS * TOPICS_PER_CLIENT) / SYMBOL_COUNT;

interface ModeResult {
  mode: LaneMode;
  fillClientPriority: string;
  run: PriorityRunReply;
  p50: number;
  p99: number;
  p99FromSchedule: number;
  fills: number;
  missing: number;
  mdDeliveredPerSecond: number;
}

/** Market-data deliveries per second offered (messages due, published or conflated, × subscribers). */
function offeredPerSecond(run: PriorityRunReply): number {
  return ((run.mdPublished + run.mdConflated) / run.elapsedMs) * 1000 * SUBSCRIBERS_PER_SYMBOL;
}

/** Market-data deliveries per second the gateway took (messages published × subscribers). */
function publishedPerSecond(run: PriorityRunReply): number {
  return (run.mdPublished / run.elapsedMs) * 1000 * SUBSCRIBERS_PER_SYMBOL;
}

type FloodClients = Child<ClientOps, Record<string, never>>;
type FillClients = Child<FillClientOps, FillClientReady>;
type Server = Child<PriorityServerOps, { port: number; path: string }>;

/**
 * One mode in fresh processes: the gateway, the flood clients and the fill clients. All three are
 * killed at the end: after an overload the flood clients still have megabytes per socket to read,
 * which is nothing the next mode should inherit.
 */
async function measureMode(ctx: BenchContext, mode: LaneMode, durationMs: number): Promise<ModeResult> {
  const server: Server = new Child(
    `priority ${mode} server`,
    new URL('./support/priority-server.ts', import.meta.url),
    [mode],
    { readyTimeoutMs: 30_000 },
  );
  const flood: FloodClients = new Child(
    'priority flood clients',
    new URL('./support/fanout-clients.ts', import.meta.url),
    [],
    { readyTimeoutMs: 30_000 },
  );
  const fillClients: FillClients = new Child(
    'priority fill clients',
    new URL('./support/priority-fill-client.ts', import.meta.url),
    [],
    { readyTimeoutMs: 30_000 },
  );
  try {
    const [{ port, path }, , { priority }] = await Promise.all([
      server.ready,
      flood.ready,
      fillClients.ready,
    ]);
    await flood.request('connect', { port, path, first: 0, count: FLOOD_CLIENTS, consume: 'parse' }, 60_000);
    await fillClients.request('connect', { port, path, first: FLOOD_CLIENTS, count: FILL_CLIENTS }, 30_000);
    await fillClients.request('reset', {}, 5_000);
    const run = await server.request(
      'run',
      { mdRate: MD_RATE, warmupMs: WARMUP_MS, durationMs, fillIntervalMs: FILL_INTERVAL_MS },
      (WARMUP_MS + durationMs) * 3 + 10_000,
    );
    const latencies = await fillClients.request(
      'collect',
      { fills: run.fillsPublished, timeoutMs: 10_000 },
      20_000,
    );
    // The flood process may be seconds behind on its sockets: its answer comes late, its snapshots do not.
    const read = await flood.request('received', { fromMs: run.startMs, toMs: run.endMs }, 60_000);
    const result: ModeResult = {
      mode,
      fillClientPriority: priority,
      run,
      p50: percentile(latencies.fromPublishUs, 50),
      p99: percentile(latencies.fromPublishUs, 99),
      p99FromSchedule: percentile(latencies.fromScheduleUs, 99),
      fills: run.fillsPublished,
      missing: latencies.missing,
      mdDeliveredPerSecond: read.ms > 0 ? (read.frames / read.ms) * 1000 : 0,
    };
    ctx.note(
      `${mode}: ${run.fillsPublished} fills × ${FILL_CLIENTS} clients, fill p50 ${round(result.p50)} us, ` +
        `p99 ${round(result.p99)} us (from schedule ${round(result.p99FromSchedule)} us), missing ${result.missing}; ` +
        `md offered ${round(offeredPerSecond(run))}/s, published ${round(publishedPerSecond(run))}/s ` +
        `(${run.mdConflated} messages conflated at the source), ` +
        `read ~${round(result.mdDeliveredPerSecond)}/s by the flood clients, conflated by the gateway ${run.conflated}, ` +
        `closed ${JSON.stringify(run.closed)}, server cpu ${Math.round((run.cpuMs / run.elapsedMs) * 100)}%, ` +
        `memory ${run.memoryMb} MB`,
    );
    return result;
  } finally {
    await Promise.all([server.stop(), flood.stop(), fillClients.stop()]);
  }
}

export default {
  name: 'priority',
  description:
    'fill latency (fills.acc1) while 1,000 clients are offered more market data than they can read',
  async run(ctx) {
    // Other work on this shared 2-core machine moves these figures: the load at the start says how busy it was.
    const loadAtStart = round(loadavg()[0]!);
    const durationMs = ctx.quick ? 500 : 3_000;
    const lanes = await measureMode(ctx, 'lanes', durationMs);
    const fifo = await measureMode(ctx, 'fifo', durationMs);
    if (lanes.run.conflated === 0) {
      ctx.note(
        'the gateway did not conflate per connection: no socket backlog got past the kernel buffers (see docs)',
      );
    }
    ctx.report({
      metric: 'fill_p99_us',
      value: lanes.p99,
      unit: 'us',
      better: 'lower',
      baseline: 'same run with priorityLanes: false',
      baseline_value: fifo.p99,
      fill_p50_us: round(lanes.p50),
      baseline_fill_p50_us: round(fifo.p50),
      fill_p99_from_schedule_us: round(lanes.p99FromSchedule),
      baseline_fill_p99_from_schedule_us: round(fifo.p99FromSchedule),
      fills: lanes.fills,
      baseline_fills: fifo.fills,
      fill_clients: FILL_CLIENTS,
      fill_client_priority: lanes.fillClientPriority,
      missing_fills: lanes.missing + fifo.missing,
      conflated: lanes.run.conflated,
      md_offered_per_s: round(offeredPerSecond(lanes.run)),
      md_published_per_s: round(publishedPerSecond(lanes.run)),
      md_conflated_at_source: lanes.run.mdConflated,
      baseline_md_published_per_s: round(publishedPerSecond(fifo.run)),
      md_read_per_s: round(lanes.mdDeliveredPerSecond),
      baseline_md_read_per_s: round(fifo.mdDeliveredPerSecond),
      target: TARGET_P99_US,
      target_met: lanes.p99 < TARGET_P99_US,
      clients: CLIENTS,
      duration_ms: durationMs,
      load_avg_1m_at_start: loadAtStart,
    });
  },
} satisfies Bench;
