import { TickwireClient } from '../../src/client/index.ts';

/**
 * The dashboard's session: the API key the user entered (kept in localStorage, sent as a header
 * to the REST API and with an `auth` request on the WebSocket), and the client built for it. No
 * key: public market data only.
 */
const KEY_STORAGE = 'tickwire.apiKey';

export function storedApiKey(): string | undefined {
  return localStorage.getItem(KEY_STORAGE) ?? undefined;
}

export function storeApiKey(key: string | undefined): void {
  if (key === undefined || key === '') localStorage.removeItem(KEY_STORAGE);
  else localStorage.setItem(KEY_STORAGE, key);
}

export function createClient(apiKey: string | undefined): TickwireClient {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new TickwireClient({ url: `${scheme}://${location.host}/ws`, ...(apiKey ? { apiKey } : {}) });
}

/** The REST API with the session's key; rejects with the server's error message. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const key = storedApiKey();
  const response = await fetch(path, {
    ...init,
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key ? { 'x-api-key': key } : {}),
      ...init.headers,
    },
  });
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `${response.status} ${response.statusText}`);
  return body as T;
}
