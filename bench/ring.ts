import { MessageChannel, type Worker } from 'node:worker_threads';
import { createRing, spawnWorker } from '../src/shm/index.ts';
import { type Bench, type BenchContext, median, percentile } from './harness.ts';
import {
  foldMessage,
  messageWord,
  type RingCommand,
  type RunResult,
  WORDS_PER_MESSAGE,
} from './ring.worker.ts';

/**
 * `ring`: 64-byte messages from one worker thread to another through a shared ring, against a
 * MessagePort between the same two threads. Both sides write and read every byte (folded into a
 * checksum that must match the one computed here), so neither path is measured doing nothing.
 */

const RING_CAPACITY = 4096;
const BATCH = 256;
/** Gap between paced latency messages: long enough for the consumer to go to sleep each time. */
const GAP_MS = 0.2;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Command = WithoutId<RingCommand>;

/** The two benchmark workers, started once and reused by every run. */
class WorkerPair {
  private nextId = 1;
  private readonly waiting = new Map<
    string,
    { resolve: (result: RunResult) => void; reject: (error: unknown) => void }
  >();

  constructor(
    readonly producer: Worker,
    readonly consumer: Worker,
  ) {
    for (const worker of [producer, consumer]) {
      worker.on('message', (message: RunResult & { ready?: boolean }) => {
        const key = `${message.id}:${message.ready ? 'ready' : 'done'}:${worker.threadId}`;
        this.waiting.get(key)?.resolve(message);
        this.waiting.delete(key);
      });
      worker.on('error', (error) => {
        for (const pending of this.waiting.values()) pending.reject(error);
        this.waiting.clear();
      });
    }
  }

  /** Starts the receiving side, waits until it is set up, then starts the sending side. */
  async run(send: Command, receive: Command): Promise<{ sent: RunResult; received: RunResult }> {
    const id = this.nextId++;
    const ready = this.expect(this.consumer, id, 'ready');
    const received = this.expect(this.consumer, id, 'done');
    this.post(this.consumer, { ...receive, id } as RingCommand);
    await ready;
    const sent = this.expect(this.producer, id, 'done');
    this.post(this.producer, { ...send, id } as RingCommand);
    return { sent: await sent, received: await received };
  }

  async close(): Promise<void> {
    await Promise.all([this.producer.terminate(), this.consumer.terminate()]);
  }

  private post(worker: Worker, command: RingCommand): void {
    worker.postMessage(command, 'port' in command ? [command.port] : []);
  }

  private expect(worker: Worker, id: number, what: 'ready' | 'done'): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.waiting.set(`${id}:${what}:${worker.threadId}`, { resolve, reject });
    });
  }
}

const expectedChecksums = new Map<string, number>();

/** The checksum of messages 0..count-1 (words first..15), computed here the way the consumer does. */
function expectedChecksum(count: number, first: number): number {
  const key = `${count}:${first}`;
  const known = expectedChecksums.get(key);
  if (known !== undefined) return known;
  const message = new Int32Array(WORDS_PER_MESSAGE);
  let sum = 0;
  for (let m = 0; m < count; m++) {
    for (let w = 0; w < WORDS_PER_MESSAGE; w++) message[w] = messageWord(m, w);
    sum = foldMessage(sum, message, 0, first);
  }
  expectedChecksums.set(key, sum);
  return sum;
}

function checkChecksum(what: string, result: RunResult, count: number, first: number): number {
  const expected = expectedChecksum(count, first);
  if (result.checksum !== expected) {
    throw new Error(`${what}: checksum ${result.checksum} differs from the ${expected} that was sent`);
  }
  return expected;
}

/** Messages per second: the median over `rounds` runs, each moving `count` messages. */
async function throughput(
  pair: WorkerPair,
  what: string,
  rounds: number,
  count: number,
  makeRun: () => { send: Command; receive: Command },
): Promise<{ rate: number; rates: number[]; checksum: number }> {
  const rates: number[] = [];
  let checksum = 0;
  for (let round = 0; round < rounds; round++) {
    const { send, receive } = makeRun();
    const { sent, received } = await pair.run(send, receive);
    checksum = checkChecksum(what, received, count, 0);
    rates.push(count / ((received.endNs! - sent.startNs!) / 1e9));
  }
  return { rate: median(rates), rates, checksum };
}

function ringRun(count: number) {
  const descriptor = createRing({ capacity: RING_CAPACITY, policy: 'block' });
  return {
    send: { kind: 'ring-send', descriptor, count, batch: BATCH } as const,
    receive: { kind: 'ring-receive', descriptor, count, batch: BATCH } as const,
  };
}

function portRun(count: number, batch: number) {
  const { port1, port2 } = new MessageChannel();
  return {
    send: { kind: 'port-send', port: port1, count, batch } as const,
    receive: { kind: 'port-receive', port: port2, count } as const,
  };
}

async function measureThroughput(ctx: BenchContext, pair: WorkerPair): Promise<void> {
  const plan = ctx.quick
    ? { rounds: 3, ring: 2_000_000, port: 50_000, batched: 500_000 }
    : { rounds: 5, ring: 20_000_000, port: 300_000, batched: 3_000_000 };
  // JIT warm-up of both paths, unmeasured.
  await throughput(pair, 'ring warm-up', 1, 1_000_000, () => ringRun(1_000_000));
  await throughput(pair, 'postMessage warm-up', 1, 20_000, () => portRun(20_000, 1));
  const ring = await throughput(pair, 'ring', plan.rounds, plan.ring, () => ringRun(plan.ring));
  const port = await throughput(pair, 'postMessage', plan.rounds, plan.port, () => portRun(plan.port, 1));
  const batched = await throughput(pair, 'batched postMessage', plan.rounds, plan.batched, () =>
    portRun(plan.batched, BATCH),
  );
  ctx.note(`ring rounds (msg/s): ${ring.rates.map((rate) => Math.round(rate)).join(', ')}`);
  ctx.report({
    metric: 'throughput_msgs_per_s',
    value: ring.rate,
    unit: 'msg/s',
    better: 'higher',
    baseline: 'postMessage per message',
    baseline_value: port.rate,
    batch: BATCH,
    ring_capacity: RING_CAPACITY,
    messages: plan.ring,
    rounds: plan.rounds,
    postmessage_batched_msgs_per_s: Math.round(batched.rate),
    checksum: ring.checksum,
  });
}

async function latencies(
  pair: WorkerPair,
  what: string,
  count: number,
  makeRun: () => { send: Command; receive: Command },
): Promise<number[]> {
  const { send, receive } = makeRun();
  const { received } = await pair.run(send, receive);
  checkChecksum(what, received, count, 2);
  return received.latenciesUs!;
}

function pacedRingRun(count: number, busyPoll: boolean) {
  const descriptor = createRing({ capacity: 1024, policy: 'block' });
  return {
    send: { kind: 'ring-send-paced', descriptor, count, gapMs: GAP_MS } as const,
    receive: { kind: 'ring-receive-timed', descriptor, count, busyPoll } as const,
  };
}

async function measureLatency(ctx: BenchContext, pair: WorkerPair): Promise<void> {
  const count = ctx.quick ? 1000 : 10_000;
  const pacedPortRun = (count: number) => {
    const { port1, port2 } = new MessageChannel();
    return {
      send: { kind: 'port-send-paced', port: port1, count, gapMs: GAP_MS } as const,
      receive: { kind: 'port-receive-timed', port: port2, count } as const,
    };
  };
  // JIT warm-up of both paced paths, unmeasured.
  await latencies(pair, 'ring latency warm-up', 300, () => pacedRingRun(300, false));
  await latencies(pair, 'postMessage latency warm-up', 300, () => pacedPortRun(300));
  const ring = await latencies(pair, 'ring latency', count, () => pacedRingRun(count, false));
  const port = await latencies(pair, 'postMessage latency', count, () => pacedPortRun(count));
  const busy = await latencies(pair, 'ring busy-poll latency', count, () => pacedRingRun(count, true));
  for (const p of [50, 99] as const) {
    ctx.report({
      metric: `latency_p${p}_us`,
      value: percentile(ring, p),
      unit: 'us',
      better: 'lower',
      baseline: 'postMessage',
      baseline_value: percentile(port, p),
      consumer: 'spin then Atomics.wait',
      [`busy_poll_p${p}_us`]: percentile(busy, p),
      messages: count,
      gap_ms: GAP_MS,
    });
  }
}

export default {
  name: 'ring',
  description:
    '64-byte messages between two worker threads: shared ring vs postMessage (throughput, latency)',
  async run(ctx) {
    const script = new URL('./ring.worker.ts', import.meta.url);
    const pair = new WorkerPair(spawnWorker(script), spawnWorker(script));
    try {
      await measureThroughput(ctx, pair);
      await measureLatency(ctx, pair);
    } finally {
      await pair.close();
    }
  },
} satisfies Bench;
