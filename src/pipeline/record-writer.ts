import type { RingProducer } from '../shm/index.ts';
import { TICK_BYTES } from '../wire/index.ts';
import {
  RECORD,
  RECORD_CODE,
  RECORD_HEADER_BYTES,
  RECORD_MARK,
  type RecordType,
  recordSlots,
} from './record-layout.ts';

/**
 * Writes multi-slot records (record-layout.ts) into one input ring from the main thread. The caller
 * knows a lower bound of the free slots (so the ring is never asked for more than it has, and no
 * drop is counted by the ring itself); the writer claims the record's slots in one go, pads to the
 * ring's end with a skip record when the record would wrap, copies the bytes, and publishes
 * everything with one cursor store, so the worker sees the whole record or none of it.
 */
export class RecordWriter {
  private readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private readonly f64: Float64Array;
  private readonly capacity: number;
  /** Slots the last write() published (padding included). */
  lastSlots = 0;

  constructor(private readonly producer: RingProducer) {
    const bytes = producer.bytes;
    this.bytes = bytes;
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    this.f64 = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3);
    this.capacity = producer.capacity;
  }

  /**
   * Writes `payload[start, end)` as one record if it fits in `free` slots; returns the slots it took
   * (padding included), or 0 when it did not fit (nothing was published).
   */
  write(
    type: RecordType,
    flags: number,
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    receiveMs: number,
    receiveNanosOfMs: number,
    payload: Uint8Array,
    start: number,
    end: number,
    free: number,
  ): number {
    const length = end - start;
    const slots = recordSlots(length);
    if (slots > free) return 0;
    const producer = this.producer;
    producer.claim(1);
    const index = (producer.offsetOf(0) - this.headerOffset()) / TICK_BYTES;
    const pad = index + slots > this.capacity ? this.capacity - index : 0;
    const total = pad + slots;
    if (total > free || producer.claim(total) !== total) {
      producer.publish(0);
      return 0;
    }
    if (pad > 0) this.writeHeader(producer.offsetOf(0), RECORD_CODE.skip, 0, pad, 0, 0, 0, 0, 0, 0, 0);
    const at = producer.offsetOf(pad);
    this.writeHeader(
      at,
      RECORD_CODE[type],
      flags,
      slots,
      length,
      symbolId,
      source,
      stream,
      streamInfo,
      receiveMs,
      receiveNanosOfMs,
    );
    const target = at + RECORD_HEADER_BYTES;
    if (start === 0 && end === payload.length) this.bytes.set(payload, target);
    else this.bytes.set(payload.subarray(start, end), target);
    producer.publish(total);
    this.lastSlots = total;
    return total;
  }

  /** Byte offset of slot 0 (the ring header's size), from the first slot the producer hands out. */
  private headerOffset(): number {
    return this.bytes.byteLength - this.capacity * TICK_BYTES;
  }

  private writeHeader(
    at: number,
    code: number,
    flags: number,
    slots: number,
    length: number,
    symbolId: number,
    source: number,
    stream: number,
    streamInfo: number,
    receiveMs: number,
    receiveNanosOfMs: number,
  ): void {
    const words = this.words;
    const w = at >>> 2;
    this.bytes[at + RECORD.mark] = RECORD_MARK | code;
    this.bytes[at + RECORD.flags] = flags;
    words[w + (RECORD.slots >>> 2)] = slots;
    words[w + (RECORD.length >>> 2)] = length;
    words[w + (RECORD.symbolId >>> 2)] = symbolId;
    words[w + (RECORD.source >>> 2)] = source;
    words[w + (RECORD.stream >>> 2)] = stream;
    words[w + (RECORD.streamInfo >>> 2)] = streamInfo;
    words[w + (RECORD.receiveNanosOfMs >>> 2)] = receiveNanosOfMs;
    this.f64[(at + RECORD.receiveMs) >>> 3] = receiveMs;
  }
}
