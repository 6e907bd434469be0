/**
 * Server-to-client WebSocket frames (RFC 6455 §5.2), built once per message and written as they
 * are to every client: frames a server sends are never masked, so without per-message deflate
 * the bytes are the same for every connection. That is what lets the gateway serialize a message
 * once, not once per client.
 */

export const OPCODE = { text: 0x1, binary: 0x2 } as const;

/** Bytes of the header of a final, unmasked frame carrying `length` payload bytes. */
export function headerLength(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes the header of a final, unmasked frame into `target` at 0; returns its length. */
export function writeHeader(target: Buffer, opcode: number, length: number): number {
  target[0] = 0x80 | opcode;
  if (length < 126) {
    target[1] = length;
    return 2;
  }
  if (length < 65_536) {
    target[1] = 126;
    target.writeUInt16BE(length, 2);
    return 4;
  }
  target[1] = 127;
  target.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
  target.writeUInt32BE(length >>> 0, 6);
  return 10;
}

/** One final frame holding `payload`: header and payload in one buffer, ready to write. */
export function encodeFrame(opcode: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(headerLength(payload.length) + payload.length);
  frame.set(payload, writeHeader(frame, opcode, payload.length));
  return frame;
}

export function textFrame(text: string): Buffer {
  return encodeFrame(OPCODE.text, Buffer.from(text, 'utf8'));
}

/** The payload of a frame built by encodeFrame (for connections that must re-frame, e.g. to compress). */
export function payloadOf(frame: Buffer): Buffer {
  const length = frame[1]! & 0x7f;
  return frame.subarray(length < 126 ? 2 : length === 126 ? 4 : 10);
}
