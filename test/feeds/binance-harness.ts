import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket, { WebSocketServer } from 'ws';
import type { TickSink } from '../../src/feeds/index.ts';
import {
  FLAG,
  type SymbolRegistry,
  Tick,
  type TickJson,
  tickToJson,
  validateTick,
} from '../../src/wire/index.ts';

/** A tick as a test compares it: the JSON view without the receive time, which is the clock's. */
export type SeenTick = TickJson extends infer T
  ? T extends TickJson
    ? Omit<T, 'receiveTimeNs'>
    : never
  : never;

/** A sink that keeps every committed tick (validated, as JSON) and can refuse claims on demand. */
export class CollectingSink implements TickSink {
  readonly ticks: SeenTick[] = [];
  readonly raw: Tick[] = [];
  refuse = false;
  claims = 0;
  private pending: Tick | undefined;

  constructor(private readonly registry: SymbolRegistry) {}

  claim(_symbolId: number): Tick | undefined {
    this.claims++;
    if (this.refuse) return undefined;
    this.pending = new Tick();
    return this.pending;
  }

  commit(): void {
    const tick = this.pending;
    if (tick === undefined) throw new Error('commit without a claim');
    this.pending = undefined;
    validateTick(tick.bytes, 0);
    this.raw.push(tick);
    const { receiveTimeNs: _receive, ...rest } = tickToJson(tick, this.registry);
    this.ticks.push(rest as SeenTick);
  }

  clear(): void {
    this.ticks.length = 0;
    this.raw.length = 0;
  }
}

/** A sink that counts and drops: for measurements. */
export class CountingSink implements TickSink {
  private readonly tick = new Tick();
  committed = 0;
  claim(): Tick | undefined {
    return this.tick;
  }
  commit(): void {
    this.committed++;
  }
}

/** Polls `condition` every 20 ms until it holds or `timeoutMs` passes; throws with `what` on timeout. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** waitFor with an asynchronous condition (e.g. a question to a pipeline worker). */
export async function waitForAsync(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** What the local server saw arrive from one client socket. */
export interface ServerSocket {
  readonly ws: WebSocket;
  readonly index: number;
  readonly urlStreams: string[];
  readonly streams: Set<string>;
  /** Every SUBSCRIBE/UNSUBSCRIBE/other text message and pong, with the server's arrival time. */
  readonly received: {
    at: number;
    kind: 'message' | 'pong';
    method?: string;
    params?: string[];
    id?: unknown;
  }[];
}

/**
 * A tiny Binance-like stream server on loopback for connection-level tests: /stream?streams=…,
 * SUBSCRIBE/UNSUBSCRIBE with replies, optional pings, and a trade generator that sends the same
 * consecutive trade ids to every socket subscribed (optionally late on some sockets).
 */
export class LocalStreamServer {
  readonly sockets: ServerSocket[] = [];
  private readonly wss: WebSocketServer;
  private pingTimer: NodeJS.Timeout | undefined;
  private tradeTimer: NodeJS.Timeout | undefined;
  lastTradeId = 0;

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (ws, request) => this.accept(ws, request.url ?? ''));
  }

  static async start(): Promise<LocalStreamServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    return new LocalStreamServer(wss);
  }

  get url(): string {
    const address = this.wss.address() as AddressInfo;
    return `ws://127.0.0.1:${address.port}`;
  }

  pingEvery(ms: number): void {
    this.pingTimer = setInterval(() => {
      for (const socket of this.sockets) if (socket.ws.readyState === WebSocket.OPEN) socket.ws.ping();
    }, ms);
  }

  /** Sends `perTick` consecutive trades of `stream` every `everyMs`; socket i's copy goes `lagMs(i)` late. */
  startTrades(stream: string, everyMs: number, perTick: number, lagMs: (index: number) => number): void {
    this.tradeTimer = setInterval(() => {
      for (let n = 0; n < perTick; n++) {
        const id = ++this.lastTradeId;
        const frame = JSON.stringify({
          stream,
          data: {
            e: 'trade',
            E: 1_700_000_000_000,
            s: 'BTCUSDT',
            t: id,
            p: '100.00',
            q: '1.000',
            T: 1_700_000_000_000,
            m: id % 2 === 0,
            M: true,
          },
        });
        for (const socket of this.sockets) {
          if (!socket.streams.has(stream) || socket.ws.readyState !== WebSocket.OPEN) continue;
          const lag = lagMs(socket.index);
          const send = () => {
            if (socket.ws.readyState === WebSocket.OPEN) socket.ws.send(frame);
          };
          if (lag > 0) setTimeout(send, lag);
          else send();
        }
      }
    }, everyMs);
  }

  stopTrades(): void {
    clearInterval(this.tradeTimer);
  }

  dropAll(): void {
    for (const socket of this.sockets) socket.ws.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    clearInterval(this.tradeTimer);
    for (const socket of this.sockets) socket.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(ws: WebSocket, url: string): void {
    const query = new URL(url, 'http://localhost').searchParams.get('streams') ?? '';
    const urlStreams = query === '' ? [] : query.split('/');
    const socket: ServerSocket = {
      ws,
      index: this.sockets.length,
      urlStreams,
      streams: new Set(urlStreams),
      received: [],
    };
    this.sockets.push(socket);
    ws.on('pong', () => socket.received.push({ at: performance.now(), kind: 'pong' }));
    ws.on('message', (data) => {
      const at = performance.now();
      const request = JSON.parse(data.toString()) as { method: string; params: string[]; id: unknown };
      socket.received.push({
        at,
        kind: 'message',
        method: request.method,
        params: request.params,
        id: request.id,
      });
      if (request.method === 'SUBSCRIBE') for (const stream of request.params) socket.streams.add(stream);
      if (request.method === 'UNSUBSCRIBE')
        for (const stream of request.params) socket.streams.delete(stream);
      ws.send(JSON.stringify({ result: null, id: request.id }));
    });
  }
}

/** The most messages (including pongs) the server received within any window of `windowMs`. */
export function busiestWindow(received: readonly { at: number }[], windowMs: number): number {
  const times = received.map((entry) => entry.at).sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** A sink that keeps no ticks, only counts: per type, per flag, gap-flagged ticks per symbol. */
export class FlagCountingSink implements TickSink {
  private readonly tick = new Tick();
  committed = 0;
  readonly byType = [0, 0, 0, 0, 0];
  readonly gapsBySymbol = new Map<number, number>();
  crossed = 0;
  snapshotTicks = 0;
  claim(): Tick | undefined {
    return this.tick.clear();
  }
  commit(): void {
    const tick = this.tick;
    validateTick(tick.bytes, 0);
    this.committed++;
    this.byType[tick.type] = (this.byType[tick.type] ?? 0) + 1;
    if (tick.hasFlag(FLAG.gap))
      this.gapsBySymbol.set(tick.symbolId, (this.gapsBySymbol.get(tick.symbolId) ?? 0) + 1);
    if (tick.hasFlag(FLAG.crossed)) this.crossed++;
    if (tick.hasFlag(FLAG.snapshot)) this.snapshotTicks++;
  }
}
