/**
 * What the priority benchmark and its child processes agree on: the account whose fills are
 * measured, its API key, the fill message, and the operations each child serves over IPC.
 */

export const FILL_ACCOUNT = 'acc1';
export const FILL_TOPIC = `fills.${FILL_ACCOUNT}`;
export const FILL_API_KEY = 'bench-key-0123456789';
/**
 * The market-data source hands the gateway at most 5 ms of its rate per event-loop turn (100
 * messages, 10,000 deliveries at 20,000/s) and conflates per symbol when it falls behind, as the
 * node's tick drain yields to I/O after a bounded batch under the `conflate` input policy.
 * Bigger bursts make each client's share of a turn arrive as one long run of frames that its
 * reader must parse before it reaches a fill written just after.
 */
export const MD_BURST_MS = 5;
export const LANE_MODES = ['lanes', 'fifo'] as const;
/** lanes: the gateway as configured. fifo: `priorityLanes: false` (one FIFO, no conflation). */
export type LaneMode = (typeof LANE_MODES)[number];

/** The payload of a benchmark fill (a type, not an interface, so that it is a bus JsonValue). */
export type BenchFill = {
  fill: number;
  account: string;
  /** When it was published on the bus (wallClockMs). */
  publishedMs: number;
  /** When its timer was due: a late timer means the gateway's event loop was busy. */
  scheduledMs: number;
  /** Published in the run's warm-up (the JIT still compiling the fill's path): not measured. */
  warmup: boolean;
};

export interface PriorityRunRequest {
  /** Market-data messages per second offered (×100 subscribers each). */
  mdRate: number;
  /** Market data and fills run this long before the measured fills start. */
  warmupMs: number;
  durationMs: number;
  fillIntervalMs: number;
}

export interface PriorityRunReply {
  /** wallClockMs at the start and end of the run. */
  startMs: number;
  endMs: number;
  /** Over warm-up and measured run alike, as are the other market-data and CPU figures. */
  mdPublished: number;
  /** Market-data messages the source skipped (latest per symbol kept) because the gateway was behind. */
  mdConflated: number;
  /** Measured fills (after the warm-up). */
  fillsPublished: number;
  elapsedMs: number;
  conflated: number;
  closed: Record<string, number>;
  cpuMs: number;
  /** Heap and external memory at the end of the run, in MB (FIFO queues grow without bound). */
  memoryMb: number;
}

export type PriorityServerOps = {
  run: { request: PriorityRunRequest; reply: PriorityRunReply };
};

export interface FillLatencies {
  /** Publish -> client receive, one per fill per fill client, in µs. */
  fromPublishUs: number[];
  /** Scheduled time -> client receive. */
  fromScheduleUs: number[];
  /** Fills expected (published × clients) that did not arrive before the timeout. */
  missing: number;
  /** Market-data frames the fill clients read meanwhile. */
  marketData: number;
}

export interface FillClientReady {
  /** The scheduling priority the fill clients run at (see priority-fill-client.ts). */
  priority: string;
}

export type FillClientOps = {
  connect: {
    request: { port: number; path: string; first: number; count: number };
    reply: { connected: number };
  };
  /** Forgets what was measured so far. */
  reset: { request: Record<string, never>; reply: Record<string, never> };
  /** Waits until every client has `fills` fills (or the timeout), then returns the latencies. */
  collect: { request: { fills: number; timeoutMs: number }; reply: FillLatencies };
  disconnect: { request: Record<string, never>; reply: { closed: number } };
};
