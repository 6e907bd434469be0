import { TickwireError } from '../errors.ts';
import { messageTypeName, TICK_BYTES, WIRE_VERSION } from './layout.ts';
import { flagsProblem, valuesProblem } from './rules.ts';
import { TWO_POW_32 } from './time-ns.ts';

/**
 * Checks a tick from outside this process (a broker, a file, a client) before anything reads it:
 * version, type, flags (reserved bit, side, interval bits) and that every 64-bit value is one
 * the writers could have produced, so each reads back exactly as a JS number. Accepts exactly
 * the ticks the Tick writers produce. Reads single bytes, so any offset and host will do.
 *
 * Throws WIRE_BAD_LENGTH (not 64 bytes at offset), WIRE_BAD_VERSION, WIRE_BAD_TYPE or
 * WIRE_OVERFLOW (a field outside its range), the message naming the field and value.
 */
export function validateTick(bytes: Uint8Array, offset = 0): void {
  if (!(Number.isInteger(offset) && offset >= 0 && offset + TICK_BYTES <= bytes.length)) {
    throw new TickwireError(
      'WIRE_BAD_LENGTH',
      `tick offset ${offset} does not leave ${TICK_BYTES} bytes in a buffer of ${bytes.length} bytes`,
    );
  }
  const first = bytes[offset]!;
  const version = first >>> 4;
  if (version !== WIRE_VERSION) {
    throw new TickwireError(
      'WIRE_BAD_VERSION',
      `tick at offset ${offset} has wire version ${version}; this build reads version ${WIRE_VERSION}`,
    );
  }
  const type = messageTypeName(first & 0xf);
  if (type === undefined) {
    throw new TickwireError(
      'WIRE_BAD_TYPE',
      `tick at offset ${offset} has message type ${first & 0xf}; known: 1 trade, 2 quote, 3 book, 4 bar`,
    );
  }
  const flags = bytes[offset + 2]! | (bytes[offset + 3]! << 8);
  const problem =
    flagsProblem(type, flags) ??
    valuesProblem(
      type,
      i64At(bytes, offset + 8),
      i64At(bytes, offset + 32),
      i64At(bytes, offset + 40),
      i64At(bytes, offset + 48),
      i64At(bytes, offset + 56),
    );
  if (problem !== undefined) {
    throw new TickwireError('WIRE_OVERFLOW', `${type} tick at offset ${offset}: ${problem}`);
  }
}

/** Validates every tick of a buffer of whole ticks and returns how many there are. */
export function validateTicks(bytes: Uint8Array): number {
  if (bytes.length % TICK_BYTES !== 0) {
    throw new TickwireError(
      'WIRE_BAD_LENGTH',
      `buffer of ${bytes.length} bytes is not a whole number of ${TICK_BYTES}-byte ticks`,
    );
  }
  for (let offset = 0; offset < bytes.length; offset += TICK_BYTES) validateTick(bytes, offset);
  return bytes.length / TICK_BYTES;
}

function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** A value beyond ±(2^53-1) comes out as a double of magnitude >= 2^53, which is not a safe integer. */
function i64At(bytes: Uint8Array, at: number): number {
  return (u32At(bytes, at + 4) | 0) * TWO_POW_32 + u32At(bytes, at);
}
