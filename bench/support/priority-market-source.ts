/**
 * Child process of the priority benchmark: stands in for the market-data feed, on another
 * machine (the benchmark runs it at a lowered priority). A TCP server; on `run` it writes 64-byte
 * trade ticks, round robin over the symbols, at a rate, to every connected client (the gateway's
 * feed connection), each turn's ticks in one write.
 */
import { createServer, type Socket } from 'node:net';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { SYMBOL_COUNT, symbolName, wallClockMs } from './fanout-protocol.ts';
import { RatePublisher, tradeTick } from './fanout-publisher.ts';
import { BENCH_SCALES, BENCH_VENUE } from './gateway-process.ts';
import { serveRequests } from './ipc.ts';
import type { MarketSourceOps } from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;

// The gateway registers the same symbols in the same order: the ids match.
const registry = new SymbolRegistry();
const ids = Array.from({ length: SYMBOL_COUNT }, (_, i) =>
  registry.register(BENCH_VENUE, symbolName(i), BENCH_SCALES),
);
const venueId = registry.info(ids[0]!).venueId;
const sockets = new Set<Socket>();
const server = createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as { port: number }).port;

let sequence = 0;
let pending: Uint8Array[] = [];
const publisher = new RatePublisher(SYMBOL_COUNT, (symbol, dueMs) => {
  pending.push(tradeTick(venueId, ids[symbol]!, ++sequence, dueMs, wallClockMs(), BENCH_SCALES));
  if (pending.length === 1) setImmediate(writePending);
});

function writePending(): void {
  const batch = Buffer.concat(pending);
  pending = [];
  for (const socket of sockets) socket.write(batch);
}

serveRequests<MarketSourceOps>(
  {
    async run({ rate, durationMs }) {
      const step = await publisher.run(rate, durationMs);
      return { published: step.published.reduce((a, b) => a + b, 0), elapsedMs: step.elapsedMs };
    },
  },
  { port },
  MAX_LIFETIME_MS,
);
