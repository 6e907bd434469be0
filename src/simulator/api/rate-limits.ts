import { ExchangeRejection } from '../matching/rejection.ts';

/**
 * Binance's rate limits as the simulator enforces them: request weight per IP per minute (REST and
 * the WebSocket API together, reported in `X-MBX-USED-WEIGHT-1M` and `rateLimits`) and new orders
 * per account per 10 seconds. Windows are fixed (they start on the minute, or every 10 s), as
 * Binance's counters reset. Past the weight limit a request gets 429; an IP that keeps sending
 * before its Retry-After is banned with 418 for BAN_MS.
 */

/** How long an IP that ignored a 429 is banned (Binance starts at 2 minutes). */
export const BAN_MS = 2 * 60_000;
const WEIGHT_WINDOW_MS = 60_000;
const ORDER_WINDOW_MS = 10_000;
/** Counters of past windows are dropped once there are this many keys. */
const PRUNE_AT = 10_000;

/** A count per key in fixed windows of `windowMs`. */
class FixedWindowCounter {
  private readonly counts = new Map<string, { window: number; used: number }>();

  constructor(private readonly windowMs: number) {}

  /** Adds `amount` to the key's count in the current window; returns the new count. */
  add(key: string, amount: number, now: number): number {
    const window = Math.floor(now / this.windowMs);
    let entry = this.counts.get(key);
    if (entry === undefined || entry.window !== window) {
      if (this.counts.size >= PRUNE_AT) this.prune(window);
      entry = { window, used: 0 };
      this.counts.set(key, entry);
    }
    entry.used += amount;
    return entry.used;
  }

  used(key: string, now: number): number {
    const entry = this.counts.get(key);
    return entry !== undefined && entry.window === Math.floor(now / this.windowMs) ? entry.used : 0;
  }

  /** Milliseconds until the current window ends. */
  remaining(now: number): number {
    return this.windowMs - (now % this.windowMs);
  }

  private prune(window: number): void {
    for (const [key, entry] of this.counts) if (entry.window !== window) this.counts.delete(key);
  }
}

export interface RateLimitSettings {
  requestWeightPerMinute: number;
  ordersPer10Seconds: number;
}

export class RateLimits {
  private readonly weights = new FixedWindowCounter(WEIGHT_WINDOW_MS);
  private readonly orders = new FixedWindowCounter(ORDER_WINDOW_MS);
  /** IPs told 429 in the current window, and banned IPs with the end of their ban. */
  private readonly warned = new Map<string, number>();
  private readonly banned = new Map<string, number>();
  rejected = 0;

  constructor(readonly settings: RateLimitSettings) {}

  /** Charges a request's weight to its IP; throws 429 past the limit, 418 while banned. Returns the weight used. */
  chargeWeight(ip: string, weight: number, now: number): number {
    const bannedUntil = this.banned.get(ip);
    if (bannedUntil !== undefined) {
      if (bannedUntil > now) throw this.reject(ipBanned(bannedUntil));
      this.banned.delete(ip);
    }
    const used = this.weights.add(ip, weight, now);
    if (used <= this.settings.requestWeightPerMinute) return used;
    const retryAfter = this.warned.get(ip);
    if (retryAfter !== undefined && retryAfter > now) {
      this.banned.set(ip, now + BAN_MS);
      this.warned.delete(ip);
      throw this.reject(ipBanned(now + BAN_MS));
    }
    this.warned.set(ip, now + this.weights.remaining(now));
    throw this.reject(tooMuchWeight(this.settings.requestWeightPerMinute, this.weights.remaining(now)));
  }

  usedWeight(ip: string, now: number): number {
    return this.weights.used(ip, now);
  }

  /** Counts a new order of the account; throws -1015 past the limit. Returns the count. */
  chargeOrder(accountId: number, now: number): number {
    const used = this.orders.add(String(accountId), 1, now);
    if (used > this.settings.ordersPer10Seconds)
      throw this.reject(
        new ExchangeRejection(
          -1015,
          `Too many new orders; current limit is ${this.settings.ordersPer10Seconds} orders per 10 SECOND.`,
          429,
        ),
      );
    return used;
  }

  usedOrders(accountId: number, now: number): number {
    return this.orders.used(String(accountId), now);
  }

  private reject(rejection: ExchangeRejection): ExchangeRejection {
    this.rejected++;
    return rejection;
  }
}

function tooMuchWeight(limit: number, retryAfterMs: number): ExchangeRejection {
  return new ExchangeRejection(
    -1003,
    `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
    429,
    undefined,
    Math.ceil(retryAfterMs / 1_000),
  );
}

function ipBanned(until: number): ExchangeRejection {
  return new ExchangeRejection(
    -1003,
    `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    418,
    undefined,
    Math.ceil(BAN_MS / 1_000),
  );
}
