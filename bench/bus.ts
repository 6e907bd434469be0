import { EventEmitter } from 'node:events';
import {
  allMarketData,
  botsTopic,
  type Handler,
  MARKET_DATA_KINDS,
  MemoryBus,
  marketDataTopic,
  ordersTopic,
  type Payload,
  type Topic,
  topicMatches,
} from '../src/bus/index.ts';
import { type Bench, type BenchContext, timePerOp } from './harness.ts';
import { measureBroker } from './support/broker-bench.ts';
import {
  BROKER_KINDS,
  brokerSkipReason,
  brokersRequired,
  startBrokerServer,
} from '../test/support/broker-servers.ts';

/**
 * What the memory bus adds per delivered message, under a realistic subscription load:
 * 100 published symbols with one exact subscriber each, plus 10,000 other subscriptions
 * (exact topics on other symbols and kinds, non-matching patterns, and two patterns that also
 * match every published topic: so each publish makes 3 deliveries).
 *
 * Overhead = (time per publish - time to call the same 3 handlers directly) / 3. The baseline is
 * the same figure for a naive bus that tests every subscription with topicMatches on each publish;
 * Node's EventEmitter (exact names only, same 3 listeners) is given for context.
 *
 * Then the Redis and NATS buses on servers started for the run (bench/support/broker-bench.ts):
 * messages per second from one publisher bus to one subscriber bus against the raw client
 * library, and publish-to-handler latency at a moderate fixed rate against the same for the raw
 * library. A broker whose server binary is missing is skipped with a note (a failure with
 * TICKWIRE_REQUIRE_BROKERS=1).
 */

const PUBLISHED_SYMBOLS = 100;
const OTHER_SUBSCRIPTIONS = 10_000;
const VENUE = 'SIM';

let sink = 0;

// The handlers read the tick so the work they do is real and identical in every variant.
const exactHandler: Handler = (payload) => {
  sink = (sink + (payload as Uint8Array)[sink & 63]!) | 0;
};
const patternHandler: Handler = (payload) => {
  sink = (sink ^ (payload as Uint8Array)[(sink + 7) & 63]!) | 0;
};
const otherHandler: Handler = () => {
  throw new Error('a subscription that should not match was called');
};

interface Subscription {
  pattern: string;
  handler: Handler;
}

/** The subscription set: published targets first, then the 10,000 others. */
function buildSubscriptions(published: readonly Topic[]): Subscription[] {
  const subscriptions: Subscription[] = published.map((topic) => ({ pattern: topic, handler: exactHandler }));
  const others: Subscription[] = [
    { pattern: allMarketData('trade', VENUE), handler: patternHandler },
    { pattern: allMarketData(), handler: patternHandler },
  ];
  for (let i = 0; others.length < OTHER_SUBSCRIPTIONS; i++) {
    const symbol = `OTHER${i}`;
    switch (i % 5) {
      case 0:
      case 1:
      case 2:
        // Exact topics on symbols nobody publishes in this run, every kind.
        for (const kind of MARKET_DATA_KINDS) {
          others.push({ pattern: marketDataTopic(kind, VENUE, symbol), handler: otherHandler });
        }
        break;
      case 3:
        others.push({ pattern: `md.*.V${i}.${symbol}`, handler: otherHandler });
        others.push({ pattern: allMarketData('quote', `V${i}`), handler: otherHandler });
        break;
      default:
        others.push({ pattern: `${botsTopic(`acc-${i}`, `bot_${i}`)}.>`, handler: otherHandler });
        others.push({ pattern: ordersTopic(`acc-${i}`), handler: otherHandler });
    }
  }
  return [...subscriptions, ...others.slice(0, OTHER_SUBSCRIPTIONS)];
}

/** What a first implementation would do: every subscription tested on every publish. */
class NaiveBus {
  constructor(private readonly subscriptions: readonly Subscription[]) {}
  private lastMessageId = 0;
  publish(topic: string, payload: Payload): void {
    const subscriptions = this.subscriptions;
    const messageId = ++this.lastMessageId;
    for (let i = 0; i < subscriptions.length; i++) {
      const subscription = subscriptions[i]!;
      if (topicMatches(subscription.pattern, topic)) subscription.handler(payload, topic, messageId);
    }
  }
}

export default {
  name: 'bus',
  description:
    'memory bus overhead per delivered message with 10,000 other subscriptions; Redis and NATS bus throughput and latency',
  async run(ctx) {
    await runMemory(ctx);
    for (const kind of BROKER_KINDS) await runBroker(ctx, kind);
  },
} satisfies Bench;

async function runBroker(ctx: BenchContext, kind: (typeof BROKER_KINDS)[number]): Promise<void> {
  const skip = brokerSkipReason(kind);
  if (skip !== undefined) {
    if (brokersRequired()) throw new Error(skip);
    ctx.note(`skipping the ${kind} bus: ${skip}`);
    return;
  }
  const plan = ctx.quick
    ? { messages: 20_000, latencyMs: 500, ratePerSecond: 2_000 }
    : { messages: 200_000, latencyMs: 3_000, ratePerSecond: 5_000 };
  const server = await startBrokerServer(kind);
  try {
    const figures = await measureBroker(server, plan);
    const raw = kind === 'redis' ? 'raw ioredis PUBLISH, pipelined' : 'raw nats.js publish';
    ctx.report({
      metric: `${kind}_msgs_per_s`,
      value: figures.busPerSecond,
      unit: 'msg/s',
      better: 'higher',
      baseline: `${raw}, ${16 + 64}-byte messages, same window`,
      baseline_value: figures.rawPerSecond,
      messages: figures.messages,
    });
    ctx.report({
      metric: `${kind}_p99_us`,
      value: figures.busLatencyUs.p99,
      unit: 'us',
      better: 'lower',
      baseline: `${raw} p99 at the same rate`,
      baseline_value: figures.rawLatencyUs.p99,
      p50_us: Number(figures.busLatencyUs.p50.toFixed(1)),
      raw_p50_us: Number(figures.rawLatencyUs.p50.toFixed(1)),
      rate_per_s: figures.ratePerSecond,
      samples: figures.latencySamples,
    });
  } finally {
    await server.stop();
  }
}

async function runMemory(ctx: BenchContext): Promise<void> {
  {
    const published = Array.from({ length: PUBLISHED_SYMBOLS }, (_, i) =>
      marketDataTopic('trade', VENUE, `SYM${i}`),
    );
    const subscriptions = buildSubscriptions(published);
    const tick = new Uint8Array(64);
    for (let i = 0; i < tick.length; i++) tick[i] = (i * 37 + 11) & 0xff;

    const bus = new MemoryBus();
    for (const { pattern, handler } of subscriptions) bus.subscribe(pattern, handler);
    const naive = new NaiveBus(subscriptions);
    const emitter = new EventEmitter();
    for (const topic of published) {
      emitter.on(topic, exactHandler);
      emitter.on(topic, patternHandler);
      emitter.on(topic, patternHandler);
    }
    for (const { pattern } of subscriptions.slice(PUBLISHED_SYMBOLS + 2)) emitter.on(pattern, otherHandler);

    const deliveriesPerPublish = 3;
    const direct = (n: number) => {
      for (let i = 0; i < n; i++) {
        const topic = published[i % PUBLISHED_SYMBOLS]!;
        exactHandler(tick, topic, i);
        patternHandler(tick, topic, i);
        patternHandler(tick, topic, i);
      }
    };
    const viaMemory = (n: number) => {
      for (let i = 0; i < n; i++) bus.publish(published[i % PUBLISHED_SYMBOLS]!, tick);
    };
    const viaNaive = (n: number) => {
      for (let i = 0; i < n; i++) naive.publish(published[i % PUBLISHED_SYMBOLS]!, tick);
    };
    const viaEmitter = (n: number) => {
      for (let i = 0; i < n; i++) {
        const topic = published[i % PUBLISHED_SYMBOLS]!;
        emitter.emit(topic, tick, topic);
      }
    };

    // Every variant must make the same handler calls on the same bytes, or the comparison is void.
    const checksums = [direct, viaMemory, viaNaive, viaEmitter].map((variant) => {
      sink = 0;
      variant(PUBLISHED_SYMBOLS * 3);
      return sink;
    });
    if (new Set(checksums).size !== 1)
      throw new Error(`variants disagree: checksums ${checksums.join(', ')}`);
    const deliveredBefore = bus.stats().delivered;
    viaMemory(PUBLISHED_SYMBOLS);
    const perPublish = (bus.stats().delivered - deliveredBefore) / PUBLISHED_SYMBOLS;
    if (perPublish !== deliveriesPerPublish)
      throw new Error(`expected 3 deliveries per publish, got ${perPublish}`);

    const fast = ctx.quick
      ? { iterations: 200_000, rounds: 7, warmupRounds: 2 }
      : { iterations: 1_000_000, rounds: 25, warmupRounds: 3 };
    // The naive bus costs ~10,000 topicMatches calls per publish, so far fewer iterations.
    const slow = ctx.quick
      ? { iterations: 200, rounds: 5, warmupRounds: 1 }
      : { iterations: 1_000, rounds: 12, warmupRounds: 1 };

    const directNs = timePerOp(direct, fast);
    const memoryNs = timePerOp(viaMemory, fast);
    const emitterNs = timePerOp(viaEmitter, fast);
    const naiveNs = timePerOp(viaNaive, slow);
    const overhead = (ns: number) => Math.max(0, ns - directNs) / deliveriesPerPublish;

    ctx.note(
      `per publish: direct ${directNs.toFixed(1)} ns, memory ${memoryNs.toFixed(1)} ns, ` +
        `EventEmitter ${emitterNs.toFixed(1)} ns, naive ${naiveNs.toFixed(0)} ns (${deliveriesPerPublish} deliveries each; sink ${sink})`,
    );
    ctx.report({
      metric: 'memory_overhead_ns',
      value: overhead(memoryNs),
      unit: 'ns',
      better: 'lower',
      baseline: `naive scan of ${subscriptions.length.toLocaleString('en-US')} subscriptions`,
      baseline_value: overhead(naiveNs),
      node_event_emitter_ns: Number(overhead(emitterNs).toFixed(1)),
      direct_call_ns: Number((directNs / deliveriesPerPublish).toFixed(1)),
      subscriptions: subscriptions.length,
      published_symbols: PUBLISHED_SYMBOLS,
      deliveries_per_publish: deliveriesPerPublish,
      checksum: checksums[0],
    });
  }
}
