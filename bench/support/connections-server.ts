import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type WebSocket, WebSocketServer } from 'ws';
import { createBus } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createAuthenticator, createHttpServer, Gateway } from '../../src/gateway/index.ts';
import { SymbolRegistry, Tick, venueId } from '../../src/wire/index.ts';
import { serveRequests } from './ipc.ts';
import {
  type MemoryReading,
  SERVER_KINDS,
  type ServerKind,
  type ServerOps,
  SUBSCRIBE_ID,
  SYMBOLS,
  symbolOf,
  topicOf,
  VENUE,
} from './connections-protocol.ts';

/**
 * The server side of the connections benchmark: `gateway` runs the Tickwire gateway as a node
 * runs it (default limits from the config schema); `ws` runs a bare `ws` WebSocketServer that does
 * the least the same clients need (a welcome, a subscribed reply, one topic set per symbol).
 * Started with --expose-gc so that memory readings follow a full collection.
 *
 * Usage (by bench/connections.ts only): connections-server.ts <gateway|ws>
 */

const MAX_LIFETIME_MS = 10 * 60_000;
/** Pending connections the kernel queues: the clients open a few hundred at once. */
const LISTEN_BACKLOG = 4_096;

interface BenchServer {
  http: Server;
  connections(): number;
  subscriptions(): number;
  publish(): number;
}

function startGateway(): BenchServer {
  const defaults = loadConfig();
  const bus = createBus('memory');
  const registry = new SymbolRegistry();
  for (let i = 0; i < SYMBOLS; i++) registry.register(VENUE, symbolOf(i), { priceScale: 2, sizeScale: 4 });
  const auth = createAuthenticator({});
  const gateway = new Gateway({
    bus,
    registry,
    auth,
    limits: {
      maxConnections: defaults.maxConnections,
      maxConnectionsPerAddress: defaults.maxConnectionsPerAddress,
      maxSubscriptions: defaults.maxSubscriptions,
      maxFrameBytes: defaults.maxFrameBytes,
      inboundRatePerSecond: defaults.inboundRate,
      inboundBurst: defaults.inboundBurst,
      floodLimit: defaults.floodLimit,
      conflateAfterBytes: defaults.conflateAfterBytes,
      maxBufferedBytes: defaults.maxBufferedBytes,
      pingIntervalMs: defaults.pingIntervalMs,
      idleTimeoutMs: defaults.idleTimeoutMs,
      allowedOrigins: defaults.allowedOrigins,
    },
    recoverable: defaults.recoverableTopics,
    history: { maxEntries: defaults.historySize, maxAgeMs: defaults.historyTtlMs },
  });
  const http = createHttpServer({ routes: {} });
  gateway.attach(http);
  let sequence = 0;
  return {
    http,
    connections: () => gateway.connectionCount,
    subscriptions: () => gateway.hub.counts().reduce((sum, entry) => sum + entry.subscribers, 0),
    publish() {
      const now = Date.now();
      for (let i = 0; i < SYMBOLS; i++) {
        sequence++;
        // A fresh tick each time: the hub keeps the payload it is given in the message it queues.
        const tick = new Tick().writeTrade(
          venueId(VENUE),
          i,
          2,
          4,
          sequence,
          1,
          now,
          0,
          now,
          0,
          10_000 + i,
          5,
          sequence,
        );
        bus.publish(topicOf(i), tick.bytes);
      }
      return SYMBOLS;
    },
  };
}

/** What a minimal pub/sub server on `ws` holds: the socket and its place in one topic set. */
function startBareWs(): BenchServer {
  const http = createServer((_request, response) => response.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const byTopic = new Map<string, Set<WebSocket>>();
  wss.on('connection', (ws) => {
    ws.send('{"type":"welcome"}');
    ws.on('message', (data) => {
      const request = JSON.parse(String(data)) as { op?: string; id?: number; topics?: string[] };
      if (request.op !== 'subscribe' || !request.topics) return;
      for (const topic of request.topics) {
        let set = byTopic.get(topic);
        if (!set) byTopic.set(topic, (set = new Set()));
        set.add(ws);
      }
      ws.send(JSON.stringify({ type: 'subscribed', id: request.id ?? SUBSCRIBE_ID, topics: request.topics }));
    });
    ws.on('close', () => {
      for (const set of byTopic.values()) set.delete(ws);
    });
  });
  return {
    http,
    connections: () => wss.clients.size,
    subscriptions: () => [...byTopic.values()].reduce((sum, set) => sum + set.size, 0),
    publish() {
      for (let i = 0; i < SYMBOLS; i++) {
        const topic = topicOf(i);
        const frame = JSON.stringify({ topic, data: { price: 10_000 + i } });
        for (const ws of byTopic.get(topic) ?? []) ws.send(frame);
      }
      return SYMBOLS;
    },
  };
}

/** RssAnon and RssFile from /proc/self/status, in bytes (NaN where there is no /proc). */
function rssParts(): { rssAnon: number; rssFile: number } {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: only the total RSS is known.
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile') };
}

async function readMemory(server: BenchServer): Promise<MemoryReading> {
  const gc = globalThis.gc;
  if (!gc) throw new Error('start the server with --expose-gc: readings are taken after a full GC');
  // Twice, with a turn between: weak callbacks and finalizers of the first pass free more in the second.
  gc();
  await nextTurn();
  gc();
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    ...rssParts(),
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    connections: server.connections(),
    subscriptions: server.subscriptions(),
  };
}

const kind = process.argv[2] as ServerKind;
if (!SERVER_KINDS.includes(kind)) throw new Error(`server kind must be one of ${SERVER_KINDS.join(', ')}`);
const server = kind === 'gateway' ? startGateway() : startBareWs();
server.http.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
  const { port } = server.http.address() as AddressInfo;
  serveRequests<ServerOps>(
    {
      memory: () => readMemory(server),
      publish: () => ({ topics: server.publish() }),
    },
    { port },
    MAX_LIFETIME_MS,
  );
});
