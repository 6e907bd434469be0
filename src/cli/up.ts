import { fileURLToPath } from 'node:url';
import { parseBusSpec } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';
import { createEngine, ENGINE_NAMES, type ProcessSpec, Supervisor } from '../engines/index.ts';

/**
 * `tickwire up [--bus redis://…|nats://…] [--engine-port original|0] [start flags…]`: the platform
 * (`tickwire start --engines none`) and every engine (`tickwire engine <name>`) as processes of
 * their own on one broker, each restarted when it dies, all stopped on SIGINT or SIGTERM
 * (docs/ENGINES.md, "tickwire up"). Flags it does not know go to `tickwire start`.
 */
export const UP_USAGE =
  'tickwire up [--bus redis://127.0.0.1:6379|nats://127.0.0.1:4222] [--engine-port original|0] [tickwire start flags…]';

const DEFAULT_BROKER = 'redis://127.0.0.1:6379';
const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));

export interface UpPlan {
  bus: string;
  processes: ProcessSpec[];
}

/** What `tickwire up` runs, from its arguments. */
export function planUp(args: readonly string[]): UpPlan {
  let bus = DEFAULT_BROKER;
  let prefix: string | undefined;
  let enginePort: 'original' | '0' = 'original';
  const startFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw bad(`${flag} needs a value`);
      return next;
    };
    if (flag === '--bus') bus = value();
    else if (flag === '--bus-prefix') prefix = value();
    else if (flag === '--engine-port') {
      const port = value();
      if (port !== 'original' && port !== '0') throw bad('--engine-port must be original or 0');
      enginePort = port;
    } else startFlags.push(args[i]!);
  }
  if (parseBusSpec(bus).kind === 'memory')
    throw bad('tickwire up runs processes that share a broker: --bus redis://… or nats://…');
  const shared = prefix === undefined ? [] : ['--bus-prefix', prefix];
  const engines = ENGINE_NAMES.map((name) => {
    const engine = createEngine(name);
    return {
      name,
      args: [
        BIN,
        'engine',
        name,
        '--bus',
        bus,
        '--port',
        enginePort === 'original' ? String(engine.port) : '0',
        '--instance',
        name,
        ...shared,
      ],
    };
  });
  return {
    bus,
    processes: [
      { name: 'platform', args: [BIN, 'start', '--bus', bus, '--engines', 'none', ...shared, ...startFlags] },
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
