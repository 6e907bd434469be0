import { randomBytes } from 'node:crypto';
import { TickwireError } from '../../errors.ts';
import type { Payload } from '../message-bus.ts';
import { TICK_BYTES } from '../payload.ts';

/**
 * What a broker bus puts on the broker for one message: a 16-byte header, then the payload as is.
 *
 *   offset  size  field
 *   0       1     MAGIC 0xB7: not printable ASCII, so text someone else publishes on our prefix
 *                 is recognised at the first byte
 *   1       1     VERSION (1); a receiver skips any other version as malformed
 *   2       1     payload kind: 1 = binary ticks (n × 64 bytes), 2 = JSON text in UTF-8
 *   3       1     role: 0 data, 1 request, 2 reply, 3 error reply, 4 decline (see ROLES)
 *   4       8     origin: the sending bus instance's random node id
 *   12      4     sequence, unsigned 32-bit little-endian: for data, per (origin, topic), +1 per
 *                 publish, wrapping; for requests, the request id; for replies, the id answered
 *   16      n     payload: tick bytes unchanged, or JSON text
 *
 * The topic is not in the envelope: it is the broker channel/subject minus the prefix.
 */
export const ENVELOPE_MAGIC = 0xb7;
export const ENVELOPE_VERSION = 1;
export const HEADER_BYTES = 16;
export const NODE_ID_BYTES = 8;

export const PAYLOAD_KINDS = { ticks: 1, json: 2 } as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[keyof typeof PAYLOAD_KINDS];

export const ROLES = { data: 0, request: 1, reply: 2, errorReply: 3, decline: 4 } as const;
export type Role = (typeof ROLES)[keyof typeof ROLES];

const ORIGIN_OFFSET = 4;
const SEQUENCE_OFFSET = 12;

/** A bus instance's identity on the broker: 8 random bytes, also read as two 32-bit halves. */
export interface NodeId {
  readonly bytes: Uint8Array;
  readonly low: number;
  readonly high: number;
  /** 16 lowercase hex digits; used in the Redis reply channel name. */
  readonly hex: string;
}

export function newNodeId(): NodeId {
  const bytes = randomBytes(NODE_ID_BYTES);
  return { bytes, low: bytes.readUInt32LE(0), high: bytes.readUInt32LE(4), hex: bytes.toString('hex') };
}

/** A header read from the wire; `body` is a view into the received bytes, not a copy. */
export interface Envelope {
  readonly kind: PayloadKind;
  readonly role: Role;
  readonly originLow: number;
  readonly originHigh: number;
  readonly sequence: number;
  readonly body: Uint8Array;
}

/** Raised for bytes that are not a valid envelope or payload; the bus counts it as malformed. */
export class MalformedEnvelope extends Error {
  override readonly name = 'MalformedEnvelope';
}

/**
 * Builds the envelope for `payload`. Binary payloads are copied once, behind the header; JSON is
 * serialized straight into the buffer. A nested value JSON cannot carry (a cycle, a bigint) is
 * BAD_PAYLOAD, so nothing is delivered anywhere for it.
 */
export function encodeEnvelope(
  role: Role,
  payload: Payload,
  origin: NodeId,
  sequence: number,
  topic: string,
): Buffer {
  let buffer: Buffer;
  if (payload instanceof Uint8Array) {
    buffer = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
    buffer[2] = PAYLOAD_KINDS.ticks;
    buffer.set(payload, HEADER_BYTES);
  } else {
    let text: string;
    try {
      text = JSON.stringify(payload);
    } catch (error) {
      throw new TickwireError(
        'BAD_PAYLOAD',
        `payload on ${JSON.stringify(topic)} cannot be serialized as JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const length = Buffer.byteLength(text);
    buffer = Buffer.allocUnsafe(HEADER_BYTES + length);
    buffer[2] = PAYLOAD_KINDS.json;
    buffer.write(text, HEADER_BYTES, length, 'utf8');
  }
  buffer[0] = ENVELOPE_MAGIC;
  buffer[1] = ENVELOPE_VERSION;
  buffer[3] = role;
  buffer.set(origin.bytes, ORIGIN_OFFSET);
  buffer.writeUInt32LE(sequence >>> 0, SEQUENCE_OFFSET);
  return buffer;
}

/** Reads the header of `bytes`, or throws MalformedEnvelope saying what is wrong. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (bytes.length < HEADER_BYTES)
    throw new MalformedEnvelope(`${bytes.length} bytes is shorter than a header`);
  if (bytes[0] !== ENVELOPE_MAGIC) throw new MalformedEnvelope(`first byte ${bytes[0]} is not the magic`);
  if (bytes[1] !== ENVELOPE_VERSION)
    throw new MalformedEnvelope(`version ${bytes[1]} is not ${ENVELOPE_VERSION}`);
  const kind = bytes[2]!;
  if (kind !== PAYLOAD_KINDS.ticks && kind !== PAYLOAD_KINDS.json) {
    throw new MalformedEnvelope(`payload kind ${kind} is unknown`);
  }
  const role = bytes[3]!;
  if (role > ROLES.decline) throw new MalformedEnvelope(`role ${role} is unknown`);
  return {
    kind: kind as PayloadKind,
    role: role as Role,
    originLow: readU32(bytes, ORIGIN_OFFSET),
    originHigh: readU32(bytes, ORIGIN_OFFSET + 4),
    sequence: readU32(bytes, SEQUENCE_OFFSET),
    body: bytes.subarray(HEADER_BYTES),
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The payload of a decoded envelope as this node's own value: ticks are copied into a fresh,
 * aligned Uint8Array (the received buffer belongs to the client library and may start anywhere,
 * while tick views need a 4-byte boundary); JSON is parsed. Throws MalformedEnvelope.
 */
export function decodePayload(envelope: Envelope): Payload {
  const body = envelope.body;
  if (envelope.kind === PAYLOAD_KINDS.ticks) {
    if (body.length === 0 || body.length % TICK_BYTES !== 0) {
      throw new MalformedEnvelope(`binary payload of ${body.length} bytes is not whole ticks`);
    }
    const copy = new Uint8Array(body.length);
    copy.set(body);
    return copy;
  }
  try {
    return JSON.parse(utf8.decode(body)) as Payload;
  } catch (error) {
    throw new MalformedEnvelope(`JSON payload does not parse: ${(error as Error).message}`);
  }
}

export function isFromNode(envelope: Envelope, node: NodeId): boolean {
  return envelope.originLow === node.low && envelope.originHigh === node.high;
}

/** The origin of raw envelope bytes as hex, for the Redis reply channel; undefined when too short. */
export function originHexOf(bytes: Uint8Array): string | undefined {
  if (bytes.length < HEADER_BYTES) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset + ORIGIN_OFFSET, NODE_ID_BYTES).toString('hex');
}

/** The sequence field of raw envelope bytes (the request id, for replies). */
export function sequenceOf(bytes: Uint8Array): number {
  return readU32(bytes, SEQUENCE_OFFSET);
}

/** True for a well-formed decline: the responder node had no responder for the topic. */
export function isDecline(bytes: Uint8Array): boolean {
  return bytes.length >= HEADER_BYTES && bytes[0] === ENVELOPE_MAGIC && bytes[3] === ROLES.decline;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}
