/**
 * Every error Tickwire raises internally carries one of these codes. The table is the single
 * place codes are declared; docs/ERRORS.md lists them for users. Client-facing protocol codes
 * (WebSocket close codes, `error` replies) live in the gateway's own table.
 */
export const ERROR_CODES = {
  BAD_CONFIG: 'a configuration value is missing, of the wrong type or out of range',
  BAD_TOPIC: 'a topic or pattern does not follow the topic grammar',
  BAD_PAYLOAD: 'a bus payload is neither a 64-byte tick nor a JSON-able value',
  NO_RESPONDER: 'a request was sent to a topic nobody answers',
  REQUEST_TIMEOUT: 'a request got no reply within its deadline',
  BUS_CLOSED: 'the message bus was used after close()',
  RESPONDER_FAILED: 'the responder to a request threw, rejected or replied with a bad payload',
  WIRE_PRECISION: 'a value has more decimals than its scale can hold exactly',
  WIRE_OVERFLOW: 'a value does not fit its wire field',
  WIRE_BAD_VERSION: 'a tick carries a wire version this build does not read',
  WIRE_BAD_TYPE: 'a tick carries an unknown message type',
  WIRE_BAD_LENGTH: 'a buffer is not a whole number of 64-byte ticks',
  WIRE_MISALIGNED:
    'a tick does not start on a 4-byte boundary, or the host is big-endian (the fast codec needs both)',
  WIRE_BAD_JSON: 'a tick in JSON form has a missing, unknown or mistyped field',
  WIRE_BAD_DECIMAL:
    "a decimal string is malformed (allowed: an optional '-', digits, an optional '.' and digits)",
  UNKNOWN_VENUE: 'a venue name is not in the venue table',
  UNKNOWN_SYMBOL: 'a symbol id or key is not registered',
  RING_LAYOUT_MISMATCH: 'a shared ring was attached with a layout other than the one it was created with',
  RING_BAD_ARGUMENT: 'a ring operation was called with an invalid argument',
  RING_TIMEOUT: 'a blocking ring operation did not complete within its deadline',
  // Pipeline (src/pipeline)
  PIPELINE_TEST_FAULT:
    'a pipeline worker met the poisoned tick a test or drill injected, and failed on purpose',
  PIPELINE_STOPPED: 'a pipeline operation was called after stop()',
  PIPELINE_BAD_RECORD: 'a pipeline worker met an input slot that is neither a tick nor a known record',
  BAD_FILTER: 'a subscription filter does not follow the filter grammar or exceeds its limits',
  AUTH_INVALID:
    'a credential is malformed, has a bad signature or a disallowed algorithm, or names no configured key',
  AUTH_EXPIRED: "a token's exp time has passed, beyond the configured clock leeway",
  AUTH_NOT_YET_VALID: "a token's nbf time is still in the future, beyond the configured clock leeway",
  AUTH_UNAVAILABLE: 'a token was presented but no JWT verification key is configured',
  // Recording and replay (docs/RECORDING.md).
  RECORDING_CORRUPT:
    'a recording file (data, index or symbol sidecar) is malformed beyond a torn last record or line',
  RECORDING_CLOSED: 'a tick recorder was used after close()',
  // Exchange feeds (docs/FEEDS.md).
  FEED_BAD_PAYLOAD: 'an exchange payload lacks a field or carries one of the wrong type',
  FEED_REST_FAILED: 'an exchange REST request failed, timed out or answered with an error status',
  FEED_STATE: 'a feed operation was called in a state that does not allow it (before start, after stop)',
  // Engines (docs/ENGINES.md, docs/FEATURES.md).
  BAD_FEATURE:
    'a feature name names no indicator of the catalog, or has parameters it does not take or outside their range',
  // Load testing (docs/LOADTEST.md).
  LOADTEST_TARGET:
    'the load test was pointed at a host that is neither loopback nor allowed with --allow-host, or the target does not answer',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TickwireError extends Error {
  override readonly name = 'TickwireError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** True when `error` is a TickwireError with the given code (or any code when omitted). */
export function isTickwireError(error: unknown, code?: ErrorCode): error is TickwireError {
  return error instanceof TickwireError && (code === undefined || error.code === code);
}
