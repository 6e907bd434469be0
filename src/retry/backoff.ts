import { TickwireError } from '../errors.ts';

/** Milliseconds to wait before reconnect attempt `attempt` (1 for the first retry). */
export type DelayFunction = (attempt: number) => number;

export interface BackoffOptions {
  /** Delay scale of the first attempt, ms. */
  baseMs: number;
  /** Upper bound of any delay, ms. */
  capMs: number;
  /** Uniform [0, 1) source; Math.random unless a test seeds it. */
  random: () => number;
}

export const BACKOFF_DEFAULTS: BackoffOptions = { baseMs: 500, capMs: 30_000, random: Math.random };

/**
 * Exponential backoff with full jitter: attempt n waits uniformly in [0, min(cap, base·2^(n−1))].
 * The jitter spreads the reconnects of many connections dropped at once (an exchange restart)
 * instead of bringing them back in lockstep, which the per-IP connection limit would punish.
 */
export function fullJitterBackoff(options: Partial<BackoffOptions> = {}): DelayFunction {
  const { baseMs, capMs, random } = { ...BACKOFF_DEFAULTS, ...options };
  if (!(Number.isFinite(baseMs) && baseMs > 0)) {
    throw new TickwireError('BAD_CONFIG', `backoff baseMs must be a number > 0, got ${String(baseMs)}`);
  }
  if (!(Number.isFinite(capMs) && capMs >= baseMs)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `backoff capMs must be a number >= baseMs (${baseMs}), got ${String(capMs)}`,
    );
  }
  return (attempt: number) => {
    const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
    const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
    return Math.floor(random() * (ceiling + 1));
  };
}
