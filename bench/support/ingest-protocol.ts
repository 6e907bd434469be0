import type { BinanceStreamKind, DepthSpeed } from '../../src/feeds/binance/index.ts';
import type { PipelineProfileName } from '../../src/pipeline/index.ts';
import type { IngestNodeCounters } from './ingest-node.ts';

/**
 * What the `ingest` benchmark's processes say to each other (bench/support/ipc.ts): the
 * simulator child, the ingest node child (simulator sockets → BinanceFeed → TickPipeline → bus)
 * and the parse-only baseline child. Every child measures a window between `begin` and `end`
 * on its own clock and CPU.
 */

/**
 * Streams per symbol: trades (one tick per frame) and diff depth at 100 ms (one tick per changed
 * level, many per frame), what a market-data node typically takes from Binance. bookTicker is
 * left out: the top of book is already in the depth diffs, and it would add one frame per event.
 */
export const STREAM_MIX: readonly BinanceStreamKind[] = ['trade', 'depth'];
export const DEPTH_SPEED: DepthSpeed = '100ms';
/** The mix as the figures name it. */
export const STREAM_MIX_LABEL = `${STREAM_MIX.map((kind) => (kind === 'depth' ? `depth@${DEPTH_SPEED}` : kind)).join('+')}`;

/** The highest event rate a search step offers. */
export const SIMULATOR_MAX_EVENTS_PER_SECOND = 400_000;

export interface SimulatorArgs {
  symbols: number;
  /** Events per second until the first `rate` request. */
  initialEventsPerSecond: number;
}

export interface SimulatorReady {
  url: string;
  wsUrl: string;
}

export interface SimulatorWindow {
  elapsedMs: number;
  cpuMs: number;
  events: number;
  /** Events the generator fell too far behind to make (it could not keep the rate). */
  eventsSkipped: number;
  framesWritten: number;
}

export type SimulatorOps = {
  rate: { request: { eventsPerSecond: number }; reply: { eventsPerSecond: number } };
  begin: { request: Record<string, never>; reply: { ok: true } };
  end: { request: Record<string, never>; reply: SimulatorWindow };
};

export interface NodeArgs {
  restUrl: string;
  wsUrl: string;
  symbols: number;
  profile: PipelineProfileName;
}

export interface NodeReady {
  workers: number;
  streamsPerConnection: number;
}

export interface WarmState {
  warm: boolean;
  elapsedMs: number;
  connections: number;
  connectionsLive: number;
  books: number;
  booksInSync: number;
}

/** Per-thread CPU of the node process in a window (Linux /proc; null elsewhere). */
export interface ThreadCpu {
  mainMs: number;
  /** The `workers` busiest other threads: the pipeline workers. */
  workersMs: number;
  /** Every other thread (GC helpers, compiler, libuv). */
  backgroundMs: number;
}

/** The node's counters over one window (deltas), with what the window cost. */
export interface NodeWindow extends IngestNodeCounters {
  elapsedMs: number;
  cpuMs: number;
  threads: ThreadCpu | null;
  /** Main thread event-loop utilization, 0..1. */
  mainElu: number;
  /** IngestNodeCounters.dropped holds only reasons that occurred; this is their sum. */
  droppedTotal: number;
  latencyP50Us: number;
  latencyP99Us: number;
  /** From the exchange's event time (ms resolution, simulator clock = same host clock). */
  fromExchangeP50Us: number;
  fromExchangeP99Us: number;
}

/** Main-thread CPU by stage, from a sampling profile over a window; fractions of busy samples. */
export const MAIN_STAGES = ['receive', 'feed', 'route', 'publish', 'subscriber', 'gc', 'runtime'] as const;
export type MainStage = (typeof MAIN_STAGES)[number];

export interface ProfileWindow {
  window: NodeWindow;
  /** Share of the main thread's busy samples per stage (sums to 1). */
  shares: Record<MainStage, number>;
  samples: number;
}

/**
 * After `end`: waits up to `graceMs` until the consumer has read `frames` frames since `begin`
 * (what the simulator wrote in its window) and, for the node, normalized every frame written into
 * its rings and published every tick written up to `end`. A consumer that falls behind the
 * simulator cannot.
 */
export interface CaughtUpRequest {
  frames: number;
  graceMs: number;
}

export interface CaughtUpReply {
  caughtUp: boolean;
  missingFrames: number;
  missingTicks: number;
}

export type NodeOps = {
  warm: { request: { timeoutMs: number; inSyncFraction: number }; reply: WarmState };
  begin: { request: Record<string, never>; reply: { ok: true } };
  end: { request: Record<string, never>; reply: NodeWindow };
  caughtUp: { request: CaughtUpRequest; reply: CaughtUpReply };
  profile: { request: { durationMs: number; intervalUs: number }; reply: ProfileWindow };
};

export interface ParseOnlyArgs {
  restUrl: string;
  wsUrl: string;
  symbols: number;
  streamsPerConnection: number;
}

export interface ParseOnlyReady {
  connections: number;
}

export interface ParseOnlyWindow {
  elapsedMs: number;
  cpuMs: number;
  frames: number;
  ticks: number;
  /** Time inside JSON.parse, timed around each call. */
  parseMs: number;
}

export type ParseOnlyOps = {
  begin: { request: Record<string, never>; reply: { ok: true } };
  end: { request: Record<string, never>; reply: ParseOnlyWindow };
  caughtUp: { request: CaughtUpRequest; reply: CaughtUpReply };
};

/** The first `count` symbol names of the simulator's exchangeInfo (BTCUSDT, ETHUSDT, …). */
export function symbolNamesOf(info: unknown, count: number): string[] {
  const symbols = (info as { symbols?: { symbol: string }[] }).symbols;
  if (!Array.isArray(symbols) || symbols.length < count) {
    throw new Error(`exchangeInfo lists ${symbols?.length ?? 0} symbols, the benchmark wants ${count}`);
  }
  return symbols.slice(0, count).map((entry) => entry.symbol);
}
