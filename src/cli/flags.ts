import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { CONFIG_KEYS, type ConfigKey } from '../config/index.ts';
import { TickwireError } from '../errors.ts';

/**
 * Parses a command's flags (unknown flags are node's ERR_PARSE_ARGS errors, exit code 2) and
 * validates them with `schema`; a bad value is BAD_CONFIG naming the flag, followed by the usage.
 */
export function parseFlags<T extends z.ZodType>(
  schema: T,
  args: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  usage: string,
): z.output<T> {
  const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `--${issue.path.join('.') || '?'}: ${issue.message}`)
    .join('; ');
  throw new TickwireError('BAD_CONFIG', `invalid flags: ${problems}\nUsage: ${usage}`);
}

/** Parses configuration flags (`tickwire start`'s); unknown flags are an error that names them. */
export function parseConfigFlags(args: readonly string[]): {
  flags: Partial<Record<ConfigKey, string>>;
  file: string | undefined;
} {
  const options: Record<string, { type: 'string' }> = { config: { type: 'string' } };
  const flagToKey = new Map<string, ConfigKey>();
  for (const [key, spelling] of Object.entries(CONFIG_KEYS) as [ConfigKey, { flag: string }][]) {
    const name = spelling.flag.slice(2);
    options[name] = { type: 'string' };
    flagToKey.set(name, key);
  }
  const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  const flags: Partial<Record<ConfigKey, string>> = {};
  for (const [name, value] of Object.entries(values)) {
    const key = flagToKey.get(name);
    if (key && typeof value === 'string') flags[key] = value;
  }
  return { flags, file: typeof values.config === 'string' ? values.config : undefined };
}
