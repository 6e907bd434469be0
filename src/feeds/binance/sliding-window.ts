import { TickwireError } from '../../errors.ts';

/**
 * At most `limit` units in any window of `windowMs` milliseconds: Binance counts messages per
 * second per connection, connection attempts per five minutes per IP and request weight per
 * minute per IP, all over sliding windows, so a token bucket's averaging is not enough. Each
 * recorded unit is remembered with its time until it leaves the window. No timers: callers pass
 * `now` and ask how long to wait.
 */
export class SlidingWindow {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private total = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!(Number.isFinite(limit) && limit >= 1)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `sliding window limit must be a number >= 1, got ${String(limit)}`,
      );
    }
    if (!(Number.isFinite(windowMs) && windowMs > 0)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `sliding window windowMs must be a number > 0, got ${String(windowMs)}`,
      );
    }
  }

  /** Units recorded within the window ending at `now`. */
  used(now: number): number {
    this.expire(now);
    return this.total;
  }

  /** Records `weight` units at `now` when they fit; returns whether they did. */
  tryTake(now: number, weight = 1): boolean {
    if (this.waitMs(now, weight) > 0) return false;
    this.record(now, weight);
    return true;
  }

  /** Records `weight` units whether or not they fit (something that must be sent anyway, like a pong). */
  record(now: number, weight = 1): void {
    this.times.push(now);
    this.weights.push(weight);
    this.total += weight;
  }

  /** Milliseconds until `weight` more units fit (0 = now). A weight above the limit waits for an empty window. */
  waitMs(now: number, weight = 1): number {
    this.expire(now);
    if (this.total + weight <= this.limit || this.total === 0) return 0;
    let freed = this.total + weight - this.limit;
    for (let i = this.head; i < this.times.length; i++) {
      freed -= this.weights[i]!;
      if (freed <= 0) return Math.max(1, this.times[i]! + this.windowMs - now);
    }
    return Math.max(1, this.times[this.times.length - 1]! + this.windowMs - now);
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.total -= this.weights[this.head]!;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }
}
