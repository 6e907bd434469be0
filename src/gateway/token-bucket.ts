import { TickwireError } from '../errors.ts';

export interface TokenBucketOptions {
  /** Tokens added per second, continuously. */
  ratePerSecond: number;
  /** Capacity: the most tokens the bucket holds, so the largest burst it lets through (at least 1). */
  burst: number;
}

/**
 * Slack for the floating-point refill: ten 10 ms refills at 10 tokens/s must make a whole token,
 * but the ten 0.1s add up to 0.9999999999999999 in doubles.
 */
const EPSILON = 1e-9;

/**
 * A per-connection rate limit. The bucket starts full and refills continuously at ratePerSecond
 * up to burst; there are no timers, all state advances from the `now` passed in, so the same
 * sequence of calls always gives the same answers. A clock that steps back is treated as standing
 * still (no refill, no debt).
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  #tokens: number;
  /** The time of the last refill; NaN until the first call, so the first `now` sets the origin. */
  #last = Number.NaN;

  constructor(options: TokenBucketOptions) {
    const { ratePerSecond, burst } = options;
    if (typeof ratePerSecond !== 'number' || !Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
      throw new TickwireError(
        'BAD_CONFIG',
        `token bucket ratePerSecond must be a finite number above 0, got ${String(ratePerSecond)}`,
      );
    }
    if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
      throw new TickwireError(
        'BAD_CONFIG',
        `token bucket burst must be a finite number >= 1, got ${String(burst)}`,
      );
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.#tokens = burst;
  }

  /**
   * Takes `cost` tokens if the bucket holds them and returns true; otherwise takes nothing and
   * returns false. A cost above `burst` can never be paid. `now` is in milliseconds.
   */
  take(now: number = performance.now(), cost = 1): boolean {
    if (!(cost >= 0) || !Number.isFinite(cost)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `token bucket cost must be a finite number >= 0, got ${String(cost)}`,
      );
    }
    this.#refill(now);
    if (this.#tokens + EPSILON < cost) return false;
    this.#tokens = Math.max(0, this.#tokens - cost);
    return true;
  }

  /** Tokens available at `now` (refilling up to it), without taking any. */
  available(now: number = performance.now()): number {
    this.#refill(now);
    return this.#tokens;
  }

  #refill(now: number): void {
    if (Number.isNaN(this.#last)) {
      this.#last = now;
      return;
    }
    if (!(now > this.#last)) return;
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
  }
}
