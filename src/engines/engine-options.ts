import { z } from 'zod';
import { TickwireError } from '../errors.ts';

/**
 * A configuration key an engine owns: its schema, which holds its default and its rules, and its
 * help text. Each engine writes its keys in its own folder; src/config composes them into the
 * node's configuration (flags, environment, config file), and the help text and README's table
 * print each default read from the schema, so a default or a rule is written once.
 */
export interface EngineOption {
  schema: z.ZodType;
  help: string;
}

export type EngineOptions = Record<string, EngineOption>;

/** The values of an engine's options, by key. */
export type OptionValues<T extends EngineOptions> = { [K in keyof T]: z.output<T[K]['schema']> };

/** A whole number in a range (a string from a flag or the environment is converted). */
export function integerOption(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
}

/** A positive number (a string from a flag or the environment is converted). */
export function positiveOption() {
  return z.coerce.number({ error: 'must be a number' }).positive('must be above 0').finite();
}

/** A list: an array in the config file, comma-separated from a flag or the environment. */
export function listOption<T extends z.ZodType>(item: T) {
  return z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(',')
            .map((entry) => entry.trim())
            .filter((entry) => entry.length > 0)
        : value,
    z.array(item),
  );
}

/** A refinement running a check that throws (BAD_CONFIG, BAD_FEATURE…) with what is wrong. */
export function checkedBy<T>(check: (value: T) => unknown) {
  return (value: T, context: z.RefinementCtx): void => {
    try {
      check(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message.replace(/^[A-Z_]+: /, '') });
    }
  };
}

/** Every option at its default. */
export function defaultsOf<T extends EngineOptions>(options: T): OptionValues<T> {
  return optionValues(options, {});
}

/**
 * The options' values from `values` (the others at their defaults), checked by their schemas;
 * a bad one throws BAD_CONFIG naming the key.
 */
export function optionValues<T extends EngineOptions>(
  options: T,
  values: Partial<Record<keyof T, unknown>>,
): OptionValues<T> {
  const shape = Object.fromEntries(Object.entries(options).map(([key, option]) => [key, option.schema]));
  const parsed = z.object(shape).safeParse(values);
  if (parsed.success) return parsed.data as OptionValues<T>;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new TickwireError('BAD_CONFIG', problems.join('; '));
}

/**
 * The node's configuration key of an engine's option: the engine's name and the option's
 * (`features` + `bars` = `featuresBars`), or the engine's name alone for the option named like it.
 */
export type ConfigKeyOf<Engine extends string, Option extends string> = Option extends Engine
  ? Option
  : `${Engine}${Capitalize<Option>}`;

export function configKeyOf(engine: string, option: string): string {
  return option === engine ? option : `${engine}${option[0]!.toUpperCase()}${option.slice(1)}`;
}

/** An engine's options as configuration keys, each with its schema: what src/config composes. */
export function configShape<Engine extends string, T extends EngineOptions>(
  engine: Engine,
  options: T,
): { [K in keyof T & string as ConfigKeyOf<Engine, K>]: T[K]['schema'] } {
  return Object.fromEntries(
    Object.entries(options).map(([option, { schema }]) => [configKeyOf(engine, option), schema]),
  ) as never;
}

/**
 * The values of an engine's options read from the node's configuration (parsed by the same
 * schemas, and parsed again by the engine: a value from elsewhere is checked all the same).
 */
export function fromConfig<T extends EngineOptions>(
  engine: string,
  options: T,
  config: Readonly<Record<string, unknown>>,
): Partial<OptionValues<T>> {
  return Object.fromEntries(
    Object.keys(options)
      .map((option) => [option, config[configKeyOf(engine, option)]] as const)
      .filter(([, value]) => value !== undefined),
  ) as Partial<OptionValues<T>>;
}
