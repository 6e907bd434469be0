/**
 * The trading benchmark's Tickwire node, the measured process: the platform as `tickwire start`
 * runs it (no feed of its own, SQLite in a temporary directory), with the owner's trading account
 * on the benchmark's exchange; and, for the flood, a feed connection reading 64-byte ticks from
 * the market source over TCP into the node's bus, as the priority benchmark's gateway does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { fillsTopic } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { SYMBOL_COUNT, symbolName, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { BENCH_SCALES, BENCH_VENUE } from './gateway-process.ts';
import { serveRequests } from './ipc.ts';
import { MarketDrain } from './market-drain.ts';
import {
  type NodeStats,
  OWNER,
  OWNER_API_KEY,
  OWNER_EXCHANGE,
  TRADED_SYMBOLS,
  type TradingExchangeReady,
  type TradingNodeOps,
  type TradingNodeReady,
} from './trading-protocol.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
const exchange = JSON.parse(process.argv[2]!) as TradingExchangeReady;
const dir = mkdtempSync(join(tmpdir(), 'tickwire-bench-trading-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    auth: { apiKeys: [{ key: OWNER_API_KEY, account: OWNER }] },
    trading: {
      accounts: [
        {
          account: OWNER,
          ...OWNER_EXCHANGE,
          restUrl: exchange.url,
          wsUrl: exchange.wsUrl,
          wsApiUrl: `${exchange.wsUrl}/ws-api/v3`,
          symbols: [...TRADED_SYMBOLS],
        },
      ],
      // The flow and the submit run place orders faster than a person would; the checks still run.
      limits: { ordersPerSecond: 100_000, maxOpenOrders: 100_000 },
    },
  }),
);
const config = loadConfig({
  file: configFile,
  env: {},
  flags: {
    port: '0',
    feed: 'none',
    db: join(dir, 'trading.db'),
    logLevel: 'warn',
    // 1,000 clients from one address, and no pings in the middle of a run (as the other gateway benchmarks).
    maxConnectionsPerAddress: '20000',
    pingIntervalMs: '3600000',
    idleTimeoutMs: '7200000',
  },
});
const platform = await startPlatform(config, pino({ level: 'warn' }));
const topicOf = new Map(
  Array.from({ length: SYMBOL_COUNT }, (_, i) => [
    platform.registry.register(BENCH_VENUE, symbolName(i), BENCH_SCALES),
    tradeTopic(i),
  ]),
);
const drain = new MarketDrain(platform.bus, topicOf);

let since = { cpu: process.cpuUsage(), at: performance.now(), conflated: 0 };
let fills = { count: 0, firstEventMs: 0, lastPublishedMs: 0 };
platform.bus.subscribe(fillsTopic(OWNER), (payload) => {
  if (fills.count++ === 0) fills.firstEventMs = (payload as { eventTime: number }).eventTime;
  fills.lastPublishedMs = wallClockMs();
});
const conflated = () => Object.values(platform.gateway.counters.conflated).reduce((a, b) => a + b, 0);

serveRequests<TradingNodeOps>(
  {
    async connectMarket({ port }) {
      await drain.connect(port);
      return {};
    },
    reset() {
      drain.published = 0;
      fills = { count: 0, firstEventMs: 0, lastPublishedMs: 0 };
      since = { cpu: process.cpuUsage(), at: performance.now(), conflated: conflated() };
      return {};
    },
    stats(): NodeStats {
      const cpu = process.cpuUsage(since.cpu);
      return {
        mdPublished: drain.published,
        conflated: conflated() - since.conflated,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elapsedMs: performance.now() - since.at,
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
        fills: fills.count,
        firstFillEventMs: fills.firstEventMs,
        lastFillPublishedMs: fills.lastPublishedMs,
      };
    },
  },
  { port: Number(new URL(platform.url).port), url: platform.url } satisfies TradingNodeReady,
  MAX_LIFETIME_MS,
);
