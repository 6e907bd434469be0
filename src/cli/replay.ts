import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../config/index.ts';
import { readRecording, replay, type ReplayProgress } from '../recording/index.ts';
import { startPlatform } from '../platform/index.ts';
import { parseFlags } from './flags.ts';

/**
 * `tickwire replay --dir <d> [--speed 1] [--from ISO] [--to ISO] [--port 8001] [--host h]
 * [--workers n] [--dry-run]`: starts a local platform without a feed and replays the recording
 * into its pipeline, so its gateway, REST API and dashboard serve the recorded market; stops the
 * platform and exits when the recording ends (or on SIGINT/SIGTERM). `--dry-run` only reads the
 * recording and prints records per symbol and the time span.
 */

const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO time such as 2026-11-21T09:30:00Z')
  .transform((text) => BigInt(Date.parse(text)) * 1_000_000n);

const replayFlagsSchema = z
  .object({
    dir: z.string({ error: 'is required' }).min(1, 'is required'),
    speed: z.coerce
      .number({ error: 'must be a number' })
      .min(0, 'must be >= 0 (0 = as fast as possible)')
      .default(1),
    from: isoTime.optional(),
    to: isoTime.optional(),
    port: z
      .string()
      .regex(/^\d{1,5}$/, 'must be a port number')
      .default('8001'),
    host: z.string().min(1).default('127.0.0.1'),
    workers: z.string().regex(/^\d+$/, 'must be a whole number').optional(),
    'dry-run': z.boolean().default(false),
  })
  .strict()
  .refine((flags) => flags.from === undefined || flags.to === undefined || flags.from <= flags.to, {
    path: ['to'],
    message: 'must not be before --from',
  });

export type ReplayFlags = z.output<typeof replayFlagsSchema>;

export const REPLAY_USAGE =
  'tickwire replay --dir <dir> [--speed 1] [--from ISO] [--to ISO] [--port 8001] [--host 127.0.0.1] [--workers n] [--dry-run]';

/** `tickwire replay …`: resolves with the exit code once the replay has ended. */
export async function replayCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(
    replayFlagsSchema,
    args,
    {
      dir: { type: 'string' },
      speed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      'dry-run': { type: 'boolean' },
    },
    REPLAY_USAGE,
  );
  if (flags['dry-run']) {
    process.stdout.write(formatSummary(await summarizeRecording(flags.dir, flags.from, flags.to)));
    return 0;
  }
  const final = await replayIntoPlatform(flags, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(
    `${JSON.stringify(final, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}\n`,
  );
  return 0;
}

export interface RecordingSummary {
  records: number;
  files: number;
  /** Records per `VENUE:SYMBOL` (`#<id>` for an id without a name), in descending count. */
  perSymbol: Array<{ symbol: string; records: number }>;
  /** Lowest and highest receive time, ISO (undefined for an empty range). */
  firstTime: string | undefined;
  lastTime: string | undefined;
}

/** Reads the recording once (from..to) and counts records per symbol and the time span. */
export async function summarizeRecording(dir: string, from?: bigint, to?: bigint): Promise<RecordingSummary> {
  const counts = new Map<string, number>();
  const files = new Set<string>();
  let records = 0;
  let first: bigint | undefined;
  let last: bigint | undefined;
  for await (const chunk of readRecording(dir, { from, to })) {
    files.add(chunk.file.dataPath);
    const view = new DataView(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
    for (let i = 0; i < chunk.count; i++) {
      const at = i * 64;
      const id = view.getUint32(at + 4, true) >>> 8;
      const entry = chunk.symbols.get(id);
      const key = entry?.symbol ? `${entry.venue}:${entry.symbol}` : `#${id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const time = view.getBigUint64(at + 24, true);
      if (first === undefined || time < first) first = time;
      if (last === undefined || time > last) last = time;
    }
    records += chunk.count;
  }
  const iso = (ns: bigint | undefined) =>
    ns === undefined ? undefined : new Date(Number(ns / 1_000_000n)).toISOString();
  return {
    records,
    files: files.size,
    perSymbol: [...counts]
      .map(([symbol, n]) => ({ symbol, records: n }))
      .sort((a, b) => b.records - a.records),
    firstTime: iso(first),
    lastTime: iso(last),
  };
}

export function formatSummary(summary: RecordingSummary): string {
  const lines = [
    `records ${summary.records} in ${summary.files} file(s)`,
    `receive time ${summary.firstTime ?? '-'} .. ${summary.lastTime ?? '-'}`,
    ...summary.perSymbol.map(({ symbol, records }) => `  ${symbol.padEnd(24)} ${records}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Starts a platform without a feed, replays into its pipeline, stops it; resolves with the final progress. */
export async function replayIntoPlatform(
  flags: ReplayFlags,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<ReplayProgress> {
  const config = loadConfig({
    flags: {
      port: flags.port,
      host: flags.host,
      feed: 'none',
      ...(flags.workers ? { workers: flags.workers } : {}),
    },
    env: process.env,
  });
  const platform = await startPlatform(config, pino({ level: 'warn' }));
  log(
    `replaying ${flags.dir} at ${flags.speed === 0 ? 'full speed' : `${flags.speed}x`}; platform at ${platform.url}`,
  );
  const handle = replay({
    dir: flags.dir,
    from: flags.from,
    to: flags.to,
    speed: flags.speed,
    registry: platform.registry,
    sink: platform.pipeline,
    onProgress: (p) =>
      log(`replay ${p.state}: ${p.emitted} ticks, ${p.dropped} dropped, ${p.unmapped} unnamed`),
  });
  const stop = () => handle.stop();
  signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const final = await handle.done;
    await settled(() => platform.pipeline.stats().ticksPublished);
    return final;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await platform.stop();
  }
}

/** Waits (at most 2 s) until `count` stops moving: the workers have passed on the last replayed ticks. */
async function settled(count: () => number): Promise<void> {
  let last = -1;
  for (let round = 0; round < 40; round++) {
    const now = count();
    if (now === last) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
