/**
 * The `ingest` benchmark's node process: startIngestNode against the simulator, measured over
 * windows the benchmark opens and closes (`begin`/`end`): counters, process and per-thread CPU,
 * main-thread event-loop utilization and latency percentiles; `profile` adds a sampling profile
 * of the main thread split by stage.
 */
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { serveRequests } from './ipc.ts';
import { type IngestNodeCounters, startIngestNode } from './ingest-node.ts';
import { profileMainThread } from './ingest-profile.ts';
import { waitUntil } from './ingest-wait.ts';
import {
  type CaughtUpReply,
  type NodeArgs,
  type NodeOps,
  type NodeReady,
  type NodeWindow,
  symbolNamesOf,
  type WarmState,
} from './ingest-protocol.ts';
import { readThreadTimes, threadCpuBetween, type ThreadTimes } from './ingest-threads.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
const WARM_POLL_MS = 200;

const args = JSON.parse(process.argv[2] ?? '{}') as NodeArgs;
const info: unknown = await (await fetch(`${args.restUrl}/api/v3/exchangeInfo`)).json();
const node = await startIngestNode({
  restUrl: args.restUrl,
  wsUrl: args.wsUrl,
  symbols: symbolNamesOf(info, args.symbols),
  profile: args.profile,
});
const startedAt = performance.now();

interface WindowStart {
  at: number;
  cpu: NodeJS.CpuUsage;
  threads: ThreadTimes | null;
  elu: EventLoopUtilization;
  counters: IngestNodeCounters;
}

let windowStart: WindowStart | undefined;
/** Counters at the last `end`: what the node must have processed to have caught up. */
let atEnd: IngestNodeCounters | undefined;

function begin(): WindowStart {
  node.fromReceive.reset();
  node.fromExchange.reset();
  windowStart = {
    at: performance.now(),
    cpu: process.cpuUsage(),
    threads: readThreadTimes(),
    elu: performance.eventLoopUtilization(),
    counters: node.counters(),
  };
  return windowStart;
}

function end(): NodeWindow {
  if (windowStart === undefined) throw new Error('end without begin');
  const start = windowStart.counters;
  const elapsedMs = performance.now() - windowStart.at;
  const cpu = process.cpuUsage(windowStart.cpu);
  const threads = threadCpuBetween(windowStart.threads, readThreadTimes(), node.workers);
  const elu = performance.eventLoopUtilization(windowStart.elu).utilization;
  const counters = node.counters();
  atEnd = counters;
  const dropped: Record<string, number> = {};
  for (const [reason, count] of Object.entries(counters.dropped)) {
    const inWindow = count - (start.dropped[reason] ?? 0);
    if (inWindow > 0) dropped[reason] = inWindow;
  }
  return {
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1_000,
    threads,
    mainElu: elu,
    frames: counters.frames - start.frames,
    framesWritten: counters.framesWritten - start.framesWritten,
    framesNormalized: counters.framesNormalized - start.framesNormalized,
    ticksWritten: counters.ticksWritten - start.ticksWritten,
    published: counters.published - start.published,
    dropped,
    droppedTotal: Object.values(dropped).reduce((total, count) => total + count, 0),
    malformed: counters.malformed - start.malformed,
    gaps: counters.gaps - start.gaps,
    snapshots: counters.snapshots - start.snapshots,
    latencyP50Us: node.fromReceive.percentile(50) / 1_000,
    latencyP99Us: node.fromReceive.percentile(99) / 1_000,
    fromExchangeP50Us: node.fromExchange.percentile(50) / 1_000,
    fromExchangeP99Us: node.fromExchange.percentile(99) / 1_000,
  };
}

async function caughtUp(frames: number, graceMs: number): Promise<CaughtUpReply> {
  const start = windowStart?.counters;
  const owed = atEnd;
  if (start === undefined || owed === undefined) throw new Error('caughtUp without begin and end');
  const missing = () => {
    const now = node.counters();
    return {
      frames: Math.max(0, frames - (now.frames - start.frames), owed.framesWritten - now.framesNormalized),
      ticks: Math.max(0, owed.ticksWritten - start.ticksWritten - (now.published - start.published)),
    };
  };
  const done = await waitUntil(() => {
    const now = missing();
    return now.frames === 0 && now.ticks === 0;
  }, graceMs);
  const now = missing();
  return { caughtUp: done, missingFrames: now.frames, missingTicks: now.ticks };
}

/** Until every connection is live with its streams confirmed and enough books are in sync, or the timeout. */
async function warm(timeoutMs: number, inSyncFraction: number): Promise<WarmState> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const health = node.health();
    const warmNow =
      health.connections > 0 &&
      health.connectionsLive === health.connections &&
      health.unconfirmed === 0 &&
      health.booksInSync >= health.books * inSyncFraction;
    if (warmNow || performance.now() >= deadline) {
      return {
        warm: warmNow,
        elapsedMs: performance.now() - startedAt,
        connections: health.connections,
        connectionsLive: health.connectionsLive,
        books: health.books,
        booksInSync: health.booksInSync,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, WARM_POLL_MS));
  }
}

serveRequests<NodeOps>(
  {
    warm: ({ timeoutMs, inSyncFraction }) => warm(timeoutMs, inSyncFraction),
    begin: () => {
      begin();
      return { ok: true };
    },
    end: () => end(),
    caughtUp: ({ frames, graceMs }) => caughtUp(frames, graceMs),
    profile: async ({ durationMs, intervalUs }) => {
      begin();
      const profile = await profileMainThread(durationMs, intervalUs);
      return { window: end(), shares: profile.shares, samples: profile.samples };
    },
  },
  { workers: node.workers, streamsPerConnection: node.streamsPerConnection } satisfies NodeReady,
  MAX_LIFETIME_MS,
);
