import WebSocket from 'ws';
import { z } from 'zod';
import { TickwireError } from '../errors.ts';
import { parseFlags } from './flags.ts';
import { simulatedUniverse } from '../simulator/index.ts';
import { type RecorderStats, TickRecorder } from '../recording/index.ts';
import { SymbolRegistry } from '../wire/index.ts';

/**
 * `tickwire record --dir <d> [--url ws://host:port/ws] [--topics md.>] [--symbols <spec>]
 * [--max-file-mb 256]`: records a running platform's market data by subscribing to its WebSocket
 * gateway in binary format, until SIGINT or SIGTERM (or the server closes the connection).
 *
 * Binary frames carry symbol ids, not names. The names for the symbol sidecar come from the
 * server's `GET /api/v1/symbols` when it has one, else from `--symbols` (the platform's own
 * `--symbols` value: the simulator registers that universe in order, so the ids agree); without
 * either, ticks are recorded with unnamed ids, which replay skips.
 */

const recordFlagsSchema = z
  .object({
    dir: z.string({ error: 'is required' }).min(1, 'is required'),
    url: z
      .string()
      .regex(/^wss?:\/\/.+/, 'must be a ws:// or wss:// URL')
      .default('ws://127.0.0.1:8001/ws'),
    topics: z
      .string()
      .default('md.>')
      .transform((text) =>
        text
          .split(',')
          .map((topic) => topic.trim())
          .filter((topic) => topic.length > 0),
      ),
    symbols: z.string().optional(),
    'max-file-mb': z.coerce.number().int('must be a whole number').min(1).max(1_048_576).default(256),
  })
  .strict();

export type RecordFlags = z.output<typeof recordFlagsSchema>;

export const RECORD_USAGE =
  'tickwire record --dir <dir> [--url ws://127.0.0.1:8001/ws] [--topics md.>] [--symbols <n|A,B>] [--max-file-mb 256]';

/** `tickwire record …`: resolves with the exit code once recording has stopped. */
export async function recordCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(
    recordFlagsSchema,
    args,
    {
      dir: { type: 'string' },
      url: { type: 'string' },
      topics: { type: 'string' },
      symbols: { type: 'string' },
      'max-file-mb': { type: 'string' },
    },
    RECORD_USAGE,
  );
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const stats = await recordFromGateway(flags, {
      signal: controller.signal,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${JSON.stringify(stats)}\n`);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export interface RecordRunOptions {
  signal: AbortSignal;
  log: (line: string) => void;
  /** How often a stats line is logged. */
  statsIntervalMs?: number;
}

/**
 * Records until `signal` aborts; rejects when the connection fails or the server refuses the
 * subscription. Resolves with the recorder's final stats.
 */
export async function recordFromGateway(flags: RecordFlags, run: RecordRunOptions): Promise<RecorderStats> {
  const registry = await remoteRegistry(flags, run.log);
  const recorder = new TickRecorder({
    dir: flags.dir,
    registry,
    maxFileBytes: flags['max-file-mb'] * 1024 * 1024,
  });
  await recorder.start();
  const socket = new WebSocket(flags.url);
  const timer = setInterval(
    () => run.log(`recording: ${JSON.stringify(recorder.stats())}`),
    run.statsIntervalMs ?? 5_000,
  );
  timer.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      const finish = () => resolve();
      run.signal.addEventListener('abort', finish, { once: true });
      if (run.signal.aborted) finish();
      socket.on('open', () => {
        socket.send(JSON.stringify({ op: 'subscribe', id: 1, topics: flags.topics, format: 'binary' }));
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) {
          recorder.append(data);
          return;
        }
        const reply = parseReply(data);
        if (reply.type === 'subscribed')
          run.log(`recording ${flags.topics.join(', ')} from ${flags.url} into ${flags.dir}`);
        if (reply.type === 'error') {
          reject(
            new TickwireError(
              'BAD_CONFIG',
              `the server refused the subscription: ${reply.code ?? ''} ${reply.message ?? ''}`,
            ),
          );
        }
      });
      socket.on('error', (error) => reject(new Error(`connection to ${flags.url} failed: ${error.message}`)));
      socket.on('close', (code, reason) => {
        if (!run.signal.aborted)
          reject(new Error(`${flags.url} closed the connection (${code} ${reason.toString()})`));
      });
    });
  } finally {
    clearInterval(timer);
    // Frames keep arriving until the close handshake ends; none may reach the closed recorder.
    socket.removeAllListeners('message');
    socket.removeAllListeners('close');
    socket.on('error', () => undefined);
    socket.close();
    await recorder.close();
  }
  return recorder.stats();
}

interface GatewayReply {
  type?: string;
  code?: string;
  message?: string;
}

/** A text frame from the gateway; anything that is not a JSON object reads as an empty reply. */
function parseReply(data: Buffer): GatewayReply {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as GatewayReply) : {};
  } catch {
    return {};
  }
}

const remoteSymbolsSchema = z.object({
  symbols: z.array(
    z.object({
      id: z.number().int().min(0),
      venue: z.string(),
      symbol: z.string(),
      priceScale: z.number().int(),
      sizeScale: z.number().int(),
    }),
  ),
});

/** The server's symbol ids, by name: from GET /api/v1/symbols, else from --symbols, else none. */
async function remoteRegistry(flags: RecordFlags, log: (line: string) => void): Promise<SymbolRegistry> {
  const registry = new SymbolRegistry();
  const symbolsUrl = new URL('/api/v1/symbols', flags.url.replace(/^ws/, 'http'));
  try {
    const response = await fetch(symbolsUrl, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) {
      const { symbols } = remoteSymbolsSchema.parse(await response.json());
      for (const entry of [...symbols].sort((a, b) => a.id - b.id)) {
        const id = registry.register(entry.venue as 'SIM', entry.symbol, entry);
        if (id !== entry.id)
          throw new TickwireError(
            'BAD_CONFIG',
            `${symbolsUrl} lists ids that are not dense from 0 (at ${entry.id})`,
          );
      }
      log(`symbol names: ${registry.size} from ${symbolsUrl.href}`);
      return registry;
    }
  } catch (error) {
    if (error instanceof TickwireError) throw error;
  }
  if (flags.symbols !== undefined) {
    const text = flags.symbols.trim();
    const spec = /^\d+$/.test(text) ? Number(text) : text.split(',').map((name) => name.trim().toUpperCase());
    for (const entry of simulatedUniverse(spec)) registry.register('SIM', entry.symbol, entry);
    log(`symbol names: ${registry.size} from --symbols (the simulated universe)`);
  } else {
    log(
      `warning: ${symbolsUrl.href} is not available and --symbols was not given; ticks are recorded without symbol names`,
    );
  }
  return registry;
}
