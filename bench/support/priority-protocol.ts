/**
 * What the priority benchmark and its child processes agree on: the account whose fills are
 * measured, its API key, the execution report a fill source sends, and the operations each child
 * serves over IPC.
 */

export const FILL_ACCOUNT = 'acc1';
export const FILL_TOPIC = `fills.${FILL_ACCOUNT}`;
export const FILL_API_KEY = 'bench-key-0123456789';
export const LANE_MODES = ['lanes', 'fifo'] as const;
/** lanes: the gateway as configured. fifo: `priorityLanes: false` (one FIFO, no conflation). */
export type LaneMode = (typeof LANE_MODES)[number];

/**
 * An execution report as the fill source sends it over its WebSocket (the fields named as in
 * Binance's user-data stream), and as the gateway publishes it on fills.acc1 with `publishedMs`
 * added. A type, not an interface, so that it is a bus JsonValue.
 */
export type ExecutionReport = {
  e: 'executionReport';
  /** Event time: wallClockMs() in the fill source when it sent the report (fractional ms). */
  E: number;
  /** Trade id: 1, 2, 3… per run. */
  t: number;
  /** Sent during the warm-up (the JIT still compiling the path): not measured. */
  warmup: boolean;
};
export type BenchFill = ExecutionReport & { account: string; publishedMs: number };

/** The fill source: a WebSocket server that sends an execution report every few ms to whoever connects. */
export type FillSourceOps = {
  send: {
    request: { intervalMs: number; warmup: number; count: number };
    reply: { sent: number; measured: number; lateMs: number };
  };
};

/** The market-data source: a TCP server that writes 64-byte trade ticks at a rate to whoever connects. */
export type MarketSourceOps = {
  run: { request: { rate: number; durationMs: number }; reply: { published: number; elapsedMs: number } };
};

export interface PriorityStats {
  /** Market-data messages the gateway took from its feed and published. */
  mdPublished: number;
  /** Fills it took from the fill source and published. */
  fillsPublished: number;
  conflated: number;
  closed: Record<string, number>;
  cpuMs: number;
  elapsedMs: number;
  /** RSS, and heap + external, in MB. */
  rssMb: number;
  heapMb: number;
}

export type PriorityServerOps = {
  /** Connects to the fill source's WebSocket and the market-data source's TCP port. */
  connect: { request: { fillSourcePort: number; marketPort: number }; reply: Record<string, never> };
  /** Zeroes the counters. */
  reset: { request: Record<string, never>; reply: Record<string, never> };
  stats: { request: Record<string, never>; reply: PriorityStats };
};

export interface FillLatencies {
  /** Event time -> client receive, one per fill per fill client, in µs. */
  fromEventUs: number[];
  /** Publish call in the gateway -> client receive. */
  fromPublishUs: number[];
  /** The same, for the slow client(s) only. */
  slowFromEventUs: number[];
  /** Fills expected (sent × clients) that did not arrive before the timeout. */
  missing: number;
  /** Market-data frames the fill clients read meanwhile. */
  marketData: number;
}

export type FillClientOps = {
  connect: {
    request: {
      port: number;
      path: string;
      first: number;
      count: number;
      /** How many of them read at most `slowBytesPerSecond` (the last ones). */
      slow: number;
      slowBytesPerSecond: number;
    };
    reply: { connected: number };
  };
  /** Forgets what was measured so far. */
  reset: { request: Record<string, never>; reply: Record<string, never> };
  /** Waits until every client has `fills` measured fills (or the timeout), then returns the latencies. */
  collect: { request: { fills: number; timeoutMs: number }; reply: FillLatencies };
};

/** Clients that subscribe to all market data and then never read a byte. */
export type StalledClientOps = {
  connect: { request: { port: number; path: string; count: number }; reply: { connected: number } };
};
