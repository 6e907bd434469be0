import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { TickwireClient, type TopicMessage, type WebSocketConstructor } from '../client/index.ts';
import { FLAG, type Tick, wallClockMs } from '../wire/index.ts';
import { jsonEvent, tickEvent } from './event-latency.ts';
import { IntervalHistograms } from './latency-histograms.ts';
import type { RunnerMessage, StartWorker, WorkerReport } from './worker-protocol.ts';

/**
 * One client process of `tickwire loadtest`: opens its share of the clients at the ramp's pace,
 * each a TickwireClient (the SDK, so reconnects, recovery and binary decoding are what a user
 * gets) on a `ws` socket bound to its source address, and reports once a second what its clients
 * received: deliveries, latency from each event's own time, conflations, recoveries, reconnects
 * and errors. It exits when told to stop, when the runner goes away, or after MAX_LIFETIME_MS.
 */

const REPORT_EVERY_MS = 1_000;
const RAMP_TICK_MS = 100;
/** However the runner fares, this process does not outlive this. */
const MAX_LIFETIME_MS = 15 * 60_000;

const histograms = new IntervalHistograms();
const counts = { deliveries: 0, conflated: 0, recovered: 0, reconnects: 0, resyncs: 0 };
let errors: Record<string, number> = {};
let connected = 0;
let everConnected = 0;
const clients: TickwireClient[] = [];
// This process's own load, reported with its figures.
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let cpuAt = { usage: process.cpuUsage(), time: performance.now() };
let rampTimer: ReturnType<typeof setInterval> | undefined;

function countError(code: string): void {
  errors[code] = (errors[code] ?? 0) + 1;
}

function received(type: string, eventMs: number | undefined, conflated: boolean, recovered: boolean): void {
  counts.deliveries++;
  if (conflated) counts.conflated++;
  if (recovered) counts.recovered++;
  if (eventMs !== undefined) histograms.record(type, (wallClockMs() - eventMs) * 1000);
}

function onMessage({ topic, data, conflated, recovered }: TopicMessage<unknown>): void {
  const { type, eventMs } = jsonEvent(topic, data);
  received(type, eventMs, conflated, recovered);
}

function onTick(tick: Tick): void {
  const { type, eventMs } = tickEvent(tick);
  received(type, eventMs, (tick.flags & FLAG.conflated) !== 0, false);
}

/** `ws` bound to a source address, as the SDK's WebSocket option. */
function webSocketFrom(localAddress: string | undefined): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { perMessageDeflate: false, ...(localAddress === undefined ? {} : { localAddress }) });
    }
  } as unknown as WebSocketConstructor;
}

function openClient(start: StartWorker, index: number): void {
  const plan = start.clients[index]!;
  const client = new TickwireClient({
    url: start.url,
    WebSocket: webSocketFrom(plan.localAddress),
    ...(start.apiKey === undefined ? {} : { apiKey: start.apiKey }),
  });
  clients.push(client);
  let wasConnected = false;
  let isConnected = false;
  client.events.on('state', ({ state }) => {
    if (state === 'connected') {
      if (wasConnected) counts.reconnects++;
      else everConnected++;
      if (!isConnected) connected++;
      isConnected = wasConnected = true;
    } else {
      if (isConnected) connected--;
      else if (state === 'disconnected' && !wasConnected) countError('CONNECT_FAILED');
      isConnected = false;
    }
  });
  client.events.on('resync', () => counts.resyncs++);
  client.events.on('error', (error) => countError(error.code));
  client.subscribe(
    plan.topics,
    onMessage,
    start.format === 'binary' ? { format: 'binary', onTicks: onTick } : {},
  );
  void client.connect().then(
    () => {
      const account = client.account;
      if (!start.accountTopics || account === null) return;
      client.subscribe([`fills.${account}`, `orders.${account}`, `bots.${account}.*`], onMessage);
    },
    () => undefined, // a refused credential: counted by the error event
  );
}

function start(message: StartWorker): void {
  let next = 0;
  const perTick = Math.max(1, Math.round((message.connectsPerSecond * RAMP_TICK_MS) / 1000));
  rampTimer = setInterval(() => {
    for (let i = 0; i < perTick && next < message.clients.length; i++) openClient(message, next++);
    if (next >= message.clients.length) clearInterval(rampTimer);
  }, RAMP_TICK_MS);
}

function report(final: boolean): WorkerReport {
  const usage = process.cpuUsage(cpuAt.usage);
  const now = performance.now();
  const body: WorkerReport = {
    op: 'report',
    final,
    connected,
    everConnected,
    ...counts,
    errors,
    histograms: histograms.take(),
    cpuPercent: ((usage.user + usage.system) / 1000 / Math.max(1, now - cpuAt.time)) * 100,
    eventLoopLagP99Ms: lag.percentile(99) / 1e6,
  };
  cpuAt = { usage: process.cpuUsage(), time: now };
  lag.reset();
  for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
  errors = {};
  return body;
}

function stop(): void {
  clearInterval(rampTimer);
  clearInterval(reportTimer);
  for (const client of clients) client.close();
  connected = 0;
  process.send!(report(true), () => process.exit(0));
}

const reportTimer = setInterval(() => process.send!(report(false)), REPORT_EVERY_MS);
process.on('message', (message: RunnerMessage) => {
  if (message.op === 'start') start(message);
  else stop();
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MS).unref();
