import { createHmac, type KeyObject, sign } from 'node:crypto';

/** Signs a payload as a Binance client does: HMAC-SHA256 hex, or Ed25519 base64. */
export type Signer = (payload: string) => string;

export const hmacSigner =
  (secret: string): Signer =>
  (payload) =>
    createHmac('sha256', secret).update(payload).digest('hex');

export const ed25519Signer =
  (privateKey: KeyObject): Signer =>
  (payload) =>
    sign(null, Buffer.from(payload), privateKey).toString('base64');

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read many documented fields of Binance's untyped JSON
  body: any;
}

/**
 * A minimal Binance REST client: parameters in the query string, `timestamp` added and the query
 * signed for SIGNED endpoints, the API key in `X-MBX-APIKEY` (as the widely used clients do).
 */
export class SignedClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    private readonly signer: Signer | undefined,
  ) {}

  async signed(
    method: string,
    path: string,
    params: Record<string, string | number> = {},
    timestamp = Date.now(),
  ): Promise<Answer> {
    const query = new URLSearchParams(
      Object.entries({ ...params, timestamp }).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    const signature = encodeURIComponent(this.signer!(query));
    return this.send(method, `${path}?${query}&signature=${signature}`);
  }

  async keyed(method: string, path: string, params: Record<string, string> = {}): Promise<Answer> {
    const query = new URLSearchParams(params).toString();
    return this.send(method, query.length > 0 ? `${path}?${query}` : path);
  }

  private async send(method: string, pathAndQuery: string): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (this.apiKey !== undefined) headers['X-MBX-APIKEY'] = this.apiKey;
    const response = await fetch(`${this.baseUrl}${pathAndQuery}`, { method, headers });
    return { status: response.status, body: await response.json() };
  }
}
