import { TickwireError } from '../errors.ts';
import type { Payload } from './message-bus.ts';

/** Size of one wire tick; a binary payload is one or more whole ticks. */
export const TICK_BYTES = 64;

/**
 * Throws BAD_PAYLOAD unless `payload` is a Uint8Array of whole ticks or a JSON-able value at the
 * top level. Nested values are not walked: that would cost per message what the `JsonValue` type
 * already checks at compile time, and a broker bus fails loudly when it serializes them.
 */
export function assertPayload(payload: unknown, topic: string): asserts payload is Payload {
  if (payload instanceof Uint8Array) {
    const length = payload.length;
    if (length === 0 || length % TICK_BYTES !== 0) {
      throw new TickwireError(
        'BAD_PAYLOAD',
        `binary payload on ${JSON.stringify(topic)} is ${length} bytes; it must be a positive multiple of ${TICK_BYTES}`,
      );
    }
    return;
  }
  switch (typeof payload) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(payload)) return;
      throw new TickwireError(
        'BAD_PAYLOAD',
        `payload ${String(payload)} on ${JSON.stringify(topic)} is not a finite number; JSON cannot carry it`,
      );
    case 'object':
      if (payload === null || !ArrayBuffer.isView(payload)) return;
      throw new TickwireError(
        'BAD_PAYLOAD',
        `payload on ${JSON.stringify(topic)} is a ${payload.constructor.name}; binary payloads must be a Uint8Array`,
      );
    default:
      throw new TickwireError(
        'BAD_PAYLOAD',
        `payload on ${JSON.stringify(topic)} is of type ${typeof payload}; it must be a Uint8Array of ticks or a JSON-able value`,
      );
  }
}
