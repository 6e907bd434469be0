import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TickwireError } from '../errors.ts';
import { CONFIG_KEYS, configSchema, type TickwireConfig } from './schema.ts';

/** Where the configuration comes from; later sources override earlier ones: file < env < flags. */
export interface ConfigSources {
  /** Values from command-line flags, keyed by config key (already parsed by the CLI). */
  flags?: Partial<Record<keyof typeof CONFIG_KEYS, string>>;
  env?: NodeJS.ProcessEnv;
  /** Path of a JSON config file; defaults to $TICKWIRE_CONFIG when set. */
  file?: string;
}

export const CONFIG_FILE_ENV = 'TICKWIRE_CONFIG';

/**
 * Builds the configuration from its three sources and validates it with the one schema.
 * An invalid value throws BAD_CONFIG naming the key and the source it came from.
 */
export function loadConfig(sources: ConfigSources = {}): TickwireConfig {
  const env = sources.env ?? {};
  const raw: Record<string, unknown> = {};
  const origin: Record<string, string> = {};

  const filePath = sources.file ?? env[CONFIG_FILE_ENV];
  if (filePath) {
    for (const [key, value] of Object.entries(readConfigFile(filePath))) {
      raw[key] = value;
      origin[key] = `config file ${filePath}`;
    }
  }
  for (const [key, spelling] of Object.entries(CONFIG_KEYS)) {
    const value = env[spelling.env];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      origin[key] = spelling.env;
    }
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    if (value === undefined) continue;
    raw[key] = value;
    origin[key] = CONFIG_KEYS[key as keyof typeof CONFIG_KEYS]?.flag ?? key;
  }

  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
    if (issue.code === 'unrecognized_keys') {
      return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} (from ${origin[issue.keys[0] ?? ''] ?? 'config'}); known keys: ${Object.keys(CONFIG_KEYS).join(', ')}`;
    }
    const where = key && origin[key] ? ` (from ${origin[key]})` : '';
    const value = key && key in raw ? ` got ${JSON.stringify(raw[key])}:` : '';
    return `${key ?? 'config'}${where}:${value} ${issue.message}`;
  });
  throw new TickwireError('BAD_CONFIG', `invalid configuration: ${problems.join('; ')}`);
}

function readConfigFile(path: string): Record<string, unknown> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new TickwireError('BAD_CONFIG', `cannot read config file ${absolute}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TickwireError(
      'BAD_CONFIG',
      `config file ${absolute} is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TickwireError('BAD_CONFIG', `config file ${absolute} must hold a JSON object of config keys`);
  }
  return parsed as Record<string, unknown>;
}
