/**
 * Server-to-client WebSocket text frames (RFC 6455 §5.2) as latin1 strings: a server frame is
 * never masked, so header + payload is the same for every connection, and since every market
 * payload is ASCII each character is one byte. A connection's frames of one batch are then
 * concatenated into one string and written with one `socket.write(text, 'latin1')`: no Buffer
 * per frame, one syscall per connection per batch. Only ASCII payloads may take this path;
 * anything else (replies that echo client text) goes through ws's own send.
 */

const FIN_TEXT = 0x81;
const SHORT_HEADERS: string[] = Array.from({ length: 126 }, (_, length) =>
  String.fromCharCode(FIN_TEXT, length),
);

/** Header of a final, unmasked text frame carrying `length` bytes. */
export function textFrameHeader(length: number): string {
  if (length < 126) return SHORT_HEADERS[length]!;
  if (length < 65_536) return String.fromCharCode(FIN_TEXT, 126, length >>> 8, length & 0xff);
  const high = Math.floor(length / 0x1_0000_0000);
  const low = length >>> 0;
  return String.fromCharCode(
    FIN_TEXT,
    127,
    (high >>> 24) & 0xff,
    (high >>> 16) & 0xff,
    (high >>> 8) & 0xff,
    high & 0xff,
    low >>> 24,
    (low >>> 16) & 0xff,
    (low >>> 8) & 0xff,
    low & 0xff,
  );
}

/** A whole text frame for an ASCII payload. */
export function asciiTextFrame(payload: string): string {
  return textFrameHeader(payload.length) + payload;
}
