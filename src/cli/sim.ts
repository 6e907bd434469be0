import { parseArgs } from 'node:util';
import { TickwireError } from '../errors.ts';
import {
  RecordedMarketSource,
  SIMULATOR_FLAGS,
  type SimulatorOptionsInput,
  simulatorOptionsSchema,
  startExchangeSimulator,
} from '../simulator/index.ts';

/** `tickwire sim` listens on 9100 unless told otherwise (the library default is any free port). */
const CLI_DEFAULT_PORT = 9100;

type OptionKey = keyof SimulatorOptionsInput;

export function simUsage(): string {
  const lines = Object.values(SIMULATOR_FLAGS)
    .map(({ flag, help }) => `  ${`${flag} <value>`.padEnd(26)} ${help}`)
    .join('\n');
  return (
    `Usage: tickwire sim [options]\n       tickwire sim --replay <dir> [--speed 10] [--from ISO] [--to ISO] [options]\n\n` +
    `A Binance Spot compatible market-data server (docs/SIMULATOR.md), generating a market or\n` +
    `replaying a recording.\n\nOptions:\n${lines}\n`
  );
}

/**
 * `tickwire sim`: validates the flags with the simulator's schema, starts the simulator, prints
 * its URLs and runs until SIGINT or SIGTERM, then closes it and exits 0. With `--replay <dir>` the
 * market is the recording at `--speed`; when it ends the simulator keeps serving (the market goes
 * quiet) and a line with the replay's final stats is printed.
 */
export async function runSimulatorCommand(args: readonly string[]): Promise<void> {
  const flagToKey = new Map<string, OptionKey>();
  const options: Record<string, { type: 'string' } | { type: 'boolean' }> = { help: { type: 'boolean' } };
  for (const [key, { flag }] of Object.entries(SIMULATOR_FLAGS) as [OptionKey, { flag: string }][]) {
    options[flag.slice(2)] = { type: 'string' };
    flagToKey.set(flag.slice(2), key);
  }
  const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  if (values.help === true) {
    process.stdout.write(simUsage());
    return;
  }
  const input: Record<string, unknown> = { port: String(CLI_DEFAULT_PORT) };
  for (const [name, value] of Object.entries(values)) {
    const key = flagToKey.get(name);
    if (key !== undefined) input[key] = value;
  }
  const parsed = simulatorOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as OptionKey | undefined;
    const flag = key === undefined ? '' : ` (${SIMULATOR_FLAGS[key].flag})`;
    throw new TickwireError(
      'BAD_CONFIG',
      `invalid simulator option: ${String(key ?? '')}${flag}: ${issue.message}`,
    );
  }
  const simulator = await startExchangeSimulator(parsed.data);
  const { symbols, eventsPerSecond, seed, replay } = parsed.data;
  const source = simulator.source;
  const market =
    replay === undefined
      ? `  symbols ${String(symbols ?? 100)}, ${eventsPerSecond ?? 1000} events/s, seed ${seed ?? 1}\n`
      : `  replaying ${replay.dir} at ${replay.speed === 0 ? 'full speed' : `${replay.speed ?? 1}x`}: ` +
        `${source.symbols.length} symbols (${listed(source.symbols.map((s) => s.symbol))})\n`;
  process.stdout.write(
    `Tickwire exchange simulator (Binance Spot compatible)\n` +
      `  REST       ${simulator.url}/api/v3/exchangeInfo\n` +
      `  WebSocket  ${simulator.wsUrl}/ws/<stream>  ${simulator.wsUrl}/stream?streams=<a>/<b>\n` +
      `  faults     POST ${simulator.url}/sim/faults   stats GET ${simulator.url}/sim/stats\n` +
      market,
  );
  if (source instanceof RecordedMarketSource) {
    void source.done.then((final) => {
      if (final.state !== 'stopped')
        process.stdout.write(`replay ${final.state}: ${JSON.stringify(final)}\n`);
    });
  }
  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(1);
    stopping = true;
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** The first few names, then how many more. */
function listed(names: readonly string[], shown = 8): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head}, … ${names.length - shown} more` : head;
}
