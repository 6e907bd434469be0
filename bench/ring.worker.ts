import { type MessagePort, parentPort } from 'node:worker_threads';
import { RingConsumer, type RingDescriptor, RingProducer } from '../src/shm/index.ts';

/**
 * One end of a `ring` benchmark run. bench/ring.ts starts two of these once and sends each run's
 * command to both: every run moves `count` 64-byte messages from the producing worker to the
 * consuming one, through a ring or through a MessagePort, writing and reading all 16 words of each
 * message. Replies: { id, ready: true } once set up, then { id, ...result }.
 */

export const WORDS_PER_MESSAGE = 16;

export type RingCommand =
  | { id: number; kind: 'ring-send'; descriptor: RingDescriptor; count: number; batch: number }
  | { id: number; kind: 'ring-receive'; descriptor: RingDescriptor; count: number; batch: number }
  | { id: number; kind: 'port-send'; port: MessagePort; count: number; batch: number }
  | { id: number; kind: 'port-receive'; port: MessagePort; count: number }
  | { id: number; kind: 'ring-send-paced'; descriptor: RingDescriptor; count: number; gapMs: number }
  | { id: number; kind: 'ring-receive-timed'; descriptor: RingDescriptor; count: number; busyPoll: boolean }
  | { id: number; kind: 'port-send-paced'; port: MessagePort; count: number; gapMs: number }
  | { id: number; kind: 'port-receive-timed'; port: MessagePort; count: number };

export interface RunResult {
  id: number;
  /** process.hrtime.bigint() as a Number, shared by all threads of the process. */
  startNs?: number;
  endNs?: number;
  checksum?: number;
  /** One-way latencies in microseconds, for the timed runs. */
  latenciesUs?: number[];
}

/** Word `w` of message `m`: cheap, pure int32, different for every word of every message. */
export function messageWord(m: number, w: number): number {
  return m ^ Math.imul(w + 1, 0x9e3779b9);
}

/**
 * Folds words [first, 16) of the message at `words[base]` into `sum`. Each word is rotated by its
 * position and xor-ed together (independent operations the CPU overlaps), then one FNV-1a step
 * mixes the message into the running sum, so word order and message order both count. A fold
 * with one long dependency chain per word (or one that overflows int32 and leaves V8's fast path)
 * costs more than the ring itself and would bench the checksum instead of the transport.
 */
export function foldMessage(sum: number, words: Int32Array, base: number, first: number): number {
  let x = 0;
  for (let w = first; w < WORDS_PER_MESSAGE; w++) {
    const v = words[base + w]!;
    x ^= (v << w) | (v >>> (32 - w));
  }
  return Math.imul(sum ^ x, 16777619);
}

const nowNs = () => Number(process.hrtime.bigint());
const WAIT_MS = 30_000;

function ringSend(descriptor: RingDescriptor, count: number, batch: number): Omit<RunResult, 'id'> {
  const producer = new RingProducer(descriptor);
  const words = new Int32Array(descriptor.buffer);
  const startNs = nowNs();
  let m = 0;
  while (m < count) {
    const granted = producer.claim(Math.min(batch, count - m), WAIT_MS);
    for (let i = 0; i < granted; i++, m++) {
      const base = producer.offsetOf(i) >> 2;
      for (let w = 0; w < WORDS_PER_MESSAGE; w++) words[base + w] = messageWord(m, w);
    }
    producer.publish(granted);
  }
  return { startNs };
}

function ringReceive(descriptor: RingDescriptor, count: number, batch: number, ready: () => void) {
  const consumer = new RingConsumer(descriptor);
  const words = new Int32Array(descriptor.buffer);
  let sum = 0;
  const handler = (_bytes: Uint8Array, offset: number) => {
    sum = foldMessage(sum, words, offset >> 2, 0);
  };
  ready();
  let received = 0;
  while (received < count) {
    const handled = consumer.poll(handler, batch);
    if (handled === 0) consumer.waitForData(WAIT_MS);
    received += handled;
  }
  return { endNs: nowNs(), checksum: sum };
}

function portSend(port: MessagePort, count: number, batch: number): Omit<RunResult, 'id'> {
  const startNs = nowNs();
  let m = 0;
  while (m < count) {
    const n = Math.min(batch, count - m);
    const message = new Int32Array(n * WORDS_PER_MESSAGE);
    for (let i = 0; i < n; i++, m++) {
      for (let w = 0; w < WORDS_PER_MESSAGE; w++) message[i * WORDS_PER_MESSAGE + w] = messageWord(m, w);
    }
    port.postMessage(message); // structured clone: the bytes are copied, as they must be
  }
  return { startNs };
}

function portReceive(port: MessagePort, count: number): Promise<Omit<RunResult, 'id'>> {
  return new Promise((resolve) => {
    let received = 0;
    let sum = 0;
    port.on('message', (message: Int32Array) => {
      for (let base = 0; base < message.length; base += WORDS_PER_MESSAGE)
        sum = foldMessage(sum, message, base, 0);
      received += message.length / WORDS_PER_MESSAGE;
      if (received === count) {
        port.close();
        resolve({ endNs: nowNs(), checksum: sum });
      }
    });
  });
}

/** Sleeps between messages so that the consumer has gone idle (and asleep) when each arrives. */
function pause(gapMs: number, nap: Int32Array): void {
  Atomics.wait(nap, 0, 0, gapMs);
}

function ringSendPaced(descriptor: RingDescriptor, count: number, gapMs: number): Omit<RunResult, 'id'> {
  const producer = new RingProducer(descriptor);
  const words = new Int32Array(descriptor.buffer);
  const stamps = new BigInt64Array(descriptor.buffer);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let m = 0; m < count; m++) {
    pause(gapMs, nap);
    producer.offer((_bytes, offset) => {
      const base = offset >> 2;
      for (let w = 2; w < WORDS_PER_MESSAGE; w++) words[base + w] = messageWord(m, w);
      stamps[offset >> 3] = process.hrtime.bigint(); // last, as close to publish as possible
    }, WAIT_MS);
  }
  return {};
}

/** `busyPoll`: never sleep, poll in a loop (a core per consumer): the transport's own latency. */
function ringReceiveTimed(descriptor: RingDescriptor, count: number, busyPoll: boolean, ready: () => void) {
  const consumer = new RingConsumer(descriptor);
  const words = new Int32Array(descriptor.buffer);
  const stamps = new BigInt64Array(descriptor.buffer);
  const latenciesUs: number[] = [];
  let sum = 0;
  const handler = (_bytes: Uint8Array, offset: number) => {
    latenciesUs.push(Number(process.hrtime.bigint() - stamps[offset >> 3]!) / 1000);
    sum = foldMessage(sum, words, offset >> 2, 2);
  };
  ready();
  while (latenciesUs.length < count) {
    if (consumer.poll(handler, 1) === 0 && !busyPoll) consumer.waitForData(WAIT_MS);
  }
  return { latenciesUs, checksum: sum };
}

function portSendPaced(port: MessagePort, count: number, gapMs: number): Omit<RunResult, 'id'> {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let m = 0; m < count; m++) {
    pause(gapMs, nap);
    const message = new Int32Array(WORDS_PER_MESSAGE);
    for (let w = 2; w < WORDS_PER_MESSAGE; w++) message[w] = messageWord(m, w);
    new BigInt64Array(message.buffer, 0, 1)[0] = process.hrtime.bigint();
    port.postMessage(message);
  }
  return {};
}

function portReceiveTimed(port: MessagePort, count: number): Promise<Omit<RunResult, 'id'>> {
  return new Promise((resolve) => {
    const latenciesUs: number[] = [];
    let sum = 0;
    port.on('message', (message: Int32Array) => {
      const sentNs = new BigInt64Array(message.buffer, 0, 1)[0]!;
      latenciesUs.push(Number(process.hrtime.bigint() - sentNs) / 1000);
      sum = foldMessage(sum, message, 0, 2);
      if (latenciesUs.length === count) {
        port.close();
        resolve({ latenciesUs, checksum: sum });
      }
    });
  });
}

async function run(command: RingCommand, ready: () => void): Promise<Omit<RunResult, 'id'>> {
  switch (command.kind) {
    case 'ring-send':
      return ringSend(command.descriptor, command.count, command.batch);
    case 'ring-receive':
      return ringReceive(command.descriptor, command.count, command.batch, ready);
    case 'port-send':
      return portSend(command.port, command.count, command.batch);
    case 'port-receive': {
      const result = portReceive(command.port, command.count);
      ready();
      return result;
    }
    case 'ring-send-paced':
      return ringSendPaced(command.descriptor, command.count, command.gapMs);
    case 'ring-receive-timed':
      return ringReceiveTimed(command.descriptor, command.count, command.busyPoll, ready);
    case 'port-send-paced':
      return portSendPaced(command.port, command.count, command.gapMs);
    case 'port-receive-timed': {
      const result = portReceiveTimed(command.port, command.count);
      ready();
      return result;
    }
  }
}

parentPort?.on('message', (command: RingCommand) => {
  let announced = false;
  const ready = () => {
    announced = true;
    parentPort!.postMessage({ id: command.id, ready: true });
  };
  run(command, ready).then(
    (result) => {
      if (!announced) ready();
      parentPort!.postMessage({ id: command.id, ...result });
    },
    (error: unknown) => {
      throw error;
    },
  );
});
