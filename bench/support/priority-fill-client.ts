/**
 * Child process of the priority benchmark: the clients of account acc1 (API key in the handshake),
 * each subscribed to its market-data symbols like every other client AND to fills.acc1, parsing
 * every frame as a real consumer does, at ordinary priority. The last `slow` of them read at most
 * `slowBytesPerSecond`. They live in their own process so that what they measure is the gateway,
 * not the event loop of a process reading 1,000 saturated sockets.
 */
import { serveRequests } from './ipc.ts';
import { symbolsOfClient, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { WsReader } from './fanout-ws-reader.ts';
import {
  type BenchFill,
  FILL_API_KEY,
  FILL_TOPIC,
  type FillClientOps,
  type FillLatencies,
} from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;

let fillsReceived: number[] = [];
let latencies: FillLatencies = emptyLatencies();
let closedReason: string | undefined;

function emptyLatencies(): FillLatencies {
  return { fromEventUs: [], fromPublishUs: [], slowFromEventUs: [], missing: 0, marketData: 0 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

serveRequests<FillClientOps>(
  {
    async connect({ port, path, first, count, slow, slowBytesPerSecond }) {
      closedReason = undefined;
      fillsReceived = new Array<number>(count).fill(0);
      const readers = await Promise.all(
        Array.from({ length: count }, (_, index) => {
          const isSlow = index >= count - slow;
          return WsReader.subscribed({
            port,
            path,
            headers: { 'x-api-key': FILL_API_KEY },
            topics: [FILL_TOPIC, ...symbolsOfClient(first + index).map(tradeTopic)],
            ...(isSlow ? { readBytesPerSecond: slowBytesPerSecond } : {}),
            onFrame: (buffer, start, end) => {
              const now = wallClockMs();
              const message = JSON.parse(buffer.toString('utf8', start, end)) as {
                topic: string;
                data: unknown;
              };
              if (message.topic !== FILL_TOPIC) {
                latencies.marketData++;
                return;
              }
              const fill = message.data as BenchFill;
              if (fill.warmup) return;
              fillsReceived[index]!++;
              const fromEvent = (now - fill.E) * 1000;
              if (isSlow) latencies.slowFromEventUs.push(fromEvent);
              else {
                latencies.fromEventUs.push(fromEvent);
                latencies.fromPublishUs.push((now - fill.publishedMs) * 1000);
              }
            },
            onClose: (reason) => {
              closedReason = reason;
            },
          });
        }),
      );
      return { connected: readers.length };
    },

    reset() {
      fillsReceived.fill(0);
      latencies = emptyLatencies();
      return {};
    },

    async collect({ fills, timeoutMs }) {
      const started = performance.now();
      while (fillsReceived.some((n) => n < fills) && performance.now() - started < timeoutMs) {
        if (closedReason !== undefined) throw new Error(`a fill client was closed: ${closedReason}`);
        await sleep(5);
      }
      if (closedReason !== undefined) throw new Error(`a fill client was closed: ${closedReason}`);
      latencies.missing = fillsReceived.reduce((sum, n) => sum + Math.max(0, fills - n), 0);
      return latencies;
    },
  },
  {},
  MAX_LIFETIME_MS,
);
