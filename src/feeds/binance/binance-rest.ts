import { TickwireError } from '../../errors.ts';
import type { BinanceDepthSnapshot, BinanceExchangeInfo, BinanceKlineRow } from './binance-payloads.ts';
import { SlidingWindow } from './sliding-window.ts';

/**
 * The REST calls the adapter makes (exchangeInfo, book snapshots, and candles for the node's
 * chart history), paced by Binance's request-weight limit (6,000 per minute per IP; we stay under
 * `weightPerMinute`). A 429 or 418 answer pauses every request for its Retry-After, as Binance
 * asks before it bans an IP.
 */

export interface BinanceRestOptions {
  restUrl: string;
  /** Request weight spent per rolling minute at most. */
  weightPerMinute: number;
  /** Abort a request after this long, ms. */
  timeoutMs: number;
}

export const REST_DEFAULTS: Omit<BinanceRestOptions, 'restUrl'> = {
  weightPerMinute: 5_000,
  timeoutMs: 10_000,
};

/** Weight of GET /api/v3/depth by limit, as Binance lists it. */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

/**
 * The deepest book snapshot (of Binance's 1000, 500 and 100 levels) whose first fetch for each of
 * `books` books fits in half of `weightPerMinute`, so that starting a hundred books leaves the other
 * half for resyncs and candles instead of holding them for a minute. 1000 levels of 100 books
 * would weigh 5,000, a whole minute; 500 levels weigh 2,500.
 */
export function fittedSnapshotLimit(books: number, weightPerMinute: number): number {
  for (const limit of [1000, 500]) if (depthWeight(limit) * books <= weightPerMinute / 2) return limit;
  return 100;
}

export const EXCHANGE_INFO_WEIGHT = 20;
const KLINES_WEIGHT = 2;

export class BinanceRest {
  private readonly options: BinanceRestOptions;
  private readonly weight: SlidingWindow;
  private pausedUntil = 0;
  requests = 0;
  failures = 0;

  constructor(options: Partial<BinanceRestOptions> & Pick<BinanceRestOptions, 'restUrl'>) {
    this.options = { ...REST_DEFAULTS, ...options };
    this.weight = new SlidingWindow(this.options.weightPerMinute, 60_000);
  }

  /** Weight spent in the last minute. */
  get usedWeight(): number {
    return this.weight.used(performance.now());
  }

  /** exchangeInfo for `symbols` (all symbols when omitted). */
  exchangeInfo(symbols?: readonly string[]): Promise<BinanceExchangeInfo> {
    const query = symbols === undefined ? '' : `?symbols=${encodeURIComponent(JSON.stringify(symbols))}`;
    return this.get<BinanceExchangeInfo>(`/api/v3/exchangeInfo${query}`, EXCHANGE_INFO_WEIGHT);
  }

  depth(symbol: string, limit: number): Promise<BinanceDepthSnapshot> {
    return this.get<BinanceDepthSnapshot>(
      `/api/v3/depth?symbol=${symbol}&limit=${limit}`,
      depthWeight(limit),
    );
  }

  /** Candles, oldest first, in Binance's array form (weight 2 whatever the limit). */
  klines(symbol: string, interval: string, limit: number): Promise<BinanceKlineRow[]> {
    return this.get<BinanceKlineRow[]>(
      `/api/v3/klines?symbol=${symbol}&interval=${interval}&limit=${limit}`,
      KLINES_WEIGHT,
    );
  }

  /** The depth snapshot's body as bytes, unparsed: it is parsed where the book lives (a pipeline worker). */
  depthBytes(symbol: string, limit: number): Promise<Uint8Array> {
    return this.request(
      `/api/v3/depth?symbol=${symbol}&limit=${limit}`,
      depthWeight(limit),
      async (response) => new Uint8Array(await response.arrayBuffer()),
    );
  }

  private get<T>(path: string, weight: number): Promise<T> {
    return this.request(path, weight, async (response) => (await response.json()) as T);
  }

  private async request<T>(
    path: string,
    weight: number,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    await this.waitForWeight(weight);
    this.requests++;
    const url = `${this.options.restUrl.replace(/\/+$/, '')}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (error) {
      this.failures++;
      throw new TickwireError('FEED_REST_FAILED', `GET ${url} failed: ${(error as Error).message}`);
    }
    if (response.status === 429 || response.status === 418) {
      const retryAfter = Number(response.headers.get('retry-after') ?? '60');
      this.pausedUntil = performance.now() + (Number.isFinite(retryAfter) ? retryAfter : 60) * 1_000;
    }
    if (!response.ok) {
      this.failures++;
      const body = (await response.text().catch(() => '')).slice(0, 200);
      throw new TickwireError('FEED_REST_FAILED', `GET ${url} answered ${response.status}: ${body}`);
    }
    try {
      return await read(response);
    } catch (error) {
      this.failures++;
      throw new TickwireError(
        'FEED_REST_FAILED',
        `GET ${url} sent a body that could not be read as expected: ${(error as Error).message}`,
      );
    }
  }

  private async waitForWeight(weight: number): Promise<void> {
    for (;;) {
      const now = performance.now();
      const wait = Math.max(this.pausedUntil - now, this.weight.waitMs(now, weight));
      if (wait <= 0) {
        this.weight.record(now, weight);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
