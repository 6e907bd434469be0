import { type FileHandle, open } from 'node:fs/promises';
import { RECORD_BYTES } from './layout.ts';

/** Records read per chunk by default: 16,384 x 64 bytes = 1 MiB. */
export const DEFAULT_CHUNK_RECORDS = 16_384;

const WORDS_PER_RECORD = RECORD_BYTES / 4;
const RECEIVE_LO_WORD = 6;
const RECEIVE_HI_WORD = 7;

/**
 * Reads one data file in chunks of whole records into one buffer of its own, reused for every
 * chunk: nothing is allocated per record, and a returned chunk is valid until the next read.
 * The record count is fixed when the file is opened; a torn last record (a length that is not a
 * multiple of 64, left by a crash mid-append) is not counted and never read.
 */
export class DataFileReader {
  private readonly buffer: Uint8Array;
  private readonly words: Uint32Array;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    /** Whole records in the file when it was opened. */
    readonly records: number,
    /** Bytes of a torn last record (0..63). */
    readonly tornBytes: number,
    chunkRecords: number,
  ) {
    // A fresh ArrayBuffer starts 8-aligned, as Tick's and this class's Uint32Array views need.
    this.buffer = new Uint8Array(chunkRecords * RECORD_BYTES);
    this.words = new Uint32Array(this.buffer.buffer);
  }

  static async open(path: string, chunkRecords = DEFAULT_CHUNK_RECORDS): Promise<DataFileReader> {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      return new DataFileReader(
        handle,
        path,
        Math.floor(size / RECORD_BYTES),
        size % RECORD_BYTES,
        chunkRecords,
      );
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Records per chunk. */
  get chunkRecords(): number {
    return this.buffer.length / RECORD_BYTES;
  }

  /**
   * Reads up to one chunk of records from `fromRecord` and returns them (a view of the shared
   * buffer, starting at its byte 0); empty at the end of the file.
   */
  async read(fromRecord: number): Promise<Uint8Array> {
    const count = Math.max(0, Math.min(this.chunkRecords, this.records - fromRecord));
    const length = count * RECORD_BYTES;
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(
        this.buffer,
        filled,
        length - filled,
        fromRecord * RECORD_BYTES + filled,
      );
      // The file shrank under us (truncated by someone else): return what was read.
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return this.buffer.subarray(0, filled - (filled % RECORD_BYTES));
  }

  /** Receive time (hi half) of record `index` of the last chunk read. */
  receiveHi(index: number): number {
    return this.words[index * WORDS_PER_RECORD + RECEIVE_HI_WORD]!;
  }

  /** Receive time (lo half) of record `index` of the last chunk read. */
  receiveLo(index: number): number {
    return this.words[index * WORDS_PER_RECORD + RECEIVE_LO_WORD]!;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
