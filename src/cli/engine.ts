import { hostname } from 'node:os';
import { pino } from 'pino';
import { z } from 'zod';
import { createBus } from '../bus/index.ts';
import { loadConfig } from '../config/index.ts';
import { createEngine, type Engine, ENGINE_NAMES, EnginePartition, serveEngine } from '../engines/index.ts';
import { parseConfigFlags, parseFlags } from './flags.ts';

/**
 * `tickwire engine <name> [--port N] [--host h] [--instance id] [--partitioned] [config flags…]`:
 * one engine alone in this process, on the bus of the configuration (`--bus redis://…`), with
 * `/health` and `/metrics` on its own port (the original platform's by default), until SIGINT or
 * SIGTERM. The configuration flags are `tickwire start`'s: the engine reads its own options from
 * them (`--features-bars 1s,5m`). `--partitioned` makes it one of several instances that share the
 * engine's work (docs/ENGINES.md, "Scaling out").
 */
const engineFlagsSchema = z
  .object({
    port: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    instance: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
      .optional(),
    partitioned: z.boolean().default(false),
    restarts: z.coerce.number().int().min(0).default(0),
  })
  .strict();

const ENGINE_FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  instance: { type: 'string' },
  partitioned: { type: 'boolean' },
  restarts: { type: 'string' },
} as const;

export const ENGINE_USAGE = `tickwire engine <${ENGINE_NAMES.join('|')}> [--port N] [--host 127.0.0.1] [--instance id] [--partitioned] [--bus redis://…|nats://…] [tickwire start flags…]`;

/** `tickwire engine <name> …`: runs until a signal; resolves with the exit code. */
export async function engineCommand(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-')) {
    process.stderr.write(`Usage: ${ENGINE_USAGE}\n`);
    return 2;
  }
  const [own, shared] = splitFlags(rest);
  const flags = parseFlags(engineFlagsSchema, own, ENGINE_FLAGS, ENGINE_USAGE);
  const { flags: configFlags, file } = parseConfigFlags(shared);
  const config = loadConfig({ flags: configFlags, env: process.env, file });
  // A partitioned instance needs a name of its own: its host's (a container's) and its pid.
  const instance = flags.instance ?? (flags.partitioned ? `${name}-${hostname()}-${process.pid}` : name);
  const log = pino({ level: config.logLevel, base: { service: 'tickwire-engine', engine: name, instance } });
  // The partition waits, before a new instance owns anything, as long as its engine says (read
  // when the first heartbeat comes, the engine made by then).
  const partition = flags.partitioned
    ? new EnginePartition(name, instance, () => engine.joinGraceMs ?? 0)
    : undefined;
  const engine: Engine = createEngine(name, config, partition);
  const bus = createBus(config.bus, {
    prefix: config.busPrefix,
    onHandlerError: (error, topic) => log.warn({ err: error, topic }, 'bus handler failed'),
  });
  const server = await serveEngine({
    engine,
    bus,
    instance,
    host: flags.host,
    restarts: flags.restarts,
    ...(flags.port === undefined ? {} : { port: flags.port }),
  });
  log.info(
    { url: server.url, bus: bus.health().url ?? 'memory', pid: process.pid, partitioned: flags.partitioned },
    `engine ${name} is running`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down');
      void server
        .stop()
        .then(() => bus.close())
        .then(
          () => resolve(0),
          (error: unknown) => {
            log.error({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

/** This command's own flags, and the configuration flags (everything else). */
function splitFlags(args: readonly string[]): [string[], string[]] {
  const own: string[] = [];
  const shared: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.replace(/^--/, '').split('=')[0]!;
    if (!(name in ENGINE_FLAGS)) {
      shared.push(args[i]!);
      if (!args[i]!.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('--'))
        shared.push(args[++i]!);
      continue;
    }
    own.push(args[i]!);
    const boolean = ENGINE_FLAGS[name as keyof typeof ENGINE_FLAGS].type === 'boolean';
    if (!boolean && !args[i]!.includes('=') && i + 1 < args.length) own.push(args[++i]!);
  }
  return [own, shared];
}
