/**
 * Child process of the fanout and peers benchmarks: one server (argv[2]: a ServerKind) with its publisher,
 * in this process. It answers `step` requests (publish at a rate for a duration, report what was
 * published per symbol) and `counters` (what the gateway counted: conflations, closes).
 */
import { serveRequests } from './ipc.ts';
import { type FanoutServer, startBareWsServer, startCeilingServer } from './fanout-baselines.ts';
import { startSocketIoServer } from './fanout-socketio.ts';
import {
  SERVER_KINDS,
  type ServerKind,
  type ServerOps,
  type ServerReady,
  SYMBOL_COUNT,
  symbolName,
  tradeTopic,
  wallClockMs,
} from './fanout-protocol.ts';
import { NODE_TURN_MS, RatePublisher, tradeTick } from './fanout-publisher.ts';
import { BENCH_SCALES, startBenchGateway } from './gateway-process.ts';

const MAX_LIFETIME_MS = 5 * 60_000;

/** The gateway with the publisher publishing on its bus, as the node's feeds do. */
async function startTickwire(): Promise<FanoutServer> {
  const node = await startBenchGateway({
    symbols: Array.from({ length: SYMBOL_COUNT }, (_, i) => symbolName(i)),
  });
  const topics = Array.from({ length: SYMBOL_COUNT }, (_, i) => tradeTopic(i));
  const venueId = node.registry.info(node.symbolIds[0]!).venueId;
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  let sequence = 0;
  return {
    port: node.port,
    path: '/ws',
    publish(symbolIndex, dueMs) {
      node.bus.publish(
        topics[symbolIndex]!,
        tradeTick(venueId, node.symbolIds[symbolIndex]!, ++sequence, dueMs, wallClockMs(), BENCH_SCALES),
      );
    },
    conflated: () => sum(node.gateway.counters.conflated),
    closed: () => sum(node.gateway.counters.closed),
    stop: () => node.stop(),
  };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const kind = process.argv[2] as ServerKind;
if (!SERVER_KINDS.includes(kind)) throw new Error(`server kind must be one of ${SERVER_KINDS.join(', ')}`);
const STARTERS: Record<ServerKind, () => Promise<FanoutServer>> = {
  tickwire: startTickwire,
  'bare-ws': startBareWsServer,
  ceiling: startCeilingServer,
  socketio: () => startSocketIoServer('default'),
  'socketio-msgpack': () => startSocketIoServer('msgpack'),
};
const server = await STARTERS[kind]();
const publisher = new RatePublisher(
  SYMBOL_COUNT,
  (symbol, dueMs) => server.publish(symbol, dueMs),
  kind === 'tickwire' ? { turnMs: NODE_TURN_MS } : {},
);

serveRequests<ServerOps>(
  {
    async step({ rate, durationMs }) {
      const cpu = process.cpuUsage();
      const step = await publisher.run(rate, durationMs);
      return { ...step, cpuMs: cpuMsSince(cpu) };
    },
    counters: () => ({ conflated: server.conflated(), closed: server.closed() }),
    memory: () => {
      const memory = process.memoryUsage();
      return {
        rssMb: Math.round(memory.rss / 1e6),
        heapMb: Math.round((memory.heapUsed + memory.external) / 1e6),
      };
    },
  },
  { port: server.port, path: server.path } satisfies ServerReady,
  MAX_LIFETIME_MS,
);
