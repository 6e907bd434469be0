/**
 * Child process of the fanout and priority benchmarks: many WebSocket clients, each subscribed to
 * its symbols (symbolsOfClient), counting what they receive. On request it checks the counts
 * against what the server published, and samples delivery latency from the frames' stamps.
 */
import { serveRequests } from './ipc.ts';
import { Tick, TICK_BYTES } from '../../src/wire/index.ts';
import {
  type ClientOps,
  type ClientWire,
  type ConnectRequest,
  DUE_FIELD,
  MSGPACK_DUE_KEY,
  MSGPACK_PUBLISH_KEY,
  stampMsOfMsgpack,
  type LatencySamples,
  PUBLISH_FIELD,
  stampMsOfFrame,
  SYMBOL_COUNT,
  symbolsOfClient,
  tradeTopic,
  wallClockMs,
} from './fanout-protocol.ts';
import { type FrameHandler, WsReader } from './fanout-ws-reader.ts';

const MAX_LIFETIME_MS = 5 * 60_000;
const CONNECT_CONCURRENCY = 100;
const CHECK_INTERVAL_MS = 2;

let readers: WsReader[] = [];
let symbolsOf: number[][] = [];
let counts = new Float64Array(0);
/** Frames received by all clients since the process started: rebase watches it go quiet. */
let totalFrames = 0;
let closedUnexpectedly = 0;
let lastCloseReason = '';
let sampleStride = 0;
let untilSample = 0;
let samples: LatencySamples = { fromDueUs: [], fromPublishUs: [] };
/** Keeps the parse from being optimized away. */
let parsedSink = 0;
let cpuAtRebase = process.cpuUsage();

/** (time, frames so far) every SNAPSHOT_MS, for `received`; bounded by the process's lifetime. */
const SNAPSHOT_MS = 20;
const snapshots: { atMs: number; frames: number }[] = [];
setInterval(() => snapshots.push({ atMs: wallClockMs(), frames: totalFrames }), SNAPSHOT_MS).unref();

/** A tick copied out of the shared read buffer (a Tick view needs 4-byte alignment). */
const tickScratch = new Uint8Array(TICK_BYTES);
const tickView = new Tick();

/** The due and publish stamps of a frame (of its first tick, for binary), in ms; NaN when absent. */
function stampsOf(wire: ClientWire, buffer: Buffer, start: number, end: number): [number, number] {
  if (wire === 'binary') {
    tickScratch.set(buffer.subarray(start, start + TICK_BYTES));
    const tick = tickView.wrap(tickScratch, 0);
    return [tick.exchangeMs + tick.exchangeNanosOfMs / 1e6, tick.receiveMs + tick.receiveNanosOfMs / 1e6];
  }
  if (wire === 'socketio-msgpack')
    return [
      stampMsOfMsgpack(buffer, start, end, MSGPACK_DUE_KEY),
      stampMsOfMsgpack(buffer, start, end, MSGPACK_PUBLISH_KEY),
    ];
  return [stampMsOfFrame(buffer, start, end, DUE_FIELD), stampMsOfFrame(buffer, start, end, PUBLISH_FIELD)];
}

function counter(client: number, consume: ConnectRequest['consume'], wire: ClientWire): FrameHandler {
  const sample = (buffer: Buffer, start: number, end: number) => {
    if (sampleStride === 0 || --untilSample > 0) return;
    untilSample = sampleStride;
    const now = wallClockMs();
    const [due, published] = stampsOf(wire, buffer, start, end);
    if (Number.isNaN(due) || Number.isNaN(published)) return;
    samples.fromDueUs.push((now - due) * 1000);
    samples.fromPublishUs.push((now - published) * 1000);
  };
  // Binary frames carry several ticks: each counts as one message.
  if (wire === 'binary') {
    return (buffer, start, end) => {
      const ticks = (end - start) / TICK_BYTES;
      counts[client]! += ticks;
      totalFrames += ticks;
      sample(buffer, start, end);
    };
  }
  if (consume === 'parse') {
    return (buffer, start, end) => {
      counts[client]!++;
      totalFrames++;
      const message = JSON.parse(buffer.toString('utf8', start, end)) as { data?: { seq?: number } };
      parsedSink += message.data?.seq ?? 0;
      sample(buffer, start, end);
    };
  }
  return (buffer, start, end) => {
    counts[client]!++;
    totalFrames++;
    sample(buffer, start, end);
  };
}

/** Connects one client, subscribes it, and resolves once the server confirmed the subscription. */
async function connectClient(request: ConnectRequest, index: number): Promise<WsReader> {
  return WsReader.subscribed({
    port: request.port,
    path: request.path,
    topics: symbolsOfClient(request.first + index).map(tradeTopic),
    wire: request.wire ?? 'json',
    onFrame: counter(index, request.consume, request.wire ?? 'json'),
    onClose: (reason) => {
      closedUnexpectedly++;
      lastCloseReason = reason;
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

serveRequests<ClientOps>(
  {
    async connect(request) {
      const started = performance.now();
      closedUnexpectedly = 0;
      counts = new Float64Array(request.count);
      symbolsOf = Array.from({ length: request.count }, (_, i) => symbolsOfClient(request.first + i));
      readers = new Array<WsReader>(request.count);
      let next = 0;
      const worker = async () => {
        while (next < request.count) {
          const index = next++;
          readers[index] = await connectClient(request, index);
        }
      };
      await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
      return { connected: readers.length, ms: performance.now() - started };
    },

    async rebase({ quietMs, timeoutMs }) {
      const started = performance.now();
      let seen = totalFrames;
      let quietSince = started;
      while (performance.now() - started < timeoutMs) {
        await sleep(CHECK_INTERVAL_MS);
        if (totalFrames !== seen) {
          seen = totalFrames;
          quietSince = performance.now();
        } else if (performance.now() - quietSince >= quietMs) {
          counts.fill(0);
          cpuAtRebase = process.cpuUsage();
          return { quiet: true, waitedMs: performance.now() - started };
        }
      }
      counts.fill(0);
      cpuAtRebase = process.cpuUsage();
      return { quiet: false, waitedMs: performance.now() - started };
    },

    async expect({ published, timeoutMs }) {
      if (published.length !== SYMBOL_COUNT) throw new Error(`published has ${published.length} symbols`);
      const expected = symbolsOf.map((symbols) =>
        symbols.reduce((sum, symbol) => sum + published[symbol]!, 0),
      );
      const started = performance.now();
      const tally = () => {
        let short = 0;
        let over = 0;
        let received = 0;
        for (let i = 0; i < expected.length; i++) {
          received += counts[i]!;
          if (counts[i]! < expected[i]!) short++;
          else if (counts[i]! > expected[i]!) over++;
        }
        return { short, over, received };
      };
      let result = tally();
      while (result.short > 0 && result.over === 0 && performance.now() - started < timeoutMs) {
        await sleep(CHECK_INTERVAL_MS);
        result = tally();
      }
      if (closedUnexpectedly > 0) {
        throw new Error(
          `${closedUnexpectedly} clients were closed; last: ${lastCloseReason} (sink ${parsedSink})`,
        );
      }
      const cpu = process.cpuUsage(cpuAtRebase);
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        complete: result.short === 0 && result.over === 0,
        waitedMs: performance.now() - started,
        expected: expected.reduce((a, b) => a + b, 0),
        ...result,
      };
    },

    received({ fromMs, toMs }) {
      const first = snapshots.find((snapshot) => snapshot.atMs >= fromMs);
      const last = snapshots.findLast((snapshot) => snapshot.atMs <= toMs);
      if (!first || !last || last.atMs <= first.atMs) return { frames: 0, ms: 0 };
      return { frames: last.frames - first.frames, ms: last.atMs - first.atMs };
    },

    sample({ stride }) {
      sampleStride = stride;
      untilSample = stride;
      return {};
    },

    samples() {
      const taken = samples;
      samples = { fromDueUs: [], fromPublishUs: [] };
      return taken;
    },

    disconnect() {
      const closed = readers.length;
      for (const reader of readers) {
        reader.onFrame = () => {};
        reader.destroy();
      }
      readers = [];
      closedUnexpectedly = 0;
      return { closed };
    },
  },
  {},
  MAX_LIFETIME_MS,
);
