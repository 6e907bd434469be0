import { DataFileReader, DEFAULT_CHUNK_RECORDS } from './data-file.ts';
import { loadIndex, type TickIndex } from './file-index.ts';
import { dayName } from './layout.ts';
import { listRecordingFiles, type RecordingFile } from './recording-files.ts';
import { type RecordedSymbols, readSymbolSidecar } from './symbol-sidecar.ts';
import { compareHalves, halvesOfNs, msOfHalves, TIME_MAX, type TimeHalves } from './time-halves.ts';

export interface ReadOptions {
  /** Start at the first record (in file order) whose receive time is at or after this, in ns. */
  from?: bigint;
  /** Stop before the first record (in file order) whose receive time is after this, in ns. */
  to?: bigint;
  /** Records per read; the reader holds one buffer of this many records. */
  chunkRecords?: number;
  /** Told about each file as it is opened, with how its index was obtained. */
  onFile?: (file: RecordingFile, info: { records: number; tornBytes: number; index: string }) => void;
}

/**
 * Whole records, in file order, from one data file. `bytes` is a view of the reader's buffer and
 * is valid only until the iteration continues: wrap ticks over it (`tick.wrap(bytes, i * 64)`)
 * or copy what you keep.
 */
export interface RecordChunk {
  readonly file: RecordingFile;
  /** The file's symbol sidecar: recorded id -> venue, name and scales. */
  readonly symbols: RecordedSymbols;
  readonly bytes: Uint8Array;
  readonly count: number;
  /** Record number (within the file) of the chunk's first record. */
  readonly firstRecord: number;
}

/**
 * Iterates a recording from `from` to `to` in time order: files in name order (day, then number),
 * records in file order. Records are in arrival order and their receive times may step back a
 * little, so the range is defined on file order: iteration starts at the first record whose time
 * is at or after `from` and ends before the first later record whose time is after `to`; records
 * in between are all delivered, even one stamped a little before `from`.
 *
 * Day directories before `from`'s UTC day are skipped unopened; in the first file that can hold
 * `from`, the index gives the record to start scanning from (a binary search and a short scan).
 */
export async function* readRecording(
  dir: string,
  options: ReadOptions = {},
): AsyncGenerator<RecordChunk, void, undefined> {
  const from = options.from === undefined ? undefined : halvesOfNs(options.from, 'from');
  const to = options.to === undefined ? TIME_MAX : halvesOfNs(options.to, 'to');
  const fromDay = from === undefined ? '' : dayName(msOfHalves(from.hi, from.lo));
  let started = from === undefined;
  for (const file of await listRecordingFiles(dir)) {
    // A file's day is the day of the highest receive time up to its records, so a file in an
    // earlier day directory holds only records before `from`.
    if (file.day < fromDay) continue;
    const data = await DataFileReader.open(file.dataPath, options.chunkRecords ?? DEFAULT_CHUNK_RECORDS);
    try {
      let record = 0;
      if (!started) {
        const { index, source } = await loadIndex(file, data);
        options.onFile?.(file, { records: data.records, tornBytes: data.tornBytes, index: source });
        const found = await scanForward(data, index, from!);
        if (found === data.records) continue;
        record = found;
        started = true;
      } else {
        options.onFile?.(file, { records: data.records, tornBytes: data.tornBytes, index: 'unused' });
      }
      const symbols = await readSymbolSidecar(file.symbolsPath);
      while (record < data.records) {
        const bytes = await data.read(record);
        let count = bytes.length / 64;
        if (count === 0) break;
        const end = firstAfter(data, count, to);
        const done = end < count;
        count = end;
        if (count > 0) {
          yield { file, symbols, bytes: bytes.subarray(0, count * 64), count, firstRecord: record };
        }
        if (done) return;
        record += count;
      }
    } finally {
      await data.close();
    }
  }
}

/** Number of the first record at or after `time` in one file (data.records when there is none). */
export async function seekRecord(file: RecordingFile, time: bigint): Promise<number> {
  const data = await DataFileReader.open(file.dataPath);
  try {
    const { index } = await loadIndex(file, data);
    return await scanForward(data, index, halvesOfNs(time, 'time'));
  } finally {
    await data.close();
  }
}

async function scanForward(data: DataFileReader, index: TickIndex, time: TimeHalves): Promise<number> {
  let record = index.startFor(time.hi, time.lo);
  while (record < data.records) {
    const count = (await data.read(record)).length / 64;
    if (count === 0) break;
    for (let i = 0; i < count; i++) {
      if (compareHalves(data.receiveHi(i), data.receiveLo(i), time.hi, time.lo) >= 0) return record + i;
    }
    record += count;
  }
  return data.records;
}

/** Index within the last chunk read of its first record after `to`, or `count`. */
function firstAfter(data: DataFileReader, count: number, to: TimeHalves): number {
  if (to === TIME_MAX) return count;
  for (let i = 0; i < count; i++) {
    if (compareHalves(data.receiveHi(i), data.receiveLo(i), to.hi, to.lo) > 0) return i;
  }
  return count;
}
