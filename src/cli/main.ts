import { parseArgs } from 'node:util';
import { CONFIG_KEYS, configDefault, loadConfig } from '../config/index.ts';
import { parseConfigFlags } from './flags.ts';
import { isTickwireError } from '../errors.ts';

/**
 * The `tickwire` command: `tickwire <command> [options]`. Each command lives in its own module,
 * loaded only when asked for, so `tickwire bench` does not start a server and vice versa.
 */
const COMMANDS = {
  start: 'run the platform: pipeline, bus and HTTP server (the default for `npm start`)',
  bench: 'run benchmarks: tickwire bench [name ...|all] [--json] [--quick]',
  sim: 'run the Binance-compatible exchange simulator: tickwire sim [--port 9100] [--symbols N|A,B] [--rate N] [--seed N] [--replay <dir> --speed N]',
  record: 'record market data from a platform: tickwire record --dir <d> [--url ws://…/ws] [--symbols …]',
  replay:
    'replay a recording into a local platform: tickwire replay --dir <d> [--speed 10] [--from ISO] [--to ISO] [--port] [--dry-run]',
  up: 'run the platform and every engine as processes on a broker, restarted when they die: tickwire up [--bus redis://…|nats://…]',
  engine:
    'run one processing engine alone: tickwire engine <features> [--bus redis://…|nats://…] [--port N] [--instance id]',
  features:
    'indicators over a recording, as CSV: tickwire features --dir <d> --features rsi-14,macd [--bars 1s,1m] [--out f.csv]',
  loadtest:
    'load-test a running node, or analyze it: tickwire loadtest quick|full|analyze [--url …] [--clients N] [--threshold fill_p99<10ms] [--json] [--html report.html]',
  help: 'print this help',
} as const;
type Command = keyof typeof COMMANDS;

function usage(): string {
  const commands = Object.entries(COMMANDS)
    .map(([name, help]) => `  ${name.padEnd(8)} ${help}`)
    .join('\n');
  const options = (
    Object.entries(CONFIG_KEYS) as [
      keyof typeof CONFIG_KEYS,
      (typeof CONFIG_KEYS)[keyof typeof CONFIG_KEYS],
    ][]
  )
    .map(([name, key]) => {
      // The default is read from the schema, where it is written.
      const fallback = configDefault(name);
      const help = fallback === undefined ? key.help : `${key.help} (default ${fallback})`;
      return `  ${`${key.flag} <value>`.padEnd(22)} ${help}  [env ${key.env}]`;
    })
    .join('\n');
  return `Usage: tickwire <command> [options]\n\nCommands:\n${commands}\n\nOptions (also settable by environment or --config <file.json>):\n  ${'--config <file>'.padEnd(22)} JSON file of config keys  [env TICKWIRE_CONFIG]\n${options}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  const command = (first === undefined || first === '--help' || first === '-h' ? 'help' : first) as Command;
  if (!(command in COMMANDS)) {
    process.stderr.write(`tickwire: unknown command "${first}"\n\n${usage()}`);
    return 2;
  }
  switch (command) {
    case 'help':
      process.stdout.write(usage());
      return 0;
    case 'bench': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } },
      });
      const { runBenchmarks } = await import('../../bench/index.ts');
      await runBenchmarks(positionals, { json: values.json, quick: values.quick });
      return 0;
    }
    case 'sim': {
      const { runSimulatorCommand } = await import('./sim.ts');
      await runSimulatorCommand(rest);
      return 0;
    }
    case 'record':
      return (await import('./record.ts')).recordCommand(rest);
    case 'replay':
      return (await import('./replay.ts')).replayCommand(rest);
    case 'loadtest':
      return (await import('./loadtest.ts')).loadtestCommand(rest);
    case 'up':
      return (await import('./up.ts')).upCommand(rest);
    case 'engine':
      return (await import('./engine.ts')).engineCommand(rest);
    case 'features':
      return (await import('./features.ts')).featuresCommand(rest);
    case 'start': {
      const { flags, file } = parseConfigFlags(rest);
      const config = loadConfig({ flags, env: process.env, file });
      const { start } = await import('./start.ts');
      await start(config);
      return 0;
    }
  }
}

/** 2 for a mistake in how the command was called (usage, flags, configuration), 1 for anything else. */
function exitCodeFor(error: unknown): number {
  if (isTickwireError(error, 'BAD_CONFIG')) return 2;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    // `start` returns once the platform is up; its servers keep the process alive until shutdown.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tickwire: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
