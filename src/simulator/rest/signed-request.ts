import type { IncomingHttpHeaders } from 'node:http';
import type { AccountRegistry, SimAccount } from '../accounts/accounts.ts';
import { integerParam, type Params, required } from '../matching/order-params.ts';
import { rejections } from '../matching/rejection.ts';

/** One REST call as the routes see it. */
export interface RestCall {
  readonly query: URLSearchParams;
  /** The raw query string (without `?`) and body, as signed. */
  readonly rawQuery: string;
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

/** Binance's recvWindow: 5,000 ms unless given, at most 60,000. */
const DEFAULT_RECV_WINDOW_MS = 5_000;
const MAX_RECV_WINDOW_MS = 60_000;
/** How far ahead of the server's clock a timestamp may be (Binance allows 1 s). */
const MAX_CLOCK_AHEAD_MS = 1_000;

/**
 * All parameters of a call: the form body's, then the query string's (which wins when a name is in
 * both, as Binance documents).
 */
export function callParams(call: RestCall): Map<string, string> {
  const params = new Map<string, string>();
  if (call.body.length > 0)
    for (const [name, value] of new URLSearchParams(call.body)) params.set(name, value);
  for (const [name, value] of call.query) params.set(name, value);
  return params;
}

/** The account of the `X-MBX-APIKEY` header (-2014 when absent or malformed, -2015 when unknown). */
export function apiKeyAccount(call: RestCall, accounts: AccountRegistry): SimAccount {
  const key = call.headers['x-mbx-apikey'];
  if (typeof key !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(key)) throw rejections.badApiKeyFormat();
  const account = accounts.byApiKey(key);
  if (account === undefined) throw rejections.rejectedApiKey();
  return account;
}

/**
 * A SIGNED call's account: the API key, then `timestamp` within `recvWindow` of the server's
 * clock (-1021), then the signature over the query string and body as sent, without the
 * `signature` parameter itself (-1022).
 */
export function signedAccount(
  call: RestCall,
  params: Params,
  accounts: AccountRegistry,
  now: number,
): SimAccount {
  const account = apiKeyAccount(call, accounts);
  checkTimestamp(params, now);
  const signature = required(params, 'signature');
  const payload = withoutSignature(call.rawQuery) + withoutSignature(call.body);
  if (!account.verify(payload, signature)) throw rejections.badSignature();
  return account;
}

/** `timestamp` and `recvWindow` against the server's clock (shared with the WebSocket API). */
export function checkTimestamp(params: Params, now: number): void {
  const timestamp = integerParam(params, 'timestamp');
  if (timestamp === undefined) throw rejections.mandatory('timestamp');
  const recvWindow = integerParam(params, 'recvWindow') ?? DEFAULT_RECV_WINDOW_MS;
  if (recvWindow <= 0 || recvWindow > MAX_RECV_WINDOW_MS) throw rejections.badRecvWindow();
  if (timestamp > now + MAX_CLOCK_AHEAD_MS || now - timestamp > recvWindow)
    throw rejections.timestampOutside();
}

function withoutSignature(text: string): string {
  return text.replace(/(^|&)signature=[^&]*/, '').replace(/^&/, '');
}
