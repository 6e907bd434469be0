import { loadavg } from 'node:os';
import { DEFAULT_PIPELINE_PROFILE, type PipelineProfileName } from '../src/pipeline/index.ts';
import { type Bench, type BenchContext, round } from './harness.ts';
import { Child } from './support/ipc.ts';
import {
  type CaughtUpReply,
  type CaughtUpRequest,
  MAIN_STAGES,
  type NodeOps,
  type NodeReady,
  type NodeWindow,
  type ParseOnlyOps,
  type ParseOnlyReady,
  type ParseOnlyWindow,
  SIMULATOR_MAX_EVENTS_PER_SECOND,
  type SimulatorOps,
  type SimulatorReady,
  type SimulatorWindow,
  STREAM_MIX_LABEL,
} from './support/ingest-protocol.ts';

/**
 * `ingest`: ticks per second from the exchange simulator's sockets to bus publish, and the
 * receive-to-publish latency at half that rate. Three processes on this machine: the simulator,
 * the node under test (BinanceFeed → TickPipeline → MemoryBus, one subscriber on `md.>`), and in
 * turn the parse-only baseline (a bare ws client that only JSON.parses). The offered rate is
 * stepped up (doubling, then bisecting); a step holds when the consumer read every frame the
 * simulator wrote and, for the node, published every tick it was offered without drops. Each
 * profile runs in a fresh node process. docs/BENCHMARKS.md explains the method and the figures.
 */

const TARGET_TICKS_PER_SECOND = 500_000;
const TARGET_P99_US = 1_000;
/**
 * A consumer keeps up when, this long after a window, it has read every frame the simulator wrote
 * in it and published every tick it was offered: a lag of at most this much is tolerated (the
 * depth streams arrive as one burst every 100 ms, so counts taken at one instant never match).
 */
const CATCH_UP_GRACE_MS = 150;
/** The simulator keeps its rate when it makes at least this share of the events asked for. */
const SIM_KEEPS_RATE = 0.9;
/** A step that publishes less than this much more than the last one adds nothing: stop raising. */
const MIN_GROWTH = 1.05;
const START_EVENTS_PER_SECOND = 25_000;
const MIN_EVENTS_PER_SECOND = 3_000;
/**
 * Every book needs one diff before its snapshot is fetched: warm up at a rate that reaches them all
 * within seconds. At 50,000 symbols, 20,000 events/s is about 0.3 per symbol and second, and leaves
 * the simulator time to answer ~1,000 snapshots/s; at 50,000 events/s it answers about half that.
 */
const WARM_EVENTS_PER_SECOND = { 1_000: 25_000, 50_000: 20_000 } as Record<number, number>;
const WARM_IN_SYNC = 0.99;
const PROFILE_INTERVAL_US = 200;
/** Unmeasured windows before the half-rate step, until two in a row hold (settleAt). */
const SETTLE_ATTEMPTS = 10;
const SETTLED_IN_A_ROW = 2;
const SETTLE_WINDOW_MS = 300;
/** The simulator answers between batches; at 50,000 symbols a subscription burst keeps it busy for seconds. */
const SIM_TIMEOUT_MS = 30_000;
/** Set to a directory to write a CPU profile of each node process (node --cpu-prof). */
const PROFILE_DIR = process.env.INGEST_CPU_PROF;

interface Plan {
  runs: { symbols: number; profiles: PipelineProfileName[]; warmTimeoutMs: number }[];
  settleMs: number;
  windowMs: number;
  bisections: number;
  halfRateMs: number;
  profileMs: number;
}

const FULL_PLAN: Plan = {
  runs: [
    { symbols: 1_000, profiles: ['throughput', 'latency', 'symbols'], warmTimeoutMs: 20_000 },
    // 50,000 symbols × 2 streams: 98 connections with the symbols profile's 1,024 streams each,
    // against 500 with the throughput profile's 200. 50,000 snapshots take about a minute; if the
    // warm-up does not finish in time, the run is measured anyway and says so (`warm`).
    { symbols: 50_000, profiles: ['symbols'], warmTimeoutMs: 120_000 },
  ],
  settleMs: 400,
  windowMs: 1_200,
  bisections: 1,
  halfRateMs: 1_500,
  profileMs: 1_200,
};

const QUICK_PLAN: Plan = {
  runs: [{ symbols: 1_000, profiles: [DEFAULT_PIPELINE_PROFILE], warmTimeoutMs: 20_000 }],
  settleMs: 300,
  windowMs: 800,
  bisections: 0,
  halfRateMs: 800,
  profileMs: 600,
};

type Simulator = Child<SimulatorOps, SimulatorReady>;
/** What a step needs of a consumer process: open and close a measurement window, then check it kept up. */
interface Consumer<W> {
  begin(): Promise<unknown>;
  end(): Promise<W>;
  caughtUp(request: CaughtUpRequest): Promise<CaughtUpReply>;
}

function windowsOf<W>(child: {
  request(op: 'begin', args: Record<string, never>, timeoutMs: number): Promise<unknown>;
  request(op: 'end', args: Record<string, never>, timeoutMs: number): Promise<W>;
  request(op: 'caughtUp', args: CaughtUpRequest, timeoutMs: number): Promise<CaughtUpReply>;
}): Consumer<W> {
  return {
    begin: () => child.request('begin', {}, 10_000),
    end: () => child.request('end', {}, 10_000),
    caughtUp: (request) => child.request('caughtUp', request, request.graceMs + 10_000),
  };
}

interface Step<W> {
  rate: number;
  sim: SimulatorWindow;
  consumer: W;
  lag: CaughtUpReply;
  /** The simulator made the events asked for. */
  simKeptRate: boolean;
  /** The consumer read (and for the node, published) everything, without drops. */
  held: boolean;
  why: string;
}

interface Search<W> {
  best: Step<W> | undefined;
  steps: Step<W>[];
  limitedBy: 'consumer' | 'simulator' | 'rate cap';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const perSecond = (count: number, elapsedMs: number) => (count * 1_000) / elapsedMs;

async function measureStep<W extends NodeWindow | ParseOnlyWindow>(
  sim: Simulator,
  consumer: Consumer<W>,
  rate: number,
  settleMs: number,
  windowMs: number,
): Promise<Step<W>> {
  await sim.request('rate', { eventsPerSecond: rate }, SIM_TIMEOUT_MS);
  await sleep(settleMs);
  await sim.request('begin', {}, SIM_TIMEOUT_MS);
  await consumer.begin();
  await sleep(windowMs);
  const consumed = await consumer.end();
  const simulated = await sim.request('end', {}, SIM_TIMEOUT_MS);
  const lag = await consumer.caughtUp({ frames: simulated.framesWritten, graceMs: CATCH_UP_GRACE_MS });
  return judge(rate, simulated, consumed, lag);
}

function judge<W extends NodeWindow | ParseOnlyWindow>(
  rate: number,
  sim: SimulatorWindow,
  consumer: W,
  lag: CaughtUpReply,
): Step<W> {
  const simKeptRate =
    sim.eventsSkipped === 0 && perSecond(sim.events, sim.elapsedMs) >= rate * SIM_KEEPS_RATE;
  const reasons: string[] = [];
  if (!lag.caughtUp) {
    reasons.push(
      `${lag.missingFrames} frames unread, ${lag.missingTicks} ticks unpublished ${CATCH_UP_GRACE_MS} ms after the window`,
    );
  }
  if ('published' in consumer && consumer.droppedTotal > 0) {
    reasons.push(`dropped ${describeDrops(consumer)}`);
  }
  return {
    rate,
    sim,
    consumer,
    lag,
    simKeptRate,
    held: reasons.length === 0,
    why: reasons.join('; ') || 'ok',
  };
}

function describeDrops(window: NodeWindow): string {
  const parts = Object.entries(window.dropped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason}=${count}`);
  return parts.length === 0 ? 'none' : parts.join(',');
}

function ticksOf(window: NodeWindow | ParseOnlyWindow): number {
  return 'published' in window ? window.published : window.ticks;
}

function describeStep(what: string, step: Step<NodeWindow | ParseOnlyWindow>): string {
  const c = step.consumer;
  const ticks = perSecond(ticksOf(c), c.elapsedMs);
  return (
    `${what} ${step.rate} events/s offered: sim made ${Math.round(perSecond(step.sim.events, step.sim.elapsedMs))}` +
    `${step.sim.eventsSkipped > 0 ? ` (skipped ${step.sim.eventsSkipped})` : ''}, ` +
    `${Math.round(perSecond(c.frames, c.elapsedMs))} frames/s, ${Math.round(ticks)} ticks/s; ${step.why}; ` +
    `cpu sim ${round(step.sim.cpuMs / step.sim.elapsedMs)} consumer ${round(c.cpuMs / c.elapsedMs)}` +
    // Books resyncing in a window cost the node snapshot fetches and parses.
    ('gaps' in c && c.gaps + c.snapshots > 0 ? `; ${c.gaps} book gaps, ${c.snapshots} snapshots` : '')
  );
}

/**
 * Runs short unmeasured windows at `rate` until SETTLED_IN_A_ROW hold in a row: after an
 * overloaded step the simulator's socket buffers and the node's rings still hold seconds of
 * backlog, which would otherwise be measured as the next step's latency.
 */
async function settleAt<W extends NodeWindow | ParseOnlyWindow>(
  ctx: BenchContext,
  sim: Simulator,
  consumer: Consumer<W>,
  rate: number,
  plan: Plan,
): Promise<void> {
  let inARow = 0;
  for (let attempt = 1; attempt <= SETTLE_ATTEMPTS && inARow < SETTLED_IN_A_ROW; attempt++) {
    const probe = await measureStep(sim, consumer, rate, plan.settleMs, SETTLE_WINDOW_MS);
    inARow = probe.held ? inARow + 1 : 0;
    if (!probe.held) ctx.note(`settling at ${rate} events/s, attempt ${attempt}: ${probe.why}`);
  }
}

/**
 * Raises the offered rate (doubling from START_EVENTS_PER_SECOND) while the consumer holds, the
 * simulator keeps the rate and the consumer's ticks per second still grow; or, if the first step
 * fails, halves it until one holds. Then bisects between the highest holding step and the lowest
 * failing one. The best step is the holding one with the most ticks per second.
 */
async function searchRate<W extends NodeWindow | ParseOnlyWindow>(
  ctx: BenchContext,
  what: string,
  sim: Simulator,
  consumer: Consumer<W>,
  plan: Plan,
): Promise<Search<W>> {
  const steps: Step<W>[] = [];
  const attempt = async (rate: number): Promise<Step<W>> => {
    const step = await measureStep(sim, consumer, rate, plan.settleMs, plan.windowMs);
    ctx.note(describeStep(what, step));
    steps.push(step);
    return step;
  };
  const ticksPerSecond = (step: Step<W>) => perSecond(ticksOf(step.consumer), step.consumer.elapsedMs);
  let limitedBy: Search<W>['limitedBy'] = 'rate cap';
  let pass: Step<W> | undefined;
  let failRate = 0;
  const first = await attempt(START_EVENTS_PER_SECOND);
  if (first.held) {
    pass = first;
    if (!first.simKeptRate) limitedBy = 'simulator';
    for (let rate = first.rate * 2; first.simKeptRate && rate <= SIMULATOR_MAX_EVENTS_PER_SECOND; rate *= 2) {
      const step = await attempt(rate);
      if (!step.held) {
        failRate = rate;
        limitedBy = 'consumer';
        break;
      }
      const grew = ticksPerSecond(step) >= ticksPerSecond(pass) * MIN_GROWTH;
      pass = step;
      if (!step.simKeptRate || !grew) {
        limitedBy = 'simulator';
        break;
      }
    }
  } else {
    // Too much already: halve until a step holds.
    limitedBy = 'consumer';
    failRate = first.rate;
    for (let rate = first.rate / 2; rate >= MIN_EVENTS_PER_SECOND; rate /= 2) {
      const step = await attempt(rate);
      if (step.held) {
        pass = step;
        break;
      }
      failRate = rate;
    }
  }
  for (let i = 0; i < plan.bisections && pass !== undefined && failRate > 0; i++) {
    const middle = Math.round(Math.sqrt(pass.rate * failRate));
    if (middle <= pass.rate * 1.05 || middle >= failRate) break;
    const step = await attempt(middle);
    if (step.held) pass = step;
    else failRate = middle;
  }
  const best = steps
    .filter((step) => step.held)
    .reduce<Step<W> | undefined>(
      (top, step) => (top === undefined || ticksPerSecond(step) > ticksPerSecond(top) ? step : top),
      undefined,
    );
  return { best, steps, limitedBy };
}

function startSimulator(symbols: number): Simulator {
  return new Child<SimulatorOps, SimulatorReady>(
    'ingest simulator',
    new URL('./support/ingest-simulator.ts', import.meta.url),
    [JSON.stringify({ symbols, initialEventsPerSecond: WARM_EVENTS_PER_SECOND[symbols] ?? 25_000 })],
    { readyTimeoutMs: 60_000 },
  );
}

async function measureBaseline(
  ctx: BenchContext,
  sim: Simulator,
  ready: SimulatorReady,
  symbols: number,
  plan: Plan,
): Promise<Search<ParseOnlyWindow>> {
  const consumer = new Child<ParseOnlyOps, ParseOnlyReady>(
    'ingest parse-only',
    new URL('./support/ingest-parse-only.ts', import.meta.url),
    [JSON.stringify({ restUrl: ready.url, wsUrl: ready.wsUrl, symbols, streamsPerConnection: 1_024 })],
    { readyTimeoutMs: 120_000 },
  );
  try {
    const { connections } = await consumer.ready;
    ctx.note(`parse-only baseline: ${symbols} symbols on ${connections} connections`);
    return await searchRate(ctx, 'parse-only', sim, windowsOf<ParseOnlyWindow>(consumer), plan);
  } finally {
    await consumer.stop();
  }
}

interface CpuFields {
  [field: string]: number | null;
}

/** Who spent the CPU, per published tick and in cores, in one window. */
function cpuFields(sim: SimulatorWindow, node: NodeWindow): CpuFields {
  const perTick = (ms: number) => (node.published === 0 ? null : round((ms * 1e6) / node.published));
  return {
    sim_cpu_cores: round(sim.cpuMs / sim.elapsedMs),
    node_cpu_cores: round(node.cpuMs / node.elapsedMs),
    sim_ns_per_tick: perTick(sim.cpuMs),
    node_ns_per_tick: perTick(node.cpuMs),
    main_thread_ns_per_tick: node.threads === null ? null : perTick(node.threads.mainMs),
    worker_threads_ns_per_tick: node.threads === null ? null : perTick(node.threads.workersMs),
    background_threads_ns_per_tick: node.threads === null ? null : perTick(node.threads.backgroundMs),
    main_elu: round(node.mainElu),
  };
}

async function measureNode(
  ctx: BenchContext,
  sim: Simulator,
  ready: SimulatorReady,
  symbols: number,
  profile: PipelineProfileName,
  warmTimeoutMs: number,
  baseline: Search<ParseOnlyWindow>,
  plan: Plan,
): Promise<void> {
  await sim.request('rate', { eventsPerSecond: WARM_EVENTS_PER_SECOND[symbols] ?? 25_000 }, SIM_TIMEOUT_MS);
  const node = new Child<NodeOps, NodeReady>(
    'ingest node',
    new URL('./support/ingest-node-process.ts', import.meta.url),
    [JSON.stringify({ restUrl: ready.url, wsUrl: ready.wsUrl, symbols, profile })],
    {
      readyTimeoutMs: 120_000,
      nodeFlags: PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`],
    },
  );
  try {
    const { workers, streamsPerConnection } = await node.ready;
    const warm = await node.request(
      'warm',
      { timeoutMs: warmTimeoutMs, inSyncFraction: WARM_IN_SYNC },
      warmTimeoutMs + 10_000,
    );
    ctx.note(
      `node ${profile} at ${symbols} symbols: ${workers} worker(s), ${warm.connectionsLive}/${warm.connections} connections live ` +
        `(${streamsPerConnection} streams each), ${warm.booksInSync}/${warm.books} books in sync after ${Math.round(warm.elapsedMs)} ms` +
        `${warm.warm ? '' : ' (warm-up timed out; measuring anyway)'}`,
    );
    const windows = windowsOf<NodeWindow>(node);
    const search = await searchRate(ctx, `node ${profile}`, sim, windows, plan);
    const best =
      search.best ??
      search.steps.reduce((top, step) => (ticksOf(step.consumer) > ticksOf(top.consumer) ? step : top));
    const c = best.consumer;
    const ticksPerSecond = perSecond(c.published, c.elapsedMs);
    const framesPerSecond = perSecond(c.frames, c.elapsedMs);
    const baselineBest = baseline.best ?? baseline.steps.at(-1)!;
    const b = baselineBest.consumer;
    const baselineTicks = perSecond(b.ticks, b.elapsedMs);

    // Main-thread stages, from a sampling profile at the best step's rate (not in the figure's window).
    await sim.request('rate', { eventsPerSecond: best.rate }, SIM_TIMEOUT_MS);
    await sleep(plan.settleMs);
    const profiled = await node.request(
      'profile',
      { durationMs: plan.profileMs, intervalUs: PROFILE_INTERVAL_US },
      plan.profileMs + 15_000,
    );
    // Shares, not ns: the profiler itself costs the main thread time, so only proportions carry over.
    const stageFields = Object.fromEntries(
      MAIN_STAGES.map((stage) => [`main_${stage}_share`, round(profiled.shares[stage])]),
    );
    const common = {
      symbols,
      profile,
      streams: STREAM_MIX_LABEL,
      workers,
      connections: warm.connections,
      warm: warm.warm,
      books_in_sync: warm.booksInSync,
      books: warm.books,
      load_avg_1m: round(loadavg()[0] ?? 0),
    };
    ctx.report({
      metric: 'ticks_per_s',
      value: ticksPerSecond,
      unit: 'ticks/s',
      better: 'higher',
      baseline: 'parse-only ws consumer',
      baseline_value: baselineTicks,
      ...common,
      target: TARGET_TICKS_PER_SECOND,
      target_fraction: round(ticksPerSecond / TARGET_TICKS_PER_SECOND),
      sustained: search.best !== undefined,
      limited_by: search.limitedBy,
      baseline_limited_by: baseline.limitedBy,
      baseline_ns_per_tick: b.ticks === 0 ? null : round((b.cpuMs * 1e6) / b.ticks),
      json_parse_ns_per_tick: b.ticks === 0 ? null : round((b.parseMs * 1e6) / b.ticks),
      offered_events_per_s: best.rate,
      sim_events_per_s: Math.round(perSecond(best.sim.events, best.sim.elapsedMs)),
      frames_per_s: Math.round(framesPerSecond),
      ticks_per_frame: round(c.published / Math.max(1, c.frames)),
      dropped: describeDrops(c),
      ...cpuFields(best.sim, c),
      ...stageFields,
      profile_samples: profiled.samples,
    });

    // Half the best step's event rate, as the simulator actually made it.
    const halfRate = Math.max(1_000, Math.round(perSecond(best.sim.events, best.sim.elapsedMs) / 2));
    // The profiler slows the main thread; at 50,000 symbols books gap and resync after it (about
    // 2,000 snapshots), and a window measured before they are back measures the resync.
    await sim.request('rate', { eventsPerSecond: halfRate }, SIM_TIMEOUT_MS);
    const rewarm = await node.request(
      'warm',
      { timeoutMs: warmTimeoutMs, inSyncFraction: WARM_IN_SYNC },
      warmTimeoutMs + 10_000,
    );
    if (!rewarm.warm) ctx.note(`node ${profile}: books not back in sync before the half-rate window`);
    await settleAt(ctx, sim, windows, halfRate, plan);
    const half = await measureStep(sim, windows, halfRate, plan.settleMs, plan.halfRateMs);
    const h = half.consumer;
    ctx.note(describeStep(`node ${profile} half rate`, half));
    ctx.report({
      metric: 'latency_p99_us',
      value: h.latencyP99Us,
      unit: 'us',
      better: 'lower',
      baseline: 'target (1 ms)',
      baseline_value: TARGET_P99_US,
      ...common,
      latency_p50_us: round(h.latencyP50Us),
      ticks_per_s: Math.round(perSecond(h.published, h.elapsedMs)),
      offered_events_per_s: halfRate,
      from_exchange_p50_us: round(h.fromExchangeP50Us),
      from_exchange_p99_us: round(h.fromExchangeP99Us),
      kept_up: half.held,
      dropped: describeDrops(h),
      book_gaps: h.gaps,
      snapshots: h.snapshots,
      ...cpuFields(half.sim, h),
    });
  } finally {
    await node.stop(PROFILE_DIR === undefined ? 0 : 10_000);
  }
}

export default {
  name: 'ingest',
  description:
    'simulator sockets → BinanceFeed → TickPipeline → bus: ticks/s and receive-to-publish latency, vs a parse-only ws consumer',
  async run(ctx) {
    const plan = ctx.quick ? QUICK_PLAN : FULL_PLAN;
    ctx.note(
      `streams ${STREAM_MIX_LABEL}; load average ${loadavg()
        .map((load) => round(load))
        .join(' ')}`,
    );
    for (const run of plan.runs) {
      const sim = startSimulator(run.symbols);
      try {
        const ready = await sim.ready;
        const baseline = await measureBaseline(ctx, sim, ready, run.symbols, plan);
        for (const profile of run.profiles) {
          await measureNode(ctx, sim, ready, run.symbols, profile, run.warmTimeoutMs, baseline, plan);
        }
      } finally {
        await sim.stop();
      }
    }
  },
} satisfies Bench;
