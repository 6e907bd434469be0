import { TickwireApi, TickwireClient } from '../../src/client/index.ts';

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

/** The REST API with the session's key (each refusal a TickwireApiError with the server's code). */
export function restApi(): TickwireApi {
  const key = storedApiKey();
  return new TickwireApi({ url: location.origin, ...(key ? { apiKey: key } : {}) });
}
