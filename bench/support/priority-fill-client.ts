/**
 * Child process of the priority benchmark: the clients of account acc1 (API key in the handshake),
 * each subscribed to its market-data symbols like every other client AND to fills.acc1, parsing
 * every frame as a real consumer does. They live in their own process so that what they measure
 * is the gateway's queueing, not the event loop of a process reading 1,000 saturated sockets.
 */
import { spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { serveRequests } from './ipc.ts';
import { symbolsOfClient, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { WsReader } from './fanout-ws-reader.ts';
import {
  type BenchFill,
  FILL_API_KEY,
  FILL_TOPIC,
  type FillClientOps,
  type FillClientReady,
} from './priority-protocol.ts';

const MAX_LIFETIME_MS = 5 * 60_000;
/**
 * On 2 cores the gateway and the flood clients each keep a core busy; at equal priority this
 * process would wait for the scheduler (several ms) before it could read a fill, a cost of the
 * test rig (a trader's client has its own machine), not of the gateway. So it asks for real-time
 * scheduling (SCHED_FIFO, all threads, through `chrt`), else a higher priority (nice -10), else
 * runs at normal priority; the figure says which it got. Measured on the reference machine: the
 * fill p99 was 8 ms at nice -10 and 2.3 ms at SCHED_FIFO in the same conditions.
 */
const FILL_CLIENT_NICE = -10;
const FILL_CLIENT_RT_PRIORITY = '10';
let priorityNote = `normal priority`;
if (spawnSync('chrt', ['-a', '-f', '-p', FILL_CLIENT_RT_PRIORITY, String(process.pid)]).status === 0) {
  priorityNote = `SCHED_FIFO ${FILL_CLIENT_RT_PRIORITY}`;
} else {
  try {
    setPriority(FILL_CLIENT_NICE);
    priorityNote = `nice ${FILL_CLIENT_NICE}`;
  } catch (error) {
    priorityNote = `normal priority (${(error as Error).message})`;
  }
}

let readers: WsReader[] = [];
let fillsReceived: number[] = [];
let fromPublishUs: number[] = [];
let fromScheduleUs: number[] = [];
let marketData = 0;
let closedReason: string | undefined;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function connectClient(port: number, path: string, client: number, index: number): Promise<WsReader> {
  return WsReader.subscribed({
    port,
    path,
    headers: { 'x-api-key': FILL_API_KEY },
    topics: [FILL_TOPIC, ...symbolsOfClient(client).map(tradeTopic)],
    onFrame: (buffer, start, end) => {
      const message = JSON.parse(buffer.toString('utf8', start, end)) as { topic: string; data: unknown };
      if (message.topic !== FILL_TOPIC) {
        marketData++;
        return;
      }
      const now = wallClockMs();
      const fill = message.data as BenchFill;
      if (fill.warmup) return;
      fillsReceived[index]!++;
      fromPublishUs.push((now - fill.publishedMs) * 1000);
      fromScheduleUs.push((now - fill.scheduledMs) * 1000);
    },
    onClose: (reason) => {
      closedReason = reason;
    },
  });
}

serveRequests<FillClientOps>(
  {
    async connect({ port, path, first, count }) {
      closedReason = undefined;
      fillsReceived = new Array<number>(count).fill(0);
      readers = await Promise.all(
        Array.from({ length: count }, (_, index) => connectClient(port, path, first + index, index)),
      );
      return { connected: readers.length };
    },

    reset() {
      fillsReceived.fill(0);
      fromPublishUs = [];
      fromScheduleUs = [];
      marketData = 0;
      return {};
    },

    async collect({ fills, timeoutMs }) {
      const started = performance.now();
      while (fillsReceived.some((n) => n < fills) && performance.now() - started < timeoutMs) {
        if (closedReason !== undefined) throw new Error(`a fill client was closed: ${closedReason}`);
        await sleep(5);
      }
      if (closedReason !== undefined) throw new Error(`a fill client was closed: ${closedReason}`);
      return {
        fromPublishUs,
        fromScheduleUs,
        missing: fillsReceived.reduce((sum, n) => sum + Math.max(0, fills - n), 0),
        marketData,
      };
    },

    disconnect() {
      const closed = readers.length;
      for (const reader of readers) reader.destroy();
      readers = [];
      return { closed };
    },
  },
  { priority: priorityNote } satisfies FillClientReady,
  MAX_LIFETIME_MS,
);
