import { readFile, rename, writeFile } from 'node:fs/promises';
import { DataFileReader } from './data-file.ts';
import { DEFAULT_INDEX_RULE, IndexBuilder, type IndexRule } from './index-builder.ts';
import { INDEX_ENTRY_BYTES } from './layout.ts';
import type { RecordingFile } from './recording-files.ts';
import { compareHalves } from './time-halves.ts';

/**
 * The seek index of one data file, in memory: entries (floor, record) sorted by both (see
 * index-builder.ts for the rule and what a floor promises). On disk each entry is 16 bytes: u64 LE
 * floor time in ns, then u64 LE record number.
 */
export class TickIndex {
  private readonly floorsHi: number[] = [];
  private readonly floorsLo: number[] = [];
  private readonly recordNumbers: number[] = [];

  get length(): number {
    return this.recordNumbers.length;
  }

  /** Appends an entry; entries must come in record order (the builder's order). */
  add(floorHi: number, floorLo: number, record: number): void {
    this.floorsHi.push(floorHi);
    this.floorsLo.push(floorLo);
    this.recordNumbers.push(record);
  }

  entry(i: number): { floorHi: number; floorLo: number; record: number } {
    return { floorHi: this.floorsHi[i]!, floorLo: this.floorsLo[i]!, record: this.recordNumbers[i]! };
  }

  /**
   * The record to start scanning from for the first record at or after (hi, lo): the record of
   * the last entry whose floor is before the time (every record before it is earlier), or 0.
   * A binary search; the scan that follows is short because the next entry's floor is not
   * before the time.
   */
  startFor(hi: number, lo: number): number {
    let low = 0;
    let high = this.recordNumbers.length - 1;
    let found = 0;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      if (compareHalves(this.floorsHi[mid]!, this.floorsLo[mid]!, hi, lo) < 0) {
        found = this.recordNumbers[mid]!;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  toBytes(): Uint8Array {
    const bytes = new Uint8Array(this.length * INDEX_ENTRY_BYTES);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < this.length; i++) writeIndexEntry(view, i * INDEX_ENTRY_BYTES, this.entry(i));
    return bytes;
  }

  /**
   * Reads on-disk entries: whole entries only (a torn last entry is dropped), and only while they
   * are consistent (the first at record 0, records increasing and below `records`, floors not
   * decreasing). Anything after the first inconsistency is dropped and rebuilt from the data.
   */
  static parse(bytes: Uint8Array, records: number): TickIndex {
    const index = new TickIndex();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const whole = Math.floor(bytes.length / INDEX_ENTRY_BYTES);
    for (let i = 0; i < whole; i++) {
      const at = i * INDEX_ENTRY_BYTES;
      const floorLo = view.getUint32(at, true);
      const floorHi = view.getUint32(at + 4, true);
      const record = view.getUint32(at + 8, true) + view.getUint32(at + 12, true) * 2 ** 32;
      const last = index.length - 1;
      const consistent =
        last < 0
          ? record === 0 && floorHi === 0 && floorLo === 0
          : record > index.recordNumbers[last]! &&
            compareHalves(floorHi, floorLo, index.floorsHi[last]!, index.floorsLo[last]!) >= 0;
      if (!consistent || record >= records) break;
      index.add(floorHi, floorLo, record);
    }
    return index;
  }
}

export function writeIndexEntry(
  view: DataView,
  at: number,
  entry: { floorHi: number; floorLo: number; record: number },
): void {
  view.setUint32(at, entry.floorLo, true);
  view.setUint32(at + 4, entry.floorHi, true);
  view.setUint32(at + 8, entry.record >>> 0, true);
  view.setUint32(at + 12, Math.floor(entry.record / 2 ** 32), true);
}

/** How an index was obtained: read whole from disk, read and completed from the data, or rebuilt. */
export type IndexSource = 'file' | 'extended' | 'rebuilt';

/**
 * The complete index of a data file: the on-disk index, extended by applying the index rule to
 * the records after its last entry (an index written incrementally lags its data, or was cut short
 * by a crash), or rebuilt from the data when the index file is missing or unusable.
 */
export async function loadIndex(
  file: RecordingFile,
  data: DataFileReader,
  rule: IndexRule = DEFAULT_INDEX_RULE,
): Promise<{ index: TickIndex; source: IndexSource; entriesOnDisk: number }> {
  let index: TickIndex;
  try {
    index = TickIndex.parse(await readFile(file.indexPath), data.records);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    index = new TickIndex();
  }
  const entriesOnDisk = index.length;
  const builder = new IndexBuilder(rule, (hi, lo, record) => index.add(hi, lo, record));
  let from = 0;
  if (index.length > 0) {
    const last = index.entry(index.length - 1);
    builder.resume(last.floorHi, last.floorLo, last.record);
    from = last.record;
  }
  for (let record = from; record < data.records;) {
    const chunk = await data.read(record);
    const count = chunk.length / 64;
    if (count === 0) break;
    for (let i = 0; i < count; i++) builder.add(data.receiveHi(i), data.receiveLo(i));
    record += count;
  }
  const source: IndexSource =
    entriesOnDisk === 0 && data.records > 0 ? 'rebuilt' : index.length > entriesOnDisk ? 'extended' : 'file';
  return { index, source, entriesOnDisk };
}

/**
 * Rewrites a file's index from its data (write to a temporary name, then rename, so a reader
 * never sees half of it). Only for a file nobody is appending to: the recorder calls it on the
 * last file of a previous run before it starts a new one.
 */
export async function repairIndexFile(
  file: RecordingFile,
  rule: IndexRule = DEFAULT_INDEX_RULE,
): Promise<IndexSource> {
  const data = await DataFileReader.open(file.dataPath);
  try {
    const { index, source } = await loadIndex(file, data, rule);
    if (source !== 'file') {
      const temporary = `${file.indexPath}.tmp`;
      await writeFile(temporary, index.toBytes());
      await rename(temporary, file.indexPath);
    }
    return source;
  } finally {
    await data.close();
  }
}
