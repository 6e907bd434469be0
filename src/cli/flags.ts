import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
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
