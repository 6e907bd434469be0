import { pino } from 'pino';
import { z } from 'zod';
import { createBus } from '../bus/index.ts';
import { createEngine, ENGINE_NAMES, serveEngine } from '../engines/index.ts';
import { parseFlags } from './flags.ts';

/**
 * `tickwire engine <name> [--bus redis://…|nats://…] [--port N] [--host h] [--instance id]`: one
 * engine alone in this process, on the platform's broker, with `/health` and `/metrics` on its own
 * port (the original platform's by default), until SIGINT or SIGTERM (docs/ENGINES.md).
 */
const engineFlagsSchema = z
  .object({
    bus: z.string().min(1).default('memory'),
    'bus-prefix': z.string().min(1).optional(),
    port: z.coerce.number({ error: 'must be a port number' }).int().min(0).max(65_535).optional(),
    host: z.string().min(1).default('127.0.0.1'),
    instance: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
      .optional(),
    restarts: z.coerce.number().int().min(0).default(0),
    'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .strict();

export const ENGINE_USAGE = `tickwire engine <${ENGINE_NAMES.join('|')}> [--bus redis://…|nats://…] [--bus-prefix p] [--port N] [--host 127.0.0.1] [--instance id]`;

/** `tickwire engine <name> …`: runs until a signal; resolves with the exit code. */
export async function engineCommand(args: readonly string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name.startsWith('-')) {
    process.stderr.write(`Usage: ${ENGINE_USAGE}\n`);
    return 2;
  }
  const engine = createEngine(name);
  const flags = parseFlags(
    engineFlagsSchema,
    rest,
    {
      bus: { type: 'string' },
      'bus-prefix': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      instance: { type: 'string' },
      restarts: { type: 'string' },
      'log-level': { type: 'string' },
    },
    ENGINE_USAGE,
  );
  const log = pino({ level: flags['log-level'], base: { service: 'tickwire-engine', engine: name } });
  const bus = createBus(flags.bus, {
    ...(flags['bus-prefix'] === undefined ? {} : { prefix: flags['bus-prefix'] }),
    onHandlerError: (error, topic) => log.warn({ err: error, topic }, 'bus handler failed'),
  });
  const server = await serveEngine({
    engine,
    bus,
    host: flags.host,
    restarts: flags.restarts,
    ...(flags.port === undefined ? {} : { port: flags.port }),
    ...(flags.instance === undefined ? {} : { instance: flags.instance }),
  });
  log.info(
    { url: server.url, bus: bus.health().url ?? 'memory', pid: process.pid },
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
