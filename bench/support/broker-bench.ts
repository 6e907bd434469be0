import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { BrokerBus, createBus, type MessageBus } from '../../src/bus/index.ts';
import { HEADER_BYTES } from '../../src/bus/broker/envelope.ts';
import { type BrokerKind, type BrokerServer } from '../../test/support/broker-servers.ts';
import { percentile } from '../harness.ts';

/**
 * Broker bus figures for bench/bus.ts, each next to the same client library used raw in the same
 * run, on a server started for the run:
 *
 * - Throughput: one publisher, one subscriber, 64-byte ticks, published in windows (at most
 *   WINDOW messages sent but not yet received) so neither the broker's output buffer limits nor
 *   the client's memory decide the figure. Raw: the library's publish of an envelope-sized buffer
 *   (16 + 64 bytes) to a raw subscriber of the same library; the raw ioredis publisher sends each
 *   batch as one explicit pipeline, like redis-benchmark -P; the bus's publisher connection auto-pipelines each turn.
 * - Latency: publish-to-handler time at a moderate fixed rate (not saturation), stamped in the
 *   tick itself. Publisher and subscriber share this process and its event loop.
 */

export interface BrokerFigures {
  busPerSecond: number;
  rawPerSecond: number;
  busLatencyUs: { p50: number; p99: number };
  rawLatencyUs: { p50: number; p99: number };
  messages: number;
  latencySamples: number;
  ratePerSecond: number;
}

export interface BrokerBenchPlan {
  messages: number;
  latencyMs: number;
  ratePerSecond: number;
}

const WINDOW = 5_000;
const STEP_TIMEOUT_MS = 30_000;
const TOPIC = 'md.trade.SIM.BTCUSDT';
const STAMP_OFFSET = 8;

/** Sends and receives through one pair of endpoints; the bench drives both the raw and the bus pair. */
interface Pair {
  send(tick: Uint8Array): void;
  /** Called after each batch of sends (the raw Redis pair sends its pipeline here). */
  flush(): void;
  onReceive(handler: (tick: Uint8Array) => void): void;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export async function measureBroker(server: BrokerServer, plan: BrokerBenchPlan): Promise<BrokerFigures> {
  const raw = await rawPair(server.kind, server.url);
  await raw.ready();
  const rawPerSecond = await throughput(raw, plan.messages);
  const rawLatencyUs = await latency(raw, plan);
  await raw.close();
  const bus = await busPair(server.url);
  await bus.ready();
  const busPerSecond = await throughput(bus, plan.messages);
  const busLatencyUs = await latency(bus, plan);
  await bus.close();
  return {
    busPerSecond,
    rawPerSecond,
    busLatencyUs,
    rawLatencyUs,
    messages: plan.messages,
    latencySamples: Math.round((plan.latencyMs / 1000) * plan.ratePerSecond),
    ratePerSecond: plan.ratePerSecond,
  };
}

async function throughput(pair: Pair, messages: number): Promise<number> {
  let received = 0;
  pair.onReceive(() => {
    received++;
  });
  const tick = new Uint8Array(64).fill(7);
  // Warm the path (JIT, connection buffers) before timing.
  for (let i = 0; i < 1000; i++) pair.send(tick);
  pair.flush();
  await until(() => received >= 1000, 'warm-up messages');
  received = 0;
  const started = performance.now();
  let sent = 0;
  while (sent < messages) {
    const batch = Math.min(WINDOW, messages - sent);
    for (let i = 0; i < batch; i++) pair.send(tick);
    pair.flush();
    sent += batch;
    await until(() => received >= sent - WINDOW / 2, 'windowed messages');
  }
  await until(() => received >= messages, 'all messages');
  return messages / ((performance.now() - started) / 1000);
}

async function latency(pair: Pair, plan: BrokerBenchPlan): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  const view = new DataView(new ArrayBuffer(8));
  pair.onReceive((tick) => {
    for (let i = 0; i < 8; i++) view.setUint8(i, tick[STAMP_OFFSET + i]!);
    samples.push((performance.now() - view.getFloat64(0, true)) * 1000);
  });
  const tick = new Uint8Array(64);
  const stamp = new DataView(tick.buffer);
  const total = Math.round((plan.latencyMs / 1000) * plan.ratePerSecond);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    // Keep to the schedule: send what is due by now, then yield a millisecond.
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * plan.ratePerSecond));
    for (; sent < due; sent++) {
      stamp.setFloat64(STAMP_OFFSET, performance.now(), true);
      pair.send(tick);
    }
    pair.flush();
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (performance.now() - started > plan.latencyMs + STEP_TIMEOUT_MS)
      throw new Error('latency run overran');
  }
  await until(() => samples.length >= total, 'latency samples');
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function busPair(url: string): Promise<Pair> {
  const prefix = `bench${process.pid}`;
  const publisher = createBus(url, { prefix, maxPendingPublishes: 0 });
  const subscriber = createBus(url, { prefix });
  let handler: (tick: Uint8Array) => void = () => {};
  subscriber.subscribe(TOPIC, (payload) => handler(payload as Uint8Array));
  return {
    send: (tick) => publisher.publish(TOPIC, tick),
    flush: () => {},
    onReceive: (next) => {
      handler = next;
    },
    async ready() {
      await until(() => connected(publisher) && connected(subscriber), 'bus connection');
      await (subscriber as BrokerBus).sync();
    },
    async close() {
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  };
}

function connected(bus: MessageBus): boolean {
  return bus.health().state === 'connected';
}

async function rawPair(kind: BrokerKind, url: string): Promise<Pair> {
  const channel = `raw${process.pid}.${TOPIC}`;
  const message = Buffer.alloc(HEADER_BYTES + 64);
  let handler: (tick: Uint8Array) => void = () => {};
  if (kind === 'redis') {
    const publisher = new Redis(url);
    const subscriber = new Redis(url);
    subscriber.on('messageBuffer', (_channel: Buffer, data: Buffer) => handler(data.subarray(HEADER_BYTES)));
    await subscriber.subscribe(channel);
    const ignore = () => {};
    let pipeline = publisher.pipeline();
    let queued = 0;
    return {
      send: (tick) => {
        message.set(tick, HEADER_BYTES);
        pipeline.publish(channel, Buffer.from(message));
        queued++;
      },
      flush: () => {
        if (queued === 0) return;
        pipeline.exec().catch(ignore);
        pipeline = publisher.pipeline();
        queued = 0;
      },
      onReceive: (next) => {
        handler = next;
      },
      ready: () => publisher.ping().then(() => undefined),
      async close() {
        publisher.disconnect();
        subscriber.disconnect();
      },
    };
  }
  const hostPort = url.replace('nats://', '');
  const publisher = await natsConnect({ servers: hostPort });
  const subscriber = await natsConnect({ servers: hostPort });
  subscriber.subscribe(channel, { callback: (_error, msg) => handler(msg.data.subarray(HEADER_BYTES)) });
  await subscriber.flush();
  return {
    send: (tick) => {
      message.set(tick, HEADER_BYTES);
      publisher.publish(channel, message);
    },
    flush: () => {},
    onReceive: (next) => {
      handler = next;
    },
    ready: () => publisher.flush(),
    async close() {
      await Promise.all([publisher.close(), subscriber.close()]);
    },
  };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  while (!predicate()) {
    if (performance.now() > deadline)
      throw new Error(`broker bench: ${what} not reached within ${STEP_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
