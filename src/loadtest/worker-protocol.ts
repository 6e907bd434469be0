/** Messages between the load test's runner and its client processes (Node's IPC channel). */

export interface ClientPlan {
  /** Market-data topics the client subscribes to. */
  topics: string[];
  /** The 127.0.0.x source address it connects from (loopback targets), spreading ephemeral ports. */
  localAddress?: string;
}

export interface StartWorker {
  op: 'start';
  /** The gateway's WebSocket endpoint. */
  url: string;
  apiKey?: string;
  format: 'json' | 'binary';
  clients: ClientPlan[];
  /** How many of its clients this process opens a second (the ramp). */
  connectsPerSecond: number;
  /** Clients with a credential also subscribe to their account's fills, orders and bots. */
  accountTopics: boolean;
}

export interface StopWorker {
  op: 'stop';
}

export type RunnerMessage = StartWorker | StopWorker;

/** What a client process saw in one interval (counts are the interval's, not running totals). */
export interface WorkerReport {
  op: 'report';
  /** The last report, sent once every client is closed. */
  final: boolean;
  /** Clients connected at the end of the interval. */
  connected: number;
  /** Clients that have been connected at least once, in all. */
  everConnected: number;
  deliveries: number;
  /** Messages that replaced older ones on their topic while the connection was slow. */
  conflated: number;
  /** Messages replayed from the server's history after a reconnect. */
  recovered: number;
  reconnects: number;
  resyncs: number;
  /** Errors by code (refused subscriptions, connect failures, bad frames…). */
  errors: Record<string, number>;
  /** Per event type, the interval's latency histogram (µs), HDR compressed base64. */
  histograms: Record<string, string>;
  /** The process's own load in the interval: a saturated generator delays what it measures. */
  cpuPercent: number;
  eventLoopLagP99Ms: number;
}
