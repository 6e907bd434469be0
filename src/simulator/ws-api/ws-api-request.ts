import { ExchangeRejection, rejections } from '../matching/rejection.ts';

/** A parsed WebSocket API request: parameters as the strings REST would carry, and what was signed. */
export interface WsApiRequest {
  readonly id: string | number | null;
  readonly method: string;
  readonly params: ReadonlyMap<string, string>;
  /** The parameters except `signature`, sorted by name, as `name=value&…`: what a client signs. */
  readonly payload: string;
}

const ID = /^[A-Za-z0-9-]{1,36}$/;

/**
 * Parses one text frame. Parameter values may be JSON strings, numbers or booleans (as Binance
 * takes them); they become the strings a REST query would carry, so both APIs share one parser of
 * order parameters.
 */
export function parseWsApiRequest(
  text: string,
): { ok: true; request: WsApiRequest } | { ok: false; error: ExchangeRejection } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { ok: false, error: rejections.malformedRequest() };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return { ok: false, error: rejections.malformedRequest() };
  const { id, method, params } = message as Record<string, unknown>;
  if (!(
    id === null ||
    (typeof id === 'number' && Number.isSafeInteger(id)) ||
    (typeof id === 'string' && ID.test(id))
  ))
    return { ok: false, error: rejections.invalidParameter('id') };
  if (typeof method !== 'string' || method.length === 0)
    return { ok: false, error: rejections.mandatory('method') };
  const values = new Map<string, string>();
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null || Array.isArray(params))
      return { ok: false, error: rejections.invalidParameter('params') };
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string') values.set(name, value);
      else if (typeof value === 'number' || typeof value === 'boolean') values.set(name, String(value));
      else return { ok: false, error: rejections.invalidParameter(name) };
    }
  }
  const payload = [...values]
    .filter(([name]) => name !== 'signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return { ok: true, request: { id: id as string | number | null, method, params: values, payload } };
}
