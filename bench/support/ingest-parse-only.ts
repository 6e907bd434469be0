/**
 * The `ingest` benchmark's baseline: a bare `ws` client of the same simulator streams that only
 * decodes each frame to text and `JSON.parse`s it, counting the ticks the frame would yield (one
 * per trade, one per level of a depth diff). No books, no ticks, no rings, no bus: the ceiling of
 * the socket + parse path in one Node process. Streams go in the connect URL (the simulator takes
 * up to 1,024 per connection there), so no SUBSCRIBE pacing is needed.
 */
import WebSocket, { type RawData } from 'ws';
import { streamName } from '../../src/feeds/binance/index.ts';
import { serveRequests } from './ipc.ts';
import { waitUntil } from './ingest-wait.ts';
import {
  DEPTH_SPEED,
  type ParseOnlyArgs,
  type ParseOnlyOps,
  type ParseOnlyReady,
  STREAM_MIX,
  symbolNamesOf,
} from './ingest-protocol.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
const OPEN_TIMEOUT_MS = 60_000;

interface StreamData {
  e?: string;
  b?: unknown[];
  a?: unknown[];
}

const args = JSON.parse(process.argv[2] ?? '{}') as ParseOnlyArgs;
const info: unknown = await (await fetch(`${args.restUrl}/api/v3/exchangeInfo`)).json();
const streams = symbolNamesOf(info, args.symbols).flatMap((symbol) =>
  STREAM_MIX.map((kind) => streamName(symbol, kind, DEPTH_SPEED)),
);

let frames = 0;
let ticks = 0;
let parseMs = 0;

function onMessage(data: RawData, isBinary: boolean): void {
  if (isBinary) return;
  const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
  const before = performance.now();
  const frame = JSON.parse(text) as { data?: StreamData };
  parseMs += performance.now() - before;
  frames++;
  const payload = frame.data;
  if (payload === undefined) return;
  if (payload.e === 'depthUpdate') ticks += (payload.b?.length ?? 0) + (payload.a?.length ?? 0);
  else if (payload.e === 'trade') ticks++;
}

const sockets: WebSocket[] = [];
const opened: Promise<void>[] = [];
for (let first = 0; first < streams.length; first += args.streamsPerConnection) {
  const names = streams.slice(first, first + args.streamsPerConnection);
  const socket = new WebSocket(`${args.wsUrl}/stream?streams=${names.join('/')}`, {
    perMessageDeflate: false,
  });
  socket.on('message', onMessage);
  sockets.push(socket);
  opened.push(
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('parse-only connection did not open')),
        OPEN_TIMEOUT_MS,
      );
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', reject);
    }),
  );
}
await Promise.all(opened);

let start = { at: performance.now(), cpu: process.cpuUsage(), frames, ticks, parseMs };

serveRequests<ParseOnlyOps>(
  {
    begin: () => {
      start = { at: performance.now(), cpu: process.cpuUsage(), frames, ticks, parseMs };
      return { ok: true };
    },
    end: () => {
      const cpu = process.cpuUsage(start.cpu);
      return {
        elapsedMs: performance.now() - start.at,
        cpuMs: (cpu.user + cpu.system) / 1_000,
        frames: frames - start.frames,
        ticks: ticks - start.ticks,
        parseMs: parseMs - start.parseMs,
      };
    },
    caughtUp: async ({ frames: expected, graceMs }) => {
      const caughtUp = await waitUntil(() => frames - start.frames >= expected, graceMs);
      return { caughtUp, missingFrames: Math.max(0, expected - (frames - start.frames)), missingTicks: 0 };
    },
  },
  { connections: sockets.length } satisfies ParseOnlyReady,
  MAX_LIFETIME_MS,
);
