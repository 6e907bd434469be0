/**
 * Child process of the priority benchmark: stands in for an exchange's user-data stream. A
 * WebSocket server; on `send` it sends an execution report every `intervalMs` to every connected
 * client (the gateway's exchange connection), each stamped with its event time when it is sent.
 * Each report has its own due time, and a late timer sends every report due by then, so a busy
 * machine delays them but does not thin them out.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { wallClockMs } from './fanout-protocol.ts';
import { listenOnLoopback } from './gateway-process.ts';
import { serveRequests } from './ipc.ts';
import type { ExecutionReport, FillSourceOps } from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false });
const clients = new Set<WebSocket>();
wss.on('connection', (ws) => {
  clients.add(ws);
  ws.on('close', () => clients.delete(ws));
});
const port = await listenOnLoopback(server);
let tradeId = 0;

serveRequests<FillSourceOps>(
  {
    send({ intervalMs, warmup, count }) {
      const total = warmup + count;
      const start = performance.now();
      let sent = 0;
      let lateMs = 0;
      return new Promise((resolve) => {
        const turn = () => {
          const now = performance.now();
          while (sent < total && start + (sent + 1) * intervalMs <= now) {
            lateMs = Math.max(lateMs, now - (start + (sent + 1) * intervalMs));
            const report: ExecutionReport = {
              e: 'executionReport',
              E: wallClockMs(),
              t: ++tradeId,
              warmup: sent < warmup,
            };
            const text = JSON.stringify(report);
            for (const ws of clients) ws.send(text);
            sent++;
          }
          if (sent < total)
            setTimeout(turn, Math.max(0, start + (sent + 1) * intervalMs - performance.now()));
          else resolve({ sent, measured: count, lateMs });
        };
        setTimeout(turn, intervalMs);
      });
    },
  },
  { port },
  MAX_LIFETIME_MS,
);
