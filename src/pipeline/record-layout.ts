import { TICK_BYTES, WIRE_VERSION } from '../wire/index.ts';

/**
 * What an input ring carries besides ticks (docs/PIPELINE.md, "Records"). A tick is one 64-byte
 * slot whose first byte holds the wire version in its high nibble (1). Every other record starts
 * with a header slot whose first byte is RECORD_MARK | type, and may run on over the following
 * slots: header fields first, then the payload bytes, contiguous in the ring (a record never wraps
 * around the ring's end: a skip record pads to the end instead), so a worker reads it in place.
 */

/** Record types besides the tick, by code (low nibble of the first byte). */
export const RECORD_TYPES = ['frame', 'snapshot', 'control', 'skip'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const RECORD_CODE: Readonly<Record<RecordType, number>> = {
  frame: 1,
  snapshot: 2,
  control: 3,
  skip: 4,
};

/** High nibble of a record header's first byte; a tick's is WIRE_VERSION (1), so the two never meet. */
export const RECORD_MARK = 0xf0;
export const TICK_MARK = WIRE_VERSION << 4;

/** Bit of the flags byte: more parts of the same record follow (the worker joins them). */
export const RECORD_MORE = 1;

/**
 * Header byte offsets within the first slot. Payload bytes follow at RECORD_HEADER_BYTES. All
 * little-endian; the slot starts on a 64-byte boundary, so the f64 is 8-aligned.
 */
export const RECORD = {
  /** u8: RECORD_MARK | type code. */
  mark: 0,
  /** u8: RECORD_MORE. */
  flags: 1,
  /** u32: slots the record takes, header slot included. */
  slots: 4,
  /** u32: payload bytes. */
  length: 8,
  /** u32: dense symbol id the record is about (0 for control records). */
  symbolId: 12,
  /** u32: the connection (socket) the bytes came from; the feed's own numbering. */
  source: 16,
  /** u32: the feed's stream id (its route); opaque to the pipeline. */
  stream: 20,
  /** u32: the feed's packed static facts of the stream; opaque to the pipeline. */
  streamInfo: 24,
  /** u32: nanoseconds within the millisecond of the receive time. */
  receiveNanosOfMs: 28,
  /** f64: whole milliseconds since the Unix epoch when the main thread received the bytes. */
  receiveMs: 32,
} as const;
export const RECORD_HEADER_BYTES = 40;

/** The `stream` a control record carries when it is the normalizer's configuration. */
export const CONFIG_STREAM = 0xffff_ffff;

/** Slots a record of `length` payload bytes takes. */
export function recordSlots(length: number): number {
  return Math.ceil((RECORD_HEADER_BYTES + length) / TICK_BYTES);
}

/**
 * Most slots one record may take in a ring of `capacity` slots: a quarter of the ring, so that a
 * record and the padding in front of it (fewer slots than the record) always fit with room to
 * spare for the frames behind it, and at most 16,384 slots (1 MiB), so one record never holds a
 * worker for long. A busy symbol's 100 ms depth diff can pass 64 KiB (the default 16,384-slot
 * ring takes frames up to 256 KiB).
 */
export function maxRecordSlots(capacity: number): number {
  return Math.min(16_384, capacity >>> 2);
}

/** Most payload bytes one record may carry in a ring of `capacity` slots (0: none fit). */
export function maxRecordBytes(capacity: number): number {
  return Math.max(0, maxRecordSlots(capacity) * TICK_BYTES - RECORD_HEADER_BYTES);
}

/** The fields of a record header, as the worker reads them (one reused object, no allocation). */
export interface RecordMeta {
  symbolId: number;
  source: number;
  stream: number;
  streamInfo: number;
  receiveMs: number;
  receiveNanosOfMs: number;
}

/** A RecordMeta with every field 0, to be filled in place record after record. */
export function emptyRecordMeta(): RecordMeta {
  return { symbolId: 0, source: 0, stream: 0, streamInfo: 0, receiveMs: 0, receiveNanosOfMs: 0 };
}

/** Fills `meta` in place for a record handed over without a ring (no header to read it from). */
export function fillRecordMeta(
  meta: RecordMeta,
  symbolId: number,
  source: number,
  stream: number,
  streamInfo: number,
  receiveMs: number,
  receiveNanosOfMs: number,
): RecordMeta {
  meta.symbolId = symbolId;
  meta.source = source;
  meta.stream = stream;
  meta.streamInfo = streamInfo;
  meta.receiveMs = receiveMs;
  meta.receiveNanosOfMs = receiveNanosOfMs;
  return meta;
}
