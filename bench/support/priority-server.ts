/**
 * Child process of the priority benchmark: the gateway (argv[2]: 'lanes' or 'fifo') with the two
 * connections a node has to the outside: a feed connection reading 64-byte ticks from the market
 * source over TCP, and an exchange connection reading execution reports from the fill source
 * over a WebSocket. Each tick and each fill is published on the bus as it is read, as the node's
 * pipeline and trading module will; nothing is generated in this process's own event loop.
 */
import WebSocket from 'ws';
import { SYMBOL_COUNT, symbolName, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { startBenchGateway } from './gateway-process.ts';
import { MarketDrain } from './market-drain.ts';
import { serveRequests } from './ipc.ts';
import {
  type BenchFill,
  type ExecutionReport,
  FILL_ACCOUNT,
  FILL_API_KEY,
  FILL_TOPIC,
  LANE_MODES,
  type LaneMode,
  type PriorityServerOps,
} from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;

const mode = process.argv[2] as LaneMode;
if (!LANE_MODES.includes(mode)) throw new Error(`lane mode must be one of ${LANE_MODES.join(', ')}`);

const node = await startBenchGateway({
  symbols: Array.from({ length: SYMBOL_COUNT }, (_, i) => symbolName(i)),
  priorityLanes: mode === 'lanes',
  apiKeys: [{ key: FILL_API_KEY, account: FILL_ACCOUNT }],
});
const topicOf = new Map(node.symbolIds.map((id, i) => [id, tradeTopic(i)]));
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

let fillsPublished = 0;
let since = {
  cpu: process.cpuUsage(),
  at: performance.now(),
  conflated: 0,
  closed: {} as Record<string, number>,
};

const drain = new MarketDrain(node.bus, topicOf);

function onExecutionReport(text: string): void {
  const report = JSON.parse(text) as ExecutionReport;
  const fill: BenchFill = { ...report, account: FILL_ACCOUNT, publishedMs: wallClockMs() };
  node.bus.publish(FILL_TOPIC, fill);
  fillsPublished++;
}

serveRequests<PriorityServerOps>(
  {
    async connect({ fillSourcePort, marketPort }) {
      const exchange = new WebSocket(`ws://127.0.0.1:${fillSourcePort}/`, { perMessageDeflate: false });
      exchange.on('message', (data) => onExecutionReport(String(data)));
      await new Promise((resolve, reject) => {
        exchange.once('open', resolve);
        exchange.once('error', reject);
      });
      await drain.connect(marketPort);
      return {};
    },
    reset() {
      drain.published = 0;
      fillsPublished = 0;
      since = {
        cpu: process.cpuUsage(),
        at: performance.now(),
        conflated: sum(node.gateway.counters.conflated),
        closed: { ...node.gateway.counters.closed },
      };
      return {};
    },
    stats() {
      const cpu = process.cpuUsage(since.cpu);
      const closed: Record<string, number> = {};
      for (const [reason, count] of Object.entries(node.gateway.counters.closed)) {
        if (count !== (since.closed[reason] ?? 0)) closed[reason] = count - (since.closed[reason] ?? 0);
      }
      const memory = process.memoryUsage();
      return {
        mdPublished: drain.published,
        fillsPublished,
        conflated: sum(node.gateway.counters.conflated) - since.conflated,
        closed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elapsedMs: performance.now() - since.at,
        rssMb: Math.round(memory.rss / 1e6),
        heapMb: Math.round((memory.heapUsed + memory.external) / 1e6),
      };
    },
  },
  { port: node.port, path: '/ws' },
  MAX_LIFETIME_MS,
);
