import { type BenchContext, percentile, round } from '../harness.ts';
import { Child } from './ipc.ts';
import {
  type ClientOps,
  type ClientWire,
  type ExpectReply,
  type ServerKind,
  type ServerOps,
  type ServerReady,
  type StepReply,
  SYMBOL_COUNT,
  TOPICS_PER_CLIENT,
} from './fanout-protocol.ts';

/**
 * The fan-out measurement the fanout and priority benchmarks share: 1,000 JSON clients, each
 * subscribed to 10 of 100 symbols (100 subscribers per symbol), in a client process; the server
 * and its publisher in another. For each server the publish rate is stepped up (doubling, then
 * bisecting) and a step passes only if the publisher kept to the clock, every client received
 * exactly what was published on its symbols (within a short grace after the step), and nothing
 * was conflated or closed. Latency is measured from each message's due time on the feed's clock
 * to its receipt, and from the publish call. docs/BENCHMARKS.md explains the method.
 */

export const CLIENTS = 1_000;
export const SUBSCRIBERS_PER_SYMBOL = (CLIENTS * TOPICS_PER_CLIENT) / SYMBOL_COUNT;
/**
 * Messages per second (×100 deliveries) each search starts from: the gateway's well below what it
 * sustains on this machine (so a full run's doubling finds the limit in a few steps), bare ws at
 * about its own limit; the ceiling starts from the gateway's maximum.
 */
/**
 * A step starts once no frame arrived for this long: the gateway offers a long backlog in phases
 * of up to 10 ms (OFFER_PHASE_MS) with no writes meanwhile, so a shorter silence does not mean
 * an overloaded step's leftovers have all arrived.
 */
const QUIET_MS = 100;

export const START_RATE = { tickwire: 4_000, bareWs: 1_000 } as const;
const MIN_RATE = 50;
const MAX_RATE = 200_000;
const LATENCY_SAMPLES = 20_000;
/** Set to a directory to write a CPU profile of each server process (node --cpu-prof). */
const PROFILE_DIR = process.env.FANOUT_CPU_PROF;

export interface Plan {
  stepMs: number;
  bisections: number;
  /** Re-run a failed step once before believing it: one descheduling must not set the figure. */
  retryFailures: boolean;
  latencyMs: number;
  /** Where the gateway's search starts. */
  tickwireStart: number;
}

export interface Trial {
  rate: number;
  passed: boolean;
  step: StepReply;
  delivery: ExpectReply;
  conflated: number;
  closed: number;
}

export interface ServerResult {
  maxRate: number;
  trials: Trial[];
}

/** CPU the clients spent per frame, and the server's CPU share, in the passing step at the maximum rate. */
export function costsAtMax(result: ServerResult): {
  client_ns_per_frame: number | null;
  server_cpu_share: number | null;
} {
  const trial = result.trials.findLast((t) => t.passed && t.rate === result.maxRate);
  if (!trial || trial.delivery.received === 0) return { client_ns_per_frame: null, server_cpu_share: null };
  return {
    client_ns_per_frame: round((trial.delivery.cpuMs * 1e6) / trial.delivery.received),
    server_cpu_share: round(trial.step.cpuMs / trial.step.elapsedMs),
  };
}

export type Clients = Child<ClientOps, Record<string, never>>;
export type Server = Child<ServerOps, ServerReady>;

function graceMs(stepMs: number): number {
  return 50 + stepMs * 0.05;
}

async function trial(server: Server, clients: Clients, rate: number, durationMs: number): Promise<Trial> {
  await clients.request('rebase', { quietMs: QUIET_MS, timeoutMs: 20_000 }, 25_000);
  const before = await server.request('counters', {}, 5_000);
  const step = await server.request('step', { rate, durationMs }, durationMs * 3 + 5_000);
  const grace = graceMs(durationMs);
  const delivery = await clients.request(
    'expect',
    { published: step.published, timeoutMs: grace },
    grace + 10_000,
  );
  const after = await server.request('counters', {}, 5_000);
  const conflated = after.conflated - before.conflated;
  const closed = after.closed - before.closed;
  const passed = step.onSchedule && delivery.complete && conflated === 0 && closed === 0;
  return { rate, passed, step, delivery, conflated, closed };
}

export function describe(kind: ServerKind, t: Trial): string {
  const why = t.passed
    ? 'ok'
    : [
        t.step.onSchedule ? '' : `behind the clock (${Math.round(t.step.elapsedMs)} ms)`,
        t.delivery.complete ? '' : `${t.delivery.short} clients short / ${t.delivery.over} over`,
        t.conflated ? `${t.conflated} conflated` : '',
        t.closed ? `${t.closed} closed` : '',
      ]
        .filter(Boolean)
        .join(', ');
  const received = t.delivery.received;
  return (
    `${kind} ${t.rate} msg/s (${deliveriesAt(t.rate)} deliveries/s): ${why}; ` +
    `server cpu ${Math.round((t.step.cpuMs / t.step.elapsedMs) * 100)}%, ` +
    `client ${received > 0 ? round((t.delivery.cpuMs * 1e6) / received) : '-'} ns/frame, ` +
    `max burst ${t.step.maxBurst}`
  );
}

/** Highest passing rate: doubling (or halving) from `start`, then bisecting between pass and fail. */
export async function searchMaxRate(
  ctx: BenchContext,
  kind: ServerKind,
  server: Server,
  clients: Clients,
  start: number,
  plan: Plan,
): Promise<ServerResult> {
  const trials: Trial[] = [];
  const attempt = async (rate: number): Promise<boolean> => {
    let result = await trial(server, clients, rate, plan.stepMs);
    ctx.note(describe(kind, result));
    if (!result.passed && plan.retryFailures) {
      trials.push(result);
      result = await trial(server, clients, rate, plan.stepMs);
      ctx.note(`  retry: ${describe(kind, result)}`);
    }
    trials.push(result);
    return result.passed;
  };
  // Warm-up, not counted: the server's and clients' code gets optimized before the first real step.
  await trial(server, clients, Math.max(MIN_RATE, Math.round(start / 4)), plan.stepMs);
  let pass = 0;
  let fail = 0;
  let rate = start;
  if (await attempt(rate)) {
    pass = rate;
    while (rate < MAX_RATE) {
      rate *= 2;
      if (!(await attempt(rate))) {
        fail = rate;
        break;
      }
      pass = rate;
    }
  } else {
    fail = rate;
    while (rate > MIN_RATE) {
      rate = Math.round(rate / 2);
      if (await attempt(rate)) {
        pass = rate;
        break;
      }
      fail = rate;
    }
  }
  for (let i = 0; i < plan.bisections && pass > 0 && fail > 0; i++) {
    const middle = Math.round(Math.sqrt(pass * fail));
    if (middle <= pass || middle >= fail) break;
    if (await attempt(middle)) pass = middle;
    else fail = middle;
  }
  return { maxRate: pass, trials };
}

export interface LatencyRun {
  /** From the due time (the feed's clock). */
  p50: number;
  p99: number;
  /** From the publish call (the message handed to the server). */
  p50FromPublish: number;
  p99FromPublish: number;
  samples: number;
  sustained: boolean;
  trial: Trial;
}

/** One step at `rate` with latency sampling; the clients get time to drain whatever backlog it left. */
export async function latencyAt(
  server: Server,
  clients: Clients,
  rate: number,
  durationMs: number,
): Promise<LatencyRun> {
  await clients.request('rebase', { quietMs: QUIET_MS, timeoutMs: 20_000 }, 25_000);
  const deliveries = (deliveriesAt(rate) * durationMs) / 1000;
  await clients.request('sample', { stride: Math.max(1, Math.floor(deliveries / LATENCY_SAMPLES)) }, 5_000);
  const before = await server.request('counters', {}, 5_000);
  const step = await server.request('step', { rate, durationMs }, durationMs * 3 + 5_000);
  const delivery = await clients.request('expect', { published: step.published, timeoutMs: 20_000 }, 30_000);
  await clients.request('sample', { stride: 0 }, 5_000);
  const { fromDueUs, fromPublishUs } = await clients.request('samples', {}, 10_000);
  const after = await server.request('counters', {}, 5_000);
  const conflated = after.conflated - before.conflated;
  const closed = after.closed - before.closed;
  const withinGrace = delivery.complete && delivery.waitedMs <= graceMs(durationMs);
  const passed = step.onSchedule && withinGrace && conflated === 0 && closed === 0;
  return {
    p50: percentile(fromDueUs, 50),
    p99: percentile(fromDueUs, 99),
    p50FromPublish: percentile(fromPublishUs, 50),
    p99FromPublish: percentile(fromPublishUs, 99),
    samples: fromDueUs.length,
    sustained: passed,
    trial: { rate, passed, step, delivery, conflated, closed },
  };
}

/**
 * Starts the server of `kind`, connects the clients to it (speaking `wire`, json by default), runs
 * `body` with the server process's resident memory before the clients came, and always stops the
 * server.
 */
export async function withServer<T>(
  kind: ServerKind,
  clients: Clients,
  body: (server: Server, before: { rssMb: number }) => Promise<T>,
  wire: ClientWire = 'json',
): Promise<T> {
  const server: Server = new Child(
    `fanout ${kind} server`,
    new URL('./fanout-server.ts', import.meta.url),
    [kind],
    {
      readyTimeoutMs: 30_000,
      // One directory per server: the tsx loader thread writes a profile too.
      nodeFlags: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${kind}`] : [],
    },
  );
  try {
    const { port, path } = await server.ready;
    const { rssMb } = await server.request('memory', {}, 5_000);
    await clients.request(
      'connect',
      { port, path, wire, first: 0, count: CLIENTS, consume: 'count' },
      60_000,
    );
    try {
      return await body(server, { rssMb });
    } finally {
      // Cleanup must not hide the error that brought us here (the clients may be gone already).
      await clients.request('disconnect', {}, 10_000).catch(() => {});
    }
  } finally {
    await server.stop(PROFILE_DIR ? 10_000 : 0);
  }
}

/** The plan of a full run, or of a `--quick` smoke run. */
export function fanoutPlan(quick: boolean): Plan {
  return quick
    ? {
        stepMs: 300,
        bisections: 1,
        retryFailures: false,
        latencyMs: 300,
        tickwireStart: 2 * START_RATE.tickwire,
      }
    : {
        stepMs: 1_500,
        bisections: 3,
        retryFailures: true,
        latencyMs: 2_000,
        tickwireStart: START_RATE.tickwire,
      };
}

/** Starts the process holding the 1,000 measuring clients. */
export function startFanoutClients(): Clients {
  return new Child('fanout clients', new URL('./fanout-clients.ts', import.meta.url), [], {
    readyTimeoutMs: 30_000,
  });
}

export interface FanoutFigures {
  tickwire: ServerResult;
  /** The gateway at half its maximum rate (undefined when no rate passed). */
  tickwireLatency: LatencyRun | undefined;
  ceiling: ServerResult;
  /** The corked ceiling at the gateway's half rate: the latency baseline. */
  ceilingLatency: LatencyRun | undefined;
}

/**
 * The gateway's maximum rate and its latency at half of it, then the corked `ws` ceiling's maximum
 * and its latency at the same rate, against the same clients.
 */
export async function measureFanout(ctx: BenchContext, plan: Plan, clients: Clients): Promise<FanoutFigures> {
  const tickwire = await withServer('tickwire', clients, async (server) => {
    const search = await searchMaxRate(ctx, 'tickwire', server, clients, plan.tickwireStart, plan);
    const latency =
      search.maxRate > 0 ? await latencyAt(server, clients, search.maxRate / 2, plan.latencyMs) : undefined;
    if (latency) ctx.note(`latency at half rate: ${describe('tickwire', latency.trial)}`);
    return { search, latency };
  });
  const halfRate = tickwire.search.maxRate / 2;
  const ceiling = await withServer('ceiling', clients, async (server) => {
    const search = await searchMaxRate(
      ctx,
      'ceiling',
      server,
      clients,
      Math.max(plan.tickwireStart, tickwire.search.maxRate),
      plan,
    );
    const latency = halfRate > 0 ? await latencyAt(server, clients, halfRate, plan.latencyMs) : undefined;
    if (latency) ctx.note(`ceiling at tickwire's half rate: ${describe('ceiling', latency.trial)}`);
    return { search, latency };
  });
  return {
    tickwire: tickwire.search,
    tickwireLatency: tickwire.latency,
    ceiling: ceiling.search,
    ceilingLatency: ceiling.latency,
  };
}

/** What every figure of a fanout-scenario run carries: the scenario, its step, how busy the machine was. */
export function scenarioFields(plan: Plan, loadAtStart: number): Record<string, number> {
  return {
    clients: CLIENTS,
    symbols: SYMBOL_COUNT,
    subscribers_per_symbol: SUBSCRIBERS_PER_SYMBOL,
    step_ms: plan.stepMs,
    load_avg_1m_at_start: loadAtStart,
  };
}

/** Deliveries per second at `rate` messages per second. */
export function deliveriesAt(rate: number): number {
  return rate * SUBSCRIBERS_PER_SYMBOL;
}

/**
 * The figures both benchmarks print: `deliveries_per_s` (with the ceiling's), `ceiling_fraction`,
 * and the latency at half the gateway's maximum against the ceiling's at the same rate.
 */
export function reportFanout(
  ctx: BenchContext,
  fanout: FanoutFigures,
  common: Record<string, unknown>,
): void {
  const tickwirePerSecond = deliveriesAt(fanout.tickwire.maxRate);
  const ceilingPerSecond = deliveriesAt(fanout.ceiling.maxRate);
  ctx.report({
    metric: 'deliveries_per_s',
    value: tickwirePerSecond,
    unit: 'msg/s',
    better: 'higher',
    baseline: 'corked ws broadcast ceiling',
    baseline_value: ceilingPerSecond,
    ...costsAtMax(fanout.tickwire),
    ...common,
  });
  ctx.report({
    metric: 'ceiling_fraction',
    value: ceilingPerSecond > 0 ? tickwirePerSecond / ceilingPerSecond : 0,
    unit: 'fraction',
    better: 'higher',
    baseline: `corked ws broadcast ceiling (${ceilingPerSecond} msg/s = 1)`,
    baseline_value: 1,
    tickwire_deliveries_per_s: tickwirePerSecond,
    ceiling_deliveries_per_s: ceilingPerSecond,
    target: 0.5,
    ...common,
  });
  const tickwire = fanout.tickwireLatency;
  const ceiling = fanout.ceilingLatency;
  if (!tickwire || !ceiling) {
    ctx.note('md latency: not measured (no passing rate was found)');
    return;
  }
  for (const [metric, pick, pickFromPublish] of [
    ['md_latency_p50_us', (run: LatencyRun) => run.p50, (run: LatencyRun) => run.p50FromPublish],
    ['md_latency_p99_us', (run: LatencyRun) => run.p99, (run: LatencyRun) => run.p99FromPublish],
  ] as const) {
    ctx.report({
      metric,
      value: pick(tickwire),
      unit: 'us',
      better: 'lower',
      baseline: 'corked ws ceiling at the same rate',
      baseline_value: pick(ceiling),
      rate_deliveries_per_s: deliveriesAt(fanout.tickwire.maxRate / 2),
      samples: tickwire.samples,
      sustained: tickwire.sustained,
      baseline_sustained: ceiling.sustained,
      from_publish_call_us: round(pickFromPublish(tickwire)),
      baseline_from_publish_call_us: round(pickFromPublish(ceiling)),
      target_ratio: 1 / 1.5,
      ...common,
    });
  }
}
