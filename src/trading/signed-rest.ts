import { createHmac } from 'node:crypto';

/** A refusal from the exchange's REST API: HTTP status and Binance's code and message. */
export class ExchangeError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/**
 * Binance REST calls for one account: parameters in the query string, SIGNED calls with a
 * timestamp and an HMAC-SHA256 signature over the query, the key in `X-MBX-APIKEY`. The secret
 * stays in this object; nothing here logs.
 */
export class SignedRest {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly apiSecret: string,
  ) {}

  async signed<T>(method: string, path: string, params: Record<string, string | number> = {}): Promise<T> {
    const query = new URLSearchParams(
      Object.entries({ ...params, timestamp: Date.now() }).map(([name, value]): [string, string] => [
        name,
        String(value),
      ]),
    ).toString();
    const signature = createHmac('sha256', this.apiSecret).update(query).digest('hex');
    return this.send<T>(method, `${path}?${query}&signature=${signature}`);
  }

  /** A public endpoint (market data, exchangeInfo): no key, no signature. */
  async public<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    return this.send<T>('GET', query.length > 0 ? `${path}?${query}` : path);
  }

  /** An endpoint that takes the API key only (the listenKey endpoints). */
  async keyed<T>(method: string, path: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    return this.send<T>(method, query.length > 0 ? `${path}?${query}` : path);
  }

  private async send<T>(method: string, pathAndQuery: string): Promise<T> {
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, {
      method,
      headers: { 'X-MBX-APIKEY': this.apiKey },
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as unknown;
    if (!response.ok) {
      const { code, msg } = (body ?? {}) as { code?: number; msg?: string };
      throw new ExchangeError(response.status, code ?? 0, msg ?? 'no message');
    }
    return body as T;
  }
}
