// The gateway's own tables, imported directly rather than through src/gateway/index.ts: that index
// pulls in the server (ws, node:http), which a browser bundle of the client must not carry.
import { REPLY_ERRORS, type ReplyError } from '../gateway/codes.ts';

/**
 * What went wrong, as a code an application can switch on: every error code the server replies
 * with (docs/PROTOCOL.md, "Errors"), and the client's own:
 * - `CLOSED`: the client was closed (or closed itself for good) before the request was answered;
 * - `DISCONNECTED`: the connection dropped while the request was in flight (not retried: the
 *   server may or may not have acted on it);
 * - `REQUEST_TIMEOUT`: no reply within the request timeout;
 * - `BAD_FRAME`: the server sent a frame the client cannot read;
 * - `SYMBOLS_UNAVAILABLE`: the node's symbol ids could not be read, so binary ticks of symbols not
 *   known reach only the subscriptions with a wildcard in the symbol's place.
 */
export type ClientErrorCode =
  ReplyError | 'CLOSED' | 'DISCONNECTED' | 'REQUEST_TIMEOUT' | 'BAD_FRAME' | 'SYMBOLS_UNAVAILABLE';

export const CLIENT_ERROR_CODES: readonly ClientErrorCode[] = [
  ...(Object.keys(REPLY_ERRORS) as ReplyError[]),
  'CLOSED',
  'DISCONNECTED',
  'REQUEST_TIMEOUT',
  'BAD_FRAME',
  'SYMBOLS_UNAVAILABLE',
];

export class TickwireClientError extends Error {
  override readonly name = 'TickwireClientError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The request's id, when the error answers one. */
    readonly requestId?: number,
  ) {
    // Some server messages already start with their code.
    super(message.startsWith(`${code}: `) ? message : `${code}: ${message}`);
  }
}

/** Server error codes after which retrying the same credential is pointless. */
export const PERMANENT_AUTH_ERRORS: ReadonlySet<ClientErrorCode> = new Set([
  'AUTH_INVALID',
  'AUTH_NOT_YET_VALID',
  'AUTH_UNAVAILABLE',
]);

/** Close codes after which the client does not reconnect without a change (4500-4999, docs/PROTOCOL.md). */
export function closeIsFinal(code: number): boolean {
  return code >= 4500 && code <= 4999;
}
