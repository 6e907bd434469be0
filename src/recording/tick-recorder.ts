import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { allMarketData, type MessageBus, type Payload, type Unsubscribe } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';
import { type SymbolRegistry, validateTick, VENUES } from '../wire/index.ts';
import { writeIndexEntry } from './file-index.ts';
import { checkIndexRule, DEFAULT_INDEX_RULE, IndexBuilder, type IndexRule } from './index-builder.ts';
import {
  dayName,
  INDEX_ENTRY_BYTES,
  MAX_FILE_SEQUENCE,
  MS_PER_DAY,
  RECORD_BYTES,
  RECEIVE_TS_OFFSET,
} from './layout.ts';
import { listRecordingFiles, type RecordingFile, recordingFile } from './recording-files.ts';
import { repairLastFile } from './repair.ts';
import { type RecordedSymbol, symbolLine } from './symbol-sidecar.ts';
import { compareHalves, msOfHalves } from './time-halves.ts';

export interface TickRecorderOptions {
  /** Root directory of the recording; created if missing. */
  dir: string;
  /** Names the symbol ids the recorded ticks carry, for the symbol sidecar. */
  registry: SymbolRegistry;
  /** When given, `start()` subscribes to `pattern` on it and records every binary payload. */
  bus?: MessageBus;
  /** Bus pattern to record. Default `md.>`. */
  pattern?: string;
  /** A data file is closed and the next one started before it would pass this size. */
  maxFileBytes?: number;
  /** Size of one write buffer: a full buffer is written at once. */
  flushBytes?: number;
  /** A partly filled buffer is written after at most this long. */
  flushIntervalMs?: number;
  /** Bytes of ticks waiting for the disk beyond which new ticks are dropped (and counted). */
  maxPendingBytes?: number;
  /** When index entries are written (index-builder.ts). */
  index?: IndexRule;
  /** Check every tick with validateTick and skip (count) invalid ones. */
  validate?: boolean;
  /** Told about each failed write; the records of the failed buffer are counted as dropped. */
  onError?: (error: unknown) => void;
  /**
   * Awaited before every buffer is written. Tests hold it to stand for a disk that cannot keep up;
   * leave it unset otherwise.
   */
  writeGate?: () => Promise<void>;
}

export const RECORDER_DEFAULTS = {
  pattern: allMarketData() as string,
  maxFileBytes: 256 * 1024 * 1024,
  flushBytes: 1024 * 1024,
  flushIntervalMs: 200,
  maxPendingBytes: 64 * 1024 * 1024,
  index: DEFAULT_INDEX_RULE,
  validate: true,
} as const;

/** Written buffers kept for reuse rather than left to the garbage collector. */
const SPARE_BUFFERS = 4;

export interface RecorderStats {
  /** Records accepted into the write buffers. */
  records: number;
  /** Records written to disk. */
  recordsWritten: number;
  bytesWritten: number;
  /** Data files started by this recorder. */
  files: number;
  /** Records refused because `maxPendingBytes` were waiting for the disk, or lost in a failed write. */
  dropped: number;
  /** Records that failed validateTick, or named a venue this build does not know. */
  invalid: number;
  /** Bus payloads that were not binary ticks (JSON), not recorded. */
  ignoredPayloads: number;
  writeErrors: number;
  /** Bytes in write buffers now. */
  pendingBytes: number;
}

/** Where a buffer goes: a data file, whose number is picked when the writer first opens it. */
interface Target {
  readonly day: string;
  file: RecordingFile | undefined;
  failed: boolean;
}

interface Chunk {
  readonly target: Target;
  data: Uint8Array;
  length: number;
  records: number;
  /** Index entries as (floorHi, floorLo, record) triples. */
  readonly index: number[];
  symbolLines: string;
}

interface OpenFile {
  readonly target: Target;
  readonly data: FileHandle;
  readonly index: FileHandle;
  readonly symbols: FileHandle;
}

/**
 * Appends 64-byte ticks to a recording (docs/RECORDING.md): raw records in files rotated by UTC
 * day and by size, each with a seek index and a symbol sidecar, written incrementally.
 *
 * `append` is synchronous and never waits for the disk: it copies ticks into a write buffer, and
 * one writer loop writes full buffers (and, on a timer, partial ones) in order. Memory is
 * bounded: once `maxPendingBytes` wait for the disk, new ticks are dropped and counted rather
 * than queued. Every run starts a new data file, because a file's sidecar describes the ids of the
 * registry that wrote it; the last file of a previous run is repaired first (torn record cut,
 * index completed).
 */
export class TickRecorder {
  private readonly options: Required<Omit<TickRecorderOptions, 'bus' | 'onError' | 'writeGate'>> &
    TickRecorderOptions;
  private readonly queue: Chunk[] = [];
  private readonly spare: Uint8Array[] = [];
  private current: Chunk | undefined;
  private target: Target | undefined;
  private builder: IndexBuilder | undefined;
  private fileRecords = 0;
  private seen = new Uint8Array(0);
  private maxHi = 0;
  private maxLo = 0;
  private dayEndMs = -Infinity;
  private queuedBytes = 0;
  private writing: Promise<void> | undefined;
  private openFile: OpenFile | undefined;
  private lastDay = '';
  private lastSequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private started = false;
  private closed = false;
  private readonly counters = {
    records: 0,
    recordsWritten: 0,
    bytesWritten: 0,
    files: 0,
    dropped: 0,
    invalid: 0,
    ignoredPayloads: 0,
    writeErrors: 0,
  };

  constructor(options: TickRecorderOptions) {
    this.options = { ...RECORDER_DEFAULTS, ...options };
    const { maxFileBytes, flushBytes, flushIntervalMs, maxPendingBytes } = this.options;
    checkInteger('maxFileBytes', maxFileBytes, RECORD_BYTES);
    checkInteger('flushBytes', flushBytes, RECORD_BYTES);
    checkInteger('flushIntervalMs', flushIntervalMs, 1);
    checkInteger('maxPendingBytes', maxPendingBytes, 2 * flushBytes, 'twice flushBytes');
    checkIndexRule(this.options.index);
  }

  /** Repairs the last file of a previous run, then subscribes to the bus if one was given. */
  async start(): Promise<void> {
    if (this.closed) throw new TickwireError('RECORDING_CLOSED', 'start() after close()');
    if (this.started) return;
    this.started = true;
    await mkdir(this.options.dir, { recursive: true });
    await repairLastFile(this.options.dir, this.options.index);
    this.timer = setInterval(() => this.sealAndWrite(), this.options.flushIntervalMs);
    this.timer.unref();
    const { bus, pattern } = this.options;
    if (bus !== undefined) this.unsubscribe = bus.subscribe(pattern, this.onMessage);
  }

  /**
   * Appends whole 64-byte ticks (`bytes.length` must be a multiple of 64) and returns how many
   * were accepted; the rest were invalid or dropped (see stats). Never waits for the disk.
   */
  append(bytes: Uint8Array): number {
    if (this.closed) throw new TickwireError('RECORDING_CLOSED', 'append() after close()');
    if (!this.started) throw new TickwireError('RECORDING_CLOSED', 'append() before start()');
    if (bytes.length % RECORD_BYTES !== 0) {
      throw new TickwireError(
        'WIRE_BAD_LENGTH',
        `append() got ${bytes.length} bytes, not a whole number of ${RECORD_BYTES}-byte ticks`,
      );
    }
    let accepted = 0;
    for (let at = 0; at < bytes.length; at += RECORD_BYTES) {
      if (this.appendOne(bytes, at)) accepted++;
    }
    return accepted;
  }

  /** Writes everything buffered and waits for it. */
  async flush(): Promise<void> {
    this.sealAndWrite();
    while (this.writing !== undefined) await this.writing;
  }

  /** Stops recording, writes what is buffered, closes the files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.unsubscribe?.();
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    await this.closeOpenFile();
  }

  stats(): RecorderStats {
    return { ...this.counters, pendingBytes: this.queuedBytes + (this.current?.data.length ?? 0) };
  }

  private readonly onMessage = (payload: Payload): void => {
    if (payload instanceof Uint8Array && payload.length % RECORD_BYTES === 0) this.append(payload);
    else this.counters.ignoredPayloads++;
  };

  private appendOne(bytes: Uint8Array, at: number): boolean {
    const symbolId = bytes[at + 5]! | (bytes[at + 6]! << 8) | (bytes[at + 7]! << 16);
    const venue = VENUES[bytes[at + 4]! - 1];
    if (venue === undefined && symbolId >= this.options.registry.size) {
      this.counters.invalid++;
      return false;
    }
    if (this.options.validate) {
      try {
        validateTick(bytes, at);
      } catch {
        this.counters.invalid++;
        return false;
      }
    }
    const lo = u32(bytes, at + RECEIVE_TS_OFFSET);
    const hi = u32(bytes, at + RECEIVE_TS_OFFSET + 4);
    let day: string | undefined;
    if (compareHalves(hi, lo, this.maxHi, this.maxLo) > 0) {
      const ms = msOfHalves(hi, lo);
      if (ms >= this.dayEndMs) day = dayName(ms);
    }
    const rotate =
      day !== undefined ||
      this.target === undefined ||
      this.target.failed ||
      (this.fileRecords + 1) * RECORD_BYTES > this.options.maxFileBytes;
    let chunk = this.current;
    if (rotate || chunk === undefined || chunk.length === chunk.data.length) {
      if (!this.hasRoomForChunk()) {
        this.counters.dropped++;
        return false;
      }
      if (rotate) this.rotate(day ?? this.target?.day ?? dayName(msOfHalves(hi, lo)));
      chunk = this.newChunk();
    }
    if (compareHalves(hi, lo, this.maxHi, this.maxLo) > 0) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
    if (symbolId >= this.seen.length || this.seen[symbolId] === 0) {
      chunk.symbolLines += symbolLine(this.describe(symbolId, venue, bytes[at + 1]!));
      this.markSeen(symbolId);
    }
    this.builder!.add(hi, lo);
    chunk.data.set(bytes.subarray(at, at + RECORD_BYTES), chunk.length);
    chunk.length += RECORD_BYTES;
    chunk.records++;
    this.fileRecords++;
    this.counters.records++;
    return true;
  }

  private describe(symbolId: number, venue: string | undefined, scales: number): RecordedSymbol {
    const registry = this.options.registry;
    if (symbolId < registry.size) {
      const info = registry.info(symbolId);
      return { id: symbolId, venue: info.venue, symbol: info.symbol, ...scalesOf(info) };
    }
    // Unknown to the registry: keep the tick, with the scales it carries and no name.
    return {
      id: symbolId,
      venue: venue as RecordedSymbol['venue'],
      symbol: null,
      priceScale: scales & 0xf,
      sizeScale: scales >>> 4,
    };
  }

  private markSeen(symbolId: number): void {
    if (symbolId >= this.seen.length) {
      const grown = new Uint8Array(Math.max(symbolId + 1, this.seen.length * 2, 256));
      grown.set(this.seen);
      this.seen = grown;
    }
    this.seen[symbolId] = 1;
  }

  /** Starts a new data file (rotation by day, by size, or after a failed write). */
  private rotate(day: string): void {
    this.seal();
    this.target = { day, file: undefined, failed: false };
    this.dayEndMs = Date.parse(`${day}T00:00:00.000Z`) + MS_PER_DAY;
    this.fileRecords = 0;
    this.seen = new Uint8Array(this.seen.length);
    const chunkOf = (): Chunk => this.current!;
    this.builder = new IndexBuilder(this.options.index, (floorHi, floorLo, record) =>
      chunkOf().index.push(floorHi, floorLo, record),
    );
  }

  private hasRoomForChunk(): boolean {
    // The chunk being filled is sealed (and counted as queued) before a new one is made.
    const current = this.current?.length ?? 0;
    return this.queuedBytes + current + this.options.flushBytes <= this.options.maxPendingBytes;
  }

  private newChunk(): Chunk {
    this.seal();
    const data = this.spare.pop() ?? new Uint8Array(this.options.flushBytes);
    this.current = { target: this.target!, data, length: 0, records: 0, index: [], symbolLines: '' };
    return this.current;
  }

  /** Moves the chunk being filled (if it holds anything) to the write queue. */
  private seal(): void {
    const chunk = this.current;
    this.current = undefined;
    if (chunk === undefined) return;
    if (chunk.records === 0 && chunk.symbolLines === '') {
      this.recycle(chunk.data);
      return;
    }
    if (chunk.length < chunk.data.length / 2) {
      // A timer flush of a mostly empty buffer: keep only what it holds, reuse the big buffer.
      this.recycle(chunk.data);
      chunk.data = chunk.data.slice(0, chunk.length);
    }
    this.queuedBytes += chunk.data.length;
    this.queue.push(chunk);
  }

  private recycle(buffer: Uint8Array): void {
    if (buffer.length === this.options.flushBytes && this.spare.length < SPARE_BUFFERS) {
      this.spare.push(buffer);
    }
  }

  private sealAndWrite(): void {
    this.seal();
    this.writing ??= this.writeQueue().finally(() => {
      this.writing = undefined;
      if (this.queue.length > 0) this.sealAndWrite();
    });
  }

  private async writeQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const chunk = this.queue[0]!;
      try {
        await this.options.writeGate?.();
        if (chunk.target.failed) throw new Error('an earlier write to this file failed');
        const file = await this.fileFor(chunk.target);
        if (chunk.symbolLines !== '') await file.symbols.write(chunk.symbolLines);
        await writeAll(file.data, chunk.data.subarray(0, chunk.length));
        if (chunk.index.length > 0) await writeAll(file.index, indexBytes(chunk.index));
        this.counters.recordsWritten += chunk.records;
        this.counters.bytesWritten += chunk.length;
      } catch (error) {
        // A half-written record would misalign every later one: abandon the file, start another.
        chunk.target.failed = true;
        this.counters.writeErrors++;
        this.counters.dropped += chunk.records;
        await this.closeOpenFile().catch(() => undefined);
        this.options.onError?.(error);
      }
      this.queue.shift();
      this.queuedBytes -= chunk.data.length;
      this.recycle(chunk.data);
    }
  }

  private async fileFor(target: Target): Promise<OpenFile> {
    if (this.openFile?.target === target) return this.openFile;
    await this.closeOpenFile();
    const dayDir = join(this.options.dir, target.day);
    await mkdir(dayDir, { recursive: true });
    if (target.day !== this.lastDay) {
      const existing = (await listRecordingFiles(this.options.dir)).filter((f) => f.day === target.day);
      this.lastDay = target.day;
      this.lastSequence = existing.at(-1)?.sequence ?? 0;
    }
    const sequence = ++this.lastSequence;
    if (sequence > MAX_FILE_SEQUENCE) {
      throw new TickwireError(
        'BAD_CONFIG',
        `day ${target.day} already has ${MAX_FILE_SEQUENCE} files; raise maxFileBytes`,
      );
    }
    target.file = recordingFile(this.options.dir, target.day, sequence);
    // 'wx': a new file each time; never append to a file another run wrote.
    const data = await open(target.file.dataPath, 'wx');
    const index = await open(target.file.indexPath, 'w');
    const symbols = await open(target.file.symbolsPath, 'w');
    this.openFile = { target, data, index, symbols };
    this.counters.files++;
    return this.openFile;
  }

  private async closeOpenFile(): Promise<void> {
    const file = this.openFile;
    this.openFile = undefined;
    if (file === undefined) return;
    await Promise.all([file.data.close(), file.index.close(), file.symbols.close()]);
  }
}

function scalesOf(info: { priceScale: number; sizeScale: number }) {
  return { priceScale: info.priceScale, sizeScale: info.sizeScale };
}

function u32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function indexBytes(triples: readonly number[]): Uint8Array {
  const count = triples.length / 3;
  const bytes = new Uint8Array(count * INDEX_ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) {
    writeIndexEntry(view, i * INDEX_ENTRY_BYTES, {
      floorHi: triples[i * 3]!,
      floorLo: triples[i * 3 + 1]!,
      record: triples[i * 3 + 2]!,
    });
  }
  return bytes;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written);
    written += result.bytesWritten;
  }
}

function checkInteger(name: string, value: number, min: number, minText = String(min)): void {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `recorder option ${name} is ${value}; it must be an integer >= ${minText}`,
    );
  }
}
