/**
 * Child process of the priority benchmark: the gateway (argv[2]: 'lanes' or 'fifo'), offered
 * market data at a set rate (more than it can deliver, so the source conflates) while a fill is
 * published on fills.acc1 every few milliseconds, all from this process's event loop as the
 * node's feeds and trading engine would.
 */
import { serveRequests } from './ipc.ts';
import { SYMBOL_COUNT, symbolName, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { RatePublisher, tradeTick } from './fanout-publisher.ts';
import { BENCH_SCALES, startBenchGateway } from './gateway-process.ts';
import {
  type BenchFill,
  FILL_ACCOUNT,
  FILL_API_KEY,
  FILL_TOPIC,
  LANE_MODES,
  type LaneMode,
  MD_BURST_MS,
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
const topics = Array.from({ length: SYMBOL_COUNT }, (_, i) => tradeTopic(i));
const venueId = node.registry.info(node.symbolIds[0]!).venueId;
let sequence = 0;
const publisher = new RatePublisher(
  SYMBOL_COUNT,
  (symbol, dueMs) =>
    node.bus.publish(
      topics[symbol]!,
      tradeTick(venueId, node.symbolIds[symbol]!, ++sequence, dueMs, wallClockMs(), BENCH_SCALES),
    ),
  { maxBurstMs: MD_BURST_MS, conflate: true },
);
let fillNumber = 0;

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

serveRequests<PriorityServerOps>(
  {
    async run({ mdRate, warmupMs, durationMs, fillIntervalMs }) {
      const conflatedBefore = sum(node.gateway.counters.conflated);
      const closedBefore = { ...node.gateway.counters.closed };
      const cpu = process.cpuUsage();
      const start = wallClockMs();
      const fillsDue = Math.floor((warmupMs + durationMs) / fillIntervalMs);
      const warmupFills = Math.floor(warmupMs / fillIntervalMs);
      let fills = 0;
      // Each fill has its own due time; a turn publishes every fill due by then (a late timer
      // does not thin them out), so the gap between due and published times shows how long the
      // gateway's event loop was busy before it could even take the fill.
      let timer: NodeJS.Timeout | undefined;
      const publishDueFills = () => {
        const now = wallClockMs();
        while (fills < fillsDue && start + (fills + 1) * fillIntervalMs <= now) {
          fills++;
          const fill: BenchFill = {
            fill: ++fillNumber,
            account: FILL_ACCOUNT,
            publishedMs: wallClockMs(),
            scheduledMs: start + fills * fillIntervalMs,
            warmup: fills <= warmupFills,
          };
          node.bus.publish(FILL_TOPIC, fill);
        }
        if (fills < fillsDue)
          timer = setTimeout(publishDueFills, Math.max(0, start + (fills + 1) * fillIntervalMs - now));
      };
      timer = setTimeout(publishDueFills, fillIntervalMs);
      let step;
      try {
        step = await publisher.run(mdRate, warmupMs + durationMs);
      } finally {
        clearTimeout(timer);
      }
      const used = process.cpuUsage(cpu);
      const closed: Record<string, number> = {};
      for (const [reason, count] of Object.entries(node.gateway.counters.closed)) {
        if (count !== (closedBefore[reason] ?? 0)) closed[reason] = count - (closedBefore[reason] ?? 0);
      }
      const memory = process.memoryUsage();
      return {
        startMs: start,
        endMs: wallClockMs(),
        mdPublished: step.published.reduce((a, b) => a + b, 0),
        mdConflated: step.conflated,
        fillsPublished: fills - warmupFills,
        elapsedMs: step.elapsedMs,
        conflated: sum(node.gateway.counters.conflated) - conflatedBefore,
        closed,
        cpuMs: (used.user + used.system) / 1000,
        memoryMb: Math.round((memory.heapUsed + memory.external) / 1e6),
      };
    },
  },
  { port: node.port, path: '/ws' },
  MAX_LIFETIME_MS,
);
