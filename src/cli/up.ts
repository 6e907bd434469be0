import { fileURLToPath } from 'node:url';
import { parseBusSpec } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';
import {
  createEngine,
  ENGINE_NAMES,
  type EngineName,
  type ProcessSpec,
  Supervisor,
} from '../engines/index.ts';

/**
 * `tickwire up [--bus redis://…|nats://…] [--scale features=3] [--engine-port original|0] [start
 * flags…]`: the platform (`tickwire start --engines none`) and every engine (`tickwire engine
 * <name>`) as processes of their own on one broker, each restarted when it dies, all stopped on
 * SIGINT or SIGTERM (docs/ENGINES.md, "tickwire up"). The flags it does not know go to every
 * process (`--port` and `--host` to the platform only).
 */
export const UP_USAGE =
  'tickwire up [--bus redis://127.0.0.1:6379|nats://127.0.0.1:4222] [--scale features=3,…] [--engine-port original|0] [tickwire start flags…]';

const DEFAULT_BROKER = 'redis://127.0.0.1:6379';
const MAX_SCALE = 32;
const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));
/** The platform's own flags, not passed on to the engines. */
const PLATFORM_ONLY = new Set(['--port', '--host']);

export interface UpPlan {
  bus: string;
  processes: ProcessSpec[];
}

/** What `tickwire up` runs, from its arguments. */
export function planUp(args: readonly string[]): UpPlan {
  let bus = DEFAULT_BROKER;
  let enginePort: 'original' | '0' = 'original';
  const scale = new Map<EngineName, number>();
  const platformFlags: string[] = [];
  const sharedFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw bad(`${flag} needs a value`);
      return next;
    };
    if (flag === '--bus') bus = value();
    else if (flag === '--engine-port') {
      const port = value();
      if (port !== 'original' && port !== '0') throw bad('--engine-port must be original or 0');
      enginePort = port;
    } else if (flag === '--scale') {
      for (const item of value().split(',')) {
        const [name, count] = item.split('=');
        if (!(ENGINE_NAMES as string[]).includes(name!))
          throw bad(`--scale: no engine "${name}"; the engines are ${ENGINE_NAMES.join(', ')}`);
        const instances = Number(count);
        if (!(Number.isInteger(instances) && instances >= 1 && instances <= MAX_SCALE))
          throw bad(`--scale ${name}: instances must be a whole number 1..${MAX_SCALE}`);
        scale.set(name as EngineName, instances);
      }
    } else {
      const values =
        inline === undefined && args[i + 1]?.startsWith('--') === false ? [args[i]!, args[++i]!] : [args[i]!];
      platformFlags.push(...values);
      if (!PLATFORM_ONLY.has(flag)) sharedFlags.push(...values);
    }
  }
  if (parseBusSpec(bus).kind === 'memory')
    throw bad('tickwire up runs processes that share a broker: --bus redis://… or nats://…');
  const engines = ENGINE_NAMES.flatMap((name) => {
    const original = createEngine(name).port;
    const instances = scale.get(name) ?? 1;
    return Array.from({ length: instances }, (_, index) => {
      const instance = instances === 1 ? name : `${name}-${index + 1}`;
      const port = enginePort === 'original' ? String(original + index) : '0';
      return {
        name: instance,
        args: [
          BIN,
          'engine',
          name,
          '--instance',
          instance,
          '--port',
          port,
          ...(instances > 1 ? ['--partitioned'] : []),
          '--bus',
          bus,
          ...sharedFlags,
        ],
      };
    });
  });
  return {
    bus,
    processes: [
      { name: 'platform', args: [BIN, 'start', '--bus', bus, '--engines', 'none', ...platformFlags] },
      ...engines,
    ],
  };
}

/** `tickwire up …`: runs until a signal, then stops every process; resolves with the exit code. */
export async function upCommand(args: readonly string[]): Promise<number> {
  const plan = planUp(args);
  const supervisor = new Supervisor({
    log: (name, line) => process.stdout.write(`[${name}] ${line}\n`),
    passRestarts: (spec) => spec.name !== 'platform',
  });
  supervisor.start(plan.processes);
  process.stdout.write(
    `[up] running ${plan.processes.map((spec) => spec.name).join(', ')} on ${plan.bus} (pid ${process.pid})\n`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) process.exit(1);
      stopping = true;
      process.stdout.write(`[up] ${signal}: stopping every process\n`);
      void supervisor.stop().then(() => resolve(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

function bad(message: string): TickwireError {
  return new TickwireError('BAD_CONFIG', `${message}\nUsage: ${UP_USAGE}`);
}
