import WebSocket from 'ws';
import { serveRequests } from './ipc.ts';
import {
  type ClientOps,
  type ClientStats,
  type ConnectReply,
  type ConnectRequest,
  SUBSCRIBE_ID,
  topicOf,
  wallClockMs,
} from './connections-protocol.ts';

/**
 * One client process of the connections benchmark: opens its share of the connections (each from
 * one of the given 127.0.0.x source addresses), subscribes each to one topic, keeps them open,
 * and counts which of them receive the published message. Plain `ws` clients, the way a
 * third-party client connects: wait for the server's first message, send one subscribe, wait for
 * the subscribed reply.
 *
 * Usage (by bench/connections.ts only): connections-client.ts
 */

const MAX_LIFETIME_MS = 10 * 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** A connection that is subscribed; `delivered` turns true at its first data message. */
interface Held {
  readonly ws: WebSocket;
  delivered: boolean;
}

let held: Held[] = [];

type Outcome = { ok: true; at: number } | { ok: false; reason: string };

/** Opens connection `index` and resolves once it is subscribed, or with why it is not. */
function openOne(url: string, index: number, localAddress: string, timeoutMs: number): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, handshakeTimeout: timeoutMs });
    let settled = false;
    const finish = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!outcome.ok) ws.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    const entry: Held = { ws, delivered: false };
    let welcomed = false;
    ws.on('message', (data, isBinary) => {
      if (settled) {
        // One parse per delivery: the benchmark publishes one message per connection.
        if (isBinary || typeof (JSON.parse(String(data)) as { topic?: unknown }).topic === 'string') {
          entry.delivered = true;
        }
        return;
      }
      const reply = JSON.parse(String(data)) as { type?: string; id?: number; code?: string };
      if (!welcomed) {
        welcomed = true;
        ws.send(
          JSON.stringify({ op: 'subscribe', id: SUBSCRIBE_ID, topics: [topicOf(index)], format: 'json' }),
        );
      } else if (reply.type === 'subscribed' && reply.id === SUBSCRIBE_ID) {
        held.push(entry);
        finish({ ok: true, at: wallClockMs() });
      } else if (reply.type === 'error') {
        finish({ ok: false, reason: `error reply ${reply.code ?? '?'}` });
      }
    });
    ws.on('unexpected-response', (_request, response) =>
      finish({ ok: false, reason: `HTTP ${response.statusCode}` }),
    );
    ws.on('error', (error: NodeJS.ErrnoException) =>
      finish({ ok: false, reason: error.code ?? error.message }),
    );
    ws.on('close', (code) => finish({ ok: false, reason: `closed ${code}` }));
  });
}

async function connect(request: ConnectRequest): Promise<ConnectReply> {
  const firstStartMs = wallClockMs();
  let lastSubscribedMs = firstStartMs;
  let subscribed = 0;
  const failures: Record<string, number> = {};
  let next = 0;
  // `concurrency` loops, each opening one connection after another: a bounded number of handshakes in flight.
  const loop = async () => {
    while (next < request.count) {
      const index = request.first + next++;
      const address = request.addresses[index % request.addresses.length]!;
      const outcome = await openOne(request.url, index, address, request.timeoutMs);
      if (outcome.ok) {
        subscribed++;
        lastSubscribedMs = Math.max(lastSubscribedMs, outcome.at);
      } else {
        failures[outcome.reason] = (failures[outcome.reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(request.concurrency, request.count) }, loop));
  return { subscribed, failed: request.count - subscribed, failures, firstStartMs, lastSubscribedMs };
}

function stats(): ClientStats {
  let open = 0;
  let delivered = 0;
  for (const entry of held) {
    if (entry.ws.readyState !== WebSocket.OPEN) continue;
    open++;
    if (entry.delivered) delivered++;
  }
  return { open, delivered };
}

async function closeAll(): Promise<{ closed: number }> {
  const closing = held;
  held = [];
  const closed = closing.map(
    ({ ws }) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      }),
  );
  const deadline = new Promise<never>((_resolve, reject) =>
    setTimeout(
      () => reject(new Error(`connections still open after ${CLOSE_TIMEOUT_MS} ms`)),
      CLOSE_TIMEOUT_MS,
    ).unref(),
  );
  await Promise.race([Promise.all(closed), deadline]);
  return { closed: closing.length };
}

serveRequests<ClientOps>({ connect, stats: () => stats(), closeAll: () => closeAll() }, {}, MAX_LIFETIME_MS);
