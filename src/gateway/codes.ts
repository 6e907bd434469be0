/**
 * What the gateway tells clients, in two tables: error codes of `error` replies (the connection
 * stays up) and WebSocket close codes (the connection ends). docs/PROTOCOL.md lists both; a test
 * keeps them in step. Close codes follow Centrifugo's split: 4000-4499 means "reconnect (with
 * backoff) and recover", 4500-4999 means "do not reconnect without changing something".
 */

export const REPLY_ERRORS = {
  BAD_JSON: 'the frame is not valid JSON, or not a JSON object',
  BAD_REQUEST: 'a field is missing or has the wrong type; the message names it',
  UNKNOWN_OP: 'the op is not one of subscribe, unsubscribe, ping, auth',
  BAD_TOPIC: 'a topic or pattern does not follow the topic grammar',
  BAD_FILTER: 'the filter does not follow the filter grammar or exceeds its limits',
  FORBIDDEN: 'this connection may not subscribe to that topic',
  TOO_MANY_SUBSCRIPTIONS: 'the subscription would pass the per-connection limit',
  NOT_SUBSCRIBED: 'unsubscribe named a topic this connection is not subscribed to',
  RATE_LIMITED: 'more messages than the inbound rate allows; this one was not processed',
  FRAME_TOO_LARGE: 'the frame is larger than the inbound frame limit; it was not processed',
  BINARY_NOT_ACCEPTED: 'clients send JSON text frames; a binary frame was not processed',
  AUTH_INVALID: 'the credential is malformed, badly signed or unknown',
  AUTH_EXPIRED: 'the token has expired',
  AUTH_NOT_YET_VALID: 'the token is not valid yet (nbf)',
  AUTH_UNAVAILABLE: 'a token was sent but the server has no JWT key configured',
} as const;
export type ReplyError = keyof typeof REPLY_ERRORS;

export const CLOSE_CODES = {
  /** Standard: the server is shutting down. Reconnect (to another node) and recover. */
  GOING_AWAY: 1001,
  /** Standard, sent by `ws` itself: a text frame that is not valid UTF-8. */
  INVALID_PAYLOAD: 1007,
  /** Standard, sent by `ws` itself: a frame beyond the hard frame limit. */
  MESSAGE_TOO_BIG: 1009,
  /** Critical or high-priority messages did not fit the outbound byte budget. Reconnect and recover. */
  SLOW_CONSUMER: 4001,
  /** Nothing received (not even a pong) within the idle timeout. Reconnect. */
  IDLE_TIMEOUT: 4002,
  /** An administrator closed the connection through the REST API. Reconnect. */
  DISCONNECTED_BY_ADMIN: 4003,
  /** Far more messages than the inbound rate allows. Reconnect after a backoff, and slow down. */
  FLOODING: 4004,
  /** The credential given at connect was refused. Do not reconnect with the same credential. */
  UNAUTHORIZED: 4501,
} as const;
export type CloseReason = keyof typeof CLOSE_CODES;

/** Human-readable reason sent with each close code (at most 123 bytes, the WebSocket limit). */
export const CLOSE_REASONS: Record<CloseReason, string> = {
  GOING_AWAY: 'server shutting down',
  INVALID_PAYLOAD: 'invalid UTF-8 in a text frame',
  MESSAGE_TOO_BIG: 'frame too large',
  SLOW_CONSUMER: 'slow consumer: priority messages exceeded the outbound budget',
  IDLE_TIMEOUT: 'idle timeout',
  DISCONNECTED_BY_ADMIN: 'disconnected by administrator',
  FLOODING: 'inbound rate limit exceeded repeatedly',
  UNAUTHORIZED: 'unauthorized',
};
