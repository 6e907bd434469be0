/**
 * What the fanout and priority benchmarks and their child processes agree on: the symbols and
 * who subscribes to what, how a tick carries its publish time, and the operations each child
 * serves over IPC.
 */

export const SERVER_KINDS = ['tickwire', 'bare-ws', 'ceiling', 'socketio', 'socketio-msgpack'] as const;
/**
 * tickwire: the gateway. bare-ws: a `ws` WebSocketServer doing `ws.send(json)` per subscribed
 * client per message. ceiling: pre-framed messages written per client per batch under
 * cork/uncork, nothing else (the most `ws` + Node sockets can do on this machine). socketio:
 * Socket.IO 4 with its defaults, a room per topic and `io.to(topic).emit(…)` (one encoding per
 * message); socketio-msgpack: the same with its msgpack parser.
 */
export type ServerKind = (typeof SERVER_KINDS)[number];

export const SYMBOL_COUNT = 100;
export const TOPICS_PER_CLIENT = 10;

export function symbolName(index: number): string {
  return `S${String(index).padStart(3, '0')}`;
}

export function tradeTopic(symbolIndex: number): string {
  return `md.trade.SIM.${symbolName(symbolIndex)}`;
}

/**
 * The symbols client `client` subscribes to: (7·client + 10·k) mod 100 for k < 10. Ten distinct
 * symbols per client, and over any 1,000 consecutive clients every symbol gets exactly 100
 * subscribers, with subscriber sets that differ from symbol to symbol.
 */
export function symbolsOfClient(client: number): number[] {
  return Array.from(
    { length: TOPICS_PER_CLIENT },
    (_, k) => (7 * client + (SYMBOL_COUNT / TOPICS_PER_CLIENT) * k) % SYMBOL_COUNT,
  );
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable across this machine's processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A tick carries its two times as the JSON view writes them, `"exchangeTimeNs":"<digits>"` (when
 * it was due on the feed's clock) and `"receiveTimeNs":"<digits>"` (when it was handed to the
 * server): clients read them without parsing the frame.
 */
export const DUE_FIELD = Buffer.from('"exchangeTimeNs":"');
export const PUBLISH_FIELD = Buffer.from('"receiveTimeNs":"');

/**
 * The time in `field` of the frame `buffer[start, end)`, in ms since the epoch, or NaN when the
 * frame has none. The digits are nanoseconds since the epoch: all but the last 6 are whole
 * milliseconds, the last 6 the nanoseconds within the millisecond (each part exact as a double).
 */
export function stampMsOfFrame(buffer: Buffer, start: number, end: number, field: Buffer): number {
  const at = buffer.indexOf(field, start);
  if (at < 0 || at >= end) return Number.NaN;
  const digitsStart = at + field.length;
  let position = digitsStart;
  while (position < end && buffer[position] !== 0x22) position++;
  if (position - digitsStart <= 6 || position >= end) return Number.NaN;
  let ms = 0;
  for (let i = digitsStart; i < position - 6; i++) ms = ms * 10 + (buffer[i]! - 0x30);
  let nanos = 0;
  for (let i = position - 6; i < position; i++) nanos = nanos * 10 + (buffer[i]! - 0x30);
  return ms + nanos / 1e6;
}

/** The two stamps as msgpack writes them: a fixstr key, then the digits as a fixstr value. */
export const MSGPACK_DUE_KEY = msgpackKey('exchangeTimeNs');
export const MSGPACK_PUBLISH_KEY = msgpackKey('receiveTimeNs');

function msgpackKey(name: string): Buffer {
  return Buffer.concat([Buffer.from([0xa0 | name.length]), Buffer.from(name, 'latin1')]);
}

/** stampMsOfFrame for a msgpack frame: the string after `key` (fixstr or str8), as nanoseconds. */
export function stampMsOfMsgpack(buffer: Buffer, start: number, end: number, key: Buffer): number {
  const at = buffer.indexOf(key, start);
  if (at < 0 || at >= end) return Number.NaN;
  let position = at + key.length;
  const header = buffer[position]!;
  let length: number;
  if ((header & 0xe0) === 0xa0) {
    length = header & 0x1f;
    position += 1;
  } else if (header === 0xd9) {
    length = buffer[position + 1]!;
    position += 2;
  } else return Number.NaN;
  if (length <= 6 || position + length > end) return Number.NaN;
  let ms = 0;
  for (let i = position; i < position + length - 6; i++) ms = ms * 10 + (buffer[i]! - 0x30);
  let nanos = 0;
  for (let i = position + length - 6; i < position + length; i++) nanos = nanos * 10 + (buffer[i]! - 0x30);
  return ms + nanos / 1e6;
}

export interface ServerReady {
  port: number;
  /** The WebSocket path clients connect to. */
  path: string;
}

export interface StepRequest {
  /** Messages per second, round-robin over the symbols (deliveries = rate × subscribers per symbol). */
  rate: number;
  durationMs: number;
}

export interface StepReply {
  /** Messages published per symbol during the step. */
  published: number[];
  elapsedMs: number;
  /** Every message went out by the step's end (within a 5% margin): the server kept up with the clock. */
  onSchedule: boolean;
  /** Largest number of messages published in one timer turn (the server's batch size). */
  maxBurst: number;
  /** CPU time (user + system) the server process used during the step. */
  cpuMs: number;
}

export type ServerOps = {
  step: { request: StepRequest; reply: StepReply };
  /** Conflated messages and closed connections so far (the gateway counts them; the others cannot). */
  counters: { request: Record<string, never>; reply: { conflated: number; closed: number } };
  /** The server process's memory now (after a garbage collection where --expose-gc allows), in MB. */
  memory: { request: Record<string, never>; reply: { rssMb: number; heapMb: number } };
};

/**
 * How a client speaks to its server: the gateway's protocol with JSON or 64-byte binary ticks
 * (the bare and corked `ws` servers speak its JSON part), or Socket.IO's (Engine.IO 4 over a
 * WebSocket) with its default JSON parser or its msgpack parser.
 */
export const CLIENT_WIRES = ['json', 'binary', 'socketio', 'socketio-msgpack'] as const;
export type ClientWire = (typeof CLIENT_WIRES)[number];

export interface ConnectRequest {
  port: number;
  path: string;
  /** Default json. */
  wire?: ClientWire;
  /** Global index of this process's first client: it decides each client's symbols. */
  first: number;
  count: number;
  /**
   * What a client does per frame: `count` it (the cheapest reader: the fanout benchmark's clients
   * must leave the CPU to the server), or `parse` it with JSON.parse like a real consumer.
   */
  consume: ConsumeMode;
}

export const CONSUME_MODES = ['count', 'parse'] as const;
export type ConsumeMode = (typeof CONSUME_MODES)[number];

export interface ExpectReply {
  /** Every client received exactly what was published on its symbols since the last rebase. */
  complete: boolean;
  waitedMs: number;
  expected: number;
  received: number;
  /** Clients that received fewer / more messages than were published to them. */
  short: number;
  over: number;
  /** CPU time (user + system) this client process used since the rebase. */
  cpuMs: number;
}

/** Delivery latencies of the sampled frames, in µs: from the due time, and from the publish call. */
export interface LatencySamples {
  fromDueUs: number[];
  fromPublishUs: number[];
}

export type ClientOps = {
  connect: { request: ConnectRequest; reply: { connected: number; ms: number } };
  /** Waits until no frame arrived for quietMs, then counts from zero again. */
  rebase: { request: { quietMs: number; timeoutMs: number }; reply: { quiet: boolean; waitedMs: number } };
  /** Waits until each client received what was published on its symbols (counts since the rebase). */
  expect: { request: { published: number[]; timeoutMs: number }; reply: ExpectReply };
  /**
   * Frames all clients received between two wall-clock times (no check: conflation allowed), from
   * snapshots taken every few ms: a saturated client process answers late, but its snapshots
   * still say when each count was reached.
   */
  received: { request: { fromMs: number; toMs: number }; reply: { frames: number; ms: number } };
  /** Samples the latency of every stride-th frame (0 stops); `samples` returns and clears them. */
  sample: { request: { stride: number }; reply: Record<string, never> };
  samples: { request: Record<string, never>; reply: LatencySamples };
  disconnect: { request: Record<string, never>; reply: { closed: number } };
};
