/**
 * What the connections benchmark and its children say to each other, and the few facts both
 * sides must agree on (topics, the subscribe request).
 */

/** The servers measured: the Tickwire gateway, and a bare `ws` WebSocketServer as the baseline. */
export const SERVER_KINDS = ['gateway', 'ws'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Connection n subscribes to symbol n % SYMBOLS, so the gateway's hub holds SYMBOLS patterns. */
export const SYMBOLS = 100;
export const VENUE = 'SIM';

export function symbolOf(index: number): string {
  return `S${index}`;
}

export function topicOf(connection: number): string {
  return `md.trade.${VENUE}.${symbolOf(connection % SYMBOLS)}`;
}

/** The id of every client's one subscribe request. */
export const SUBSCRIBE_ID = 1;

export interface MemoryReading {
  /** process.memoryUsage() right after forced full GCs. */
  rss: number;
  /** RSS split into anonymous and file-backed pages (the node binary's code): Linux only, else NaN. */
  rssAnon: number;
  rssFile: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Open connections the server counts, and subscriptions it holds, at the time of the reading. */
  connections: number;
  subscriptions: number;
}

export interface ServerReady {
  port: number;
}

export type ServerOps = {
  /** Forces full GCs, then reads process memory. */
  memory: { request: Record<string, never>; reply: MemoryReading };
  /** Publishes one message on each of the SYMBOLS topics; every subscribed client should get one. */
  publish: { request: Record<string, never>; reply: { topics: number } };
};

export interface ConnectRequest {
  url: string;
  /** Global index of this client's first connection (it picks the topic and the source address). */
  first: number;
  count: number;
  /** Source addresses (127.0.0.x); connection n binds addresses[n % length]. */
  addresses: string[];
  /** Handshakes in flight at once in this client process. */
  concurrency: number;
  /** Per connection, from connect start to its subscribed reply. */
  timeoutMs: number;
}

export interface ConnectReply {
  subscribed: number;
  failed: number;
  /** Failures by reason (HTTP status, errno code, close code, timeout). */
  failures: Record<string, number>;
  /** performance.timeOrigin + performance.now() in ms: comparable across processes of this machine. */
  firstStartMs: number;
  lastSubscribedMs: number;
}

export interface ClientStats {
  /** Connections still open. */
  open: number;
  /** Open connections that received at least one data message after subscribing. */
  delivered: number;
}

export type ClientOps = {
  connect: { request: ConnectRequest; reply: ConnectReply };
  stats: { request: Record<string, never>; reply: ClientStats };
  /** Terminates every connection and forgets them; replies once all are closed. */
  closeAll: { request: Record<string, never>; reply: { closed: number } };
};

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
