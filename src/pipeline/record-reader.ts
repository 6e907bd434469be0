import { TickwireError } from '../errors.ts';
import type { SlotHandler } from '../shm/index.ts';
import type { FrameNormalizer } from './normalizer.ts';
import {
  CONFIG_STREAM,
  RECORD,
  RECORD_CODE,
  RECORD_HEADER_BYTES,
  RECORD_MARK,
  RECORD_MORE,
  emptyRecordMeta,
  type RecordMeta,
  TICK_MARK,
} from './record-layout.ts';

const decoder = new TextDecoder();

/**
 * The worker's side of record-layout.ts: a slot handler for RingConsumer.poll that passes ticks to
 * `onTick` and records to the normalizer. A record's slots are published together and never wrap,
 * so its header slot is handled with the whole record in place (the slots after it are still
 * unread, hence not reusable by the producer) and the handler then skips its other slots, in this
 * poll or the next. Records sent in parts are joined in a buffer of the worker's own.
 */
export class RecordReader {
  readonly meta: RecordMeta = emptyRecordMeta();
  /** Frames, snapshots and control records delivered to the normalizer. */
  records = 0;
  /** Records that reached a worker without a normalizer (nothing to do with them). */
  unhandled = 0;
  private skip = 0;
  private joined = new Uint8Array(0);
  private joinedLength = 0;
  private words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private f64: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private bytesSeen: Uint8Array | undefined;

  constructor(
    private readonly onTick: SlotHandler,
    private readonly normalizer: FrameNormalizer | undefined,
  ) {}

  readonly handle: SlotHandler = (bytes, offset) => {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    const mark = bytes[offset]!;
    if ((mark & 0xf0) === TICK_MARK) {
      this.onTick(bytes, offset);
      return;
    }
    if ((mark & 0xf0) !== RECORD_MARK) {
      throw new TickwireError(
        'PIPELINE_BAD_RECORD',
        `input slot at byte ${offset} starts with 0x${mark.toString(16)}: neither a tick nor a record`,
      );
    }
    if (bytes !== this.bytesSeen) this.attach(bytes);
    const w = offset >>> 2;
    const words = this.words;
    this.skip = words[w + (RECORD.slots >>> 2)]! - 1;
    const code = mark & 0x0f;
    if (code === RECORD_CODE.skip) return;
    const length = words[w + (RECORD.length >>> 2)]!;
    const meta = this.meta;
    meta.symbolId = words[w + (RECORD.symbolId >>> 2)]!;
    meta.source = words[w + (RECORD.source >>> 2)]!;
    meta.stream = words[w + (RECORD.stream >>> 2)]!;
    meta.streamInfo = words[w + (RECORD.streamInfo >>> 2)]!;
    meta.receiveNanosOfMs = words[w + (RECORD.receiveNanosOfMs >>> 2)]!;
    meta.receiveMs = this.f64[(offset + RECORD.receiveMs) >>> 3]!;
    const start = offset + RECORD_HEADER_BYTES;
    if ((bytes[offset + RECORD.flags]! & RECORD_MORE) !== 0) {
      this.append(bytes, start, length);
      return;
    }
    if (this.joinedLength > 0) {
      this.append(bytes, start, length);
      const total = this.joinedLength;
      this.joinedLength = 0;
      this.deliver(code, this.joined, 0, total);
      return;
    }
    this.deliver(code, bytes, start, length);
  };

  private deliver(code: number, bytes: Uint8Array, start: number, length: number): void {
    const normalizer = this.normalizer;
    if (normalizer === undefined) {
      this.unhandled++;
      return;
    }
    this.records++;
    if (code === RECORD_CODE.frame) normalizer.frame(bytes, start, length, this.meta);
    else if (code === RECORD_CODE.snapshot) normalizer.snapshot(bytes, start, length, this.meta);
    else if (code === RECORD_CODE.control) {
      if (this.meta.stream === CONFIG_STREAM) {
        normalizer.configure(JSON.parse(decoder.decode(bytes.subarray(start, start + length))) as unknown);
      } else {
        normalizer.control(bytes, start, length);
      }
    } else {
      throw new TickwireError('PIPELINE_BAD_RECORD', `record type code ${code} is not known`);
    }
  }

  private append(bytes: Uint8Array, start: number, length: number): void {
    const needed = this.joinedLength + length;
    if (needed > this.joined.length) {
      const grown = new Uint8Array(Math.max(needed, this.joined.length * 2, 4_096));
      grown.set(this.joined.subarray(0, this.joinedLength));
      this.joined = grown;
    }
    this.joined.set(bytes.subarray(start, start + length), this.joinedLength);
    this.joinedLength = needed;
  }

  private attach(bytes: Uint8Array): void {
    this.bytesSeen = bytes;
    this.words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    this.f64 = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 3);
  }
}
