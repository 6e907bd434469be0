import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { SymbolRegistry, Tick, type TickJson, tickToJson } from '../../src/wire/index.ts';
import { BENCH_SCALES, BENCH_VENUE, listenOnLoopback } from './gateway-process.ts';
import { SYMBOL_COUNT, symbolName, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { tradeTick } from './fanout-publisher.ts';

/**
 * The two servers the gateway's fan-out is compared with. Both speak the part of the gateway's
 * protocol the benchmark uses (subscribe, `subscribed` reply, `{"topic","data"}` frames with the
 * same JSON view of the tick, serialized once per message), so the same clients read all three.
 */

export interface FanoutServer {
  readonly port: number;
  readonly path: string;
  /** Publishes the next tick of symbol `symbolIndex`, which was due at `dueMs`. */
  publish(symbolIndex: number, dueMs: number): void;
  conflated(): number;
  closed(): number;
  stop(): Promise<void>;
}

/** Subscriptions by symbol, filled from the clients' subscribe requests. */
class SubscriptionTable<Client> {
  readonly bySymbol: Client[][] = Array.from({ length: SYMBOL_COUNT }, () => []);
  private readonly symbolOfTopic = new Map<string, number>(
    Array.from({ length: SYMBOL_COUNT }, (_, i) => [tradeTopic(i), i]),
  );

  /** Handles one subscribe request; returns the reply to send. */
  subscribe(client: Client, text: string): string {
    const request = JSON.parse(text) as { op: string; id?: number; topics: string[] };
    for (const topic of request.topics) {
      const symbol = this.symbolOfTopic.get(topic);
      if (symbol === undefined) throw new Error(`unknown topic ${topic}`);
      this.bySymbol[symbol]!.push(client);
    }
    return JSON.stringify({ type: 'subscribed', id: request.id, topics: request.topics, format: 'json' });
  }
}

/** Ticks with the gateway's JSON view: the same registry and the same `{"topic","data"}` frame. */
export class TickSource {
  private readonly registry = new SymbolRegistry();
  private readonly ids: number[];
  private readonly venueId: number;
  private readonly view = new Tick();
  private readonly topics = Array.from({ length: SYMBOL_COUNT }, (_, i) => tradeTopic(i));
  private sequence = 0;

  constructor() {
    this.ids = Array.from({ length: SYMBOL_COUNT }, (_, i) =>
      this.registry.register(BENCH_VENUE, symbolName(i), BENCH_SCALES),
    );
    this.venueId = this.registry.info(this.ids[0]!).venueId;
  }

  json(symbolIndex: number, dueMs: number): string {
    return JSON.stringify(this.message(symbolIndex, dueMs));
  }

  /** The message as an object, for servers that serialize it themselves (Socket.IO). */
  message(symbolIndex: number, dueMs: number): { topic: string; data: TickJson } {
    const bytes = tradeTick(
      this.venueId,
      this.ids[symbolIndex]!,
      ++this.sequence,
      dueMs,
      wallClockMs(),
      BENCH_SCALES,
    );
    return { topic: this.topics[symbolIndex]!, data: tickToJson(this.view.wrap(bytes), this.registry) };
  }
}

async function startWebSocketServer(
  onClient: (ws: WebSocket) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
  wss.on('connection', onClient);
  return { server, port: await listenOnLoopback(server) };
}

export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The obvious `ws` server: per message, `ws.send(json)` to every subscribed client. */
export async function startBareWsServer(): Promise<FanoutServer> {
  const table = new SubscriptionTable<WebSocket>();
  const source = new TickSource();
  const { server, port } = await startWebSocketServer((ws) => {
    ws.on('message', (data) => ws.send(table.subscribe(ws, String(data))));
  });
  return {
    port,
    path: '/',
    publish(symbolIndex, dueMs) {
      const json = source.json(symbolIndex, dueMs);
      const subscribers = table.bySymbol[symbolIndex]!;
      for (let i = 0; i < subscribers.length; i++) subscribers[i]!.send(json);
    },
    conflated: () => 0,
    closed: () => 0,
    stop: () => stopServer(server),
  };
}

interface CorkedClient {
  readonly socket: Socket;
  readonly pending: Buffer[];
  dirty: boolean;
}

/**
 * The ceiling: each message framed once; per event-loop turn, per client, cork, write each
 * pending frame, uncork (one writev). No queues, lanes, budgets or bus: what any gateway on `ws`
 * and Node sockets could at best do with this batching.
 */
export async function startCeilingServer(): Promise<FanoutServer> {
  const table = new SubscriptionTable<CorkedClient>();
  const source = new TickSource();
  const dirty: CorkedClient[] = [];
  let flushScheduled = false;
  const flush = () => {
    flushScheduled = false;
    for (let i = 0; i < dirty.length; i++) {
      const client = dirty[i]!;
      const socket = client.socket;
      socket.cork();
      for (let j = 0; j < client.pending.length; j++) socket.write(client.pending[j]!);
      socket.uncork();
      client.pending.length = 0;
      client.dirty = false;
    }
    dirty.length = 0;
  };
  const { server, port } = await startWebSocketServer((ws) => {
    const client: CorkedClient = {
      socket: (ws as unknown as { _socket: Socket })._socket,
      pending: [],
      dirty: false,
    };
    ws.on('message', (data) => ws.send(table.subscribe(client, String(data))));
  });
  return {
    port,
    path: '/',
    publish(symbolIndex, dueMs) {
      const frame = textFrame(source.json(symbolIndex, dueMs));
      const subscribers = table.bySymbol[symbolIndex]!;
      for (let i = 0; i < subscribers.length; i++) {
        const client = subscribers[i]!;
        client.pending.push(frame);
        if (!client.dirty) {
          client.dirty = true;
          dirty.push(client);
        }
      }
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    conflated: () => 0,
    closed: () => 0,
    stop: () => stopServer(server),
  };
}

/** A final, unmasked text frame (RFC 6455 §5.2): identical bytes for every client. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  payload.copy(frame, header);
  return frame;
}
