import { TickwireError } from '../../errors.ts';
import { isVenue, type Venue } from '../../wire/index.ts';

export interface RecordedMarketSourceOptions {
  /** The recording's directory (docs/RECORDING.md). */
  dir: string;
  /** Multiple of recorded time; 0 replays as fast as the simulator takes events. */
  speed?: number;
  /** Receive times (ns since the epoch) to replay from and to, as readRecording applies them. */
  from?: bigint;
  to?: bigint;
  /** Only this venue's symbols: needed when one name was recorded on several venues. */
  venue?: Venue;
  /** Ticks read ahead of the simulator, at most (64 bytes each). */
  queueTicks?: number;
  /** Records read at open, at most, to find each symbol's first quote. */
  readAheadRecords?: number;
}

/** 16,384 ticks is 1 MiB of read-ahead: a few batches of a fast replay. */
export const RECORDED_SOURCE_DEFAULTS = {
  speed: 1,
  queueTicks: 16_384,
  readAheadRecords: 262_144,
} as const;

export type ResolvedRecordedSourceOptions = Required<
  Omit<RecordedMarketSourceOptions, 'from' | 'to' | 'venue'>
> &
  Pick<RecordedMarketSourceOptions, 'from' | 'to' | 'venue'>;

/**
 * Spreads RECORDED_SOURCE_DEFAULTS under the options (absent and undefined keys take the default)
 * and checks every invariant, naming the key after `prefix`.
 */
export function resolveRecordedSourceOptions(
  options: RecordedMarketSourceOptions,
  prefix = 'recorded source option ',
): ResolvedRecordedSourceOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TickwireError(
      'BAD_CONFIG',
      `${prefix.trim()} must be an object with dir (got ${String(options)})`,
    );
  }
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const resolved = { ...RECORDED_SOURCE_DEFAULTS, ...given } as ResolvedRecordedSourceOptions;
  const bad = (key: string, rule: string, value: unknown): never => {
    const shown = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
    throw new TickwireError('BAD_CONFIG', `${prefix}${key} must be ${rule} (got ${shown})`);
  };
  if (typeof resolved.dir !== 'string' || resolved.dir.length === 0) bad('dir', 'a directory', resolved.dir);
  if (typeof resolved.speed !== 'number' || !(resolved.speed >= 0))
    bad('speed', 'a number >= 0 (0 = as fast as possible)', resolved.speed);
  for (const key of ['from', 'to'] as const) {
    const value = resolved[key];
    if (value !== undefined && (typeof value !== 'bigint' || value < 0n))
      bad(key, 'a receive time in ns since the epoch (bigint >= 0)', value);
  }
  if (resolved.from !== undefined && resolved.to !== undefined && resolved.from > resolved.to)
    bad('to', `at or after from (${resolved.from}n)`, resolved.to);
  if (resolved.venue !== undefined && !isVenue(resolved.venue)) bad('venue', 'a known venue', resolved.venue);
  const integer = (key: 'queueTicks' | 'readAheadRecords', min: number, max: number) => {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < min || value > max)
      bad(key, `an integer from ${min} to ${max}`, value);
  };
  integer('queueTicks', 1, 1 << 20);
  integer('readAheadRecords', 0, 1 << 30);
  return resolved;
}
