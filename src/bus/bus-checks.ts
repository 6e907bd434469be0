import { TickwireError } from '../errors.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, type RequestOptions } from './message-bus.ts';
import { assertPayload } from './payload.ts';
import { parseTopic } from './topic-grammar.ts';

/** The error every bus throws (or rejects with) once closed, naming the operation. */
export function closedError(operation: string): TickwireError {
  return new TickwireError('BUS_CLOSED', `${operation} called on a closed bus`);
}

/**
 * Checks a request's topic, payload and options as every bus must (BAD_TOPIC, BAD_PAYLOAD,
 * BAD_CONFIG) and returns its timeout. Throws; `request` turns the throw into a rejection.
 */
export function checkedRequestTimeout(topic: string, payload: unknown, options: RequestOptions): number {
  parseTopic(topic);
  assertPayload(payload, topic);
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new TickwireError('BAD_CONFIG', `request timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  return timeoutMs;
}
