import { TickwireError } from '../../errors.ts';

/**
 * What closes a bar: time (a fixed grid: `1s` … `1d`), a count of trades (`ticks100`), traded
 * volume in the base asset (`volume10`, `volume0_5`) or traded value in the quote asset
 * (`value100000`). The written form is a topic segment (`bars.<venue>.<symbol>.<spec>`), so a
 * decimal point is written `_`.
 */
export type BarSpec =
  | { kind: 'time'; ms: number }
  | { kind: 'ticks'; count: number }
  | { kind: 'volume'; threshold: number }
  | { kind: 'value'; threshold: number };

const TIME_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const MIN_TIME_MS = 1_000;
const MAX_TIME_MS = 86_400_000;
const MAX_TICKS = 1_000_000;

export function parseBarSpec(text: string): BarSpec {
  const time = /^([1-9][0-9]*)([smhd])$/.exec(text);
  if (time !== null) {
    const ms = Number(time[1]) * TIME_UNITS_MS[time[2] as keyof typeof TIME_UNITS_MS];
    if (ms < MIN_TIME_MS || ms > MAX_TIME_MS || MAX_TIME_MS % ms !== 0)
      throw bad(text, 'a time bar is 1s to 1d and divides a day evenly (1s, 5s, 1m, 15m, 1h, 4h, 1d, …)');
    return { kind: 'time', ms };
  }
  const ticks = /^ticks([1-9][0-9]*)$/.exec(text);
  if (ticks !== null) {
    const count = Number(ticks[1]);
    if (count > MAX_TICKS) throw bad(text, `a tick bar counts at most ${MAX_TICKS} trades`);
    return { kind: 'ticks', count };
  }
  const amount = /^(volume|value)([0-9]+(?:_[0-9]+)?)$/.exec(text);
  if (amount !== null) {
    const threshold = Number(amount[2]!.replace('_', '.'));
    if (!(threshold > 0 && Number.isFinite(threshold))) throw bad(text, 'the threshold must be above 0');
    return { kind: amount[1] as 'volume' | 'value', threshold };
  }
  throw bad(text, 'write 1s…1d, ticks<N>, volume<amount> or value<amount> (a decimal point as _)');
}

/** The spec's written form, canonical: parseBarSpec(barSpecName(spec)) equals spec. */
export function barSpecName(spec: BarSpec): string {
  switch (spec.kind) {
    case 'time': {
      for (const [unit, ms] of Object.entries(TIME_UNITS_MS).reverse())
        if (spec.ms % ms === 0) return `${spec.ms / ms}${unit}`;
      return `${spec.ms / 1000}s`;
    }
    case 'ticks':
      return `ticks${spec.count}`;
    default:
      return `${spec.kind}${String(spec.threshold).replace('.', '_')}`;
  }
}

function bad(text: string, rule: string): TickwireError {
  return new TickwireError('BAD_CONFIG', `bar spec ${JSON.stringify(text)}: ${rule}`);
}
