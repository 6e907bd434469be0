import { setTimeout as sleep } from 'node:timers/promises';
import { TickwireError } from '../errors.ts';
import { readClock, type SymbolRegistry } from '../wire/index.ts';
import { RECORD_BYTES } from './layout.ts';
import { type RecordChunk, readRecording } from './recording-reader.ts';
import type { RecordedSymbols } from './symbol-sidecar.ts';
import { compareHalves, halvesOfMs, nanosBetween, nsOfHalves } from './time-halves.ts';

export interface ReplaySourceOptions {
  dir: string;
  /** Receive time (ns) to start at; see readRecording for how the range is applied. */
  from?: bigint;
  to?: bigint;
  /** Multiple of real time; 0 or Infinity replays as fast as possible. */
  speed: number;
  /** The target registry: recorded symbols are registered in it and ticks carry its ids. */
  registry: SymbolRegistry;
  /** Aborting ends the iteration at the next batch or wait. */
  signal?: AbortSignal;
  /** Most ticks in one batch. */
  batchTicks?: number;
  /** Records per file read. */
  chunkRecords?: number;
  /** The clock receive times are restamped with (tests pin it); default the wall clock. */
  now?: () => { ms: number; nanosOfMs: number };
}

export const REPLAY_DEFAULTS = { batchTicks: 1_024, chunkRecords: 16_384 } as const;

/**
 * Ticks ready to emit, with target symbol ids and restamped receive times. `bytes` is a view of
 * the source's own buffer, valid until the iteration continues.
 */
export interface ReplayBatch {
  readonly bytes: Uint8Array;
  readonly count: number;
}

/** Running totals of a replay source; the object is updated in place as the source advances. */
export interface ReplayCounters {
  /** Records read from the recording. */
  read: number;
  /** Ticks handed out in batches. */
  emitted: number;
  /** Records skipped because their symbol has no name in the file's sidecar. */
  unmapped: number;
  files: number;
  /** Highest recorded receive time handed out so far, in ns (undefined before the first). */
  recordedTimeNs: bigint | undefined;
}

/** Ticks whose recorded time is at most this far ahead of now go into the batch being built. */
const GRANULARITY_MS = 1;
const TICK_WORDS = RECORD_BYTES / 4;

/**
 * A recording as a paced stream of tick batches: the seam a pipeline, a bus publisher or an
 * exchange simulator's market-event source plugs into (`for await (const batch of source)`).
 *
 * Pacing follows the recorded **receive** time (the order the file is in): a record whose
 * receive time is d ns after the first one's is emitted d / speed ns after the replay started.
 * Receive times that step back are paced by the highest time seen so far, so order is never
 * changed. Ticks due within the same millisecond leave together in one batch, and the source
 * sleeps with one timer until the next batch is due: one timer per batch, never per tick.
 *
 * Each tick's symbol id (and venue byte) is rewritten to the target registry's id for the
 * recorded venue and name, registering the symbol with its recorded scales if it is new; its
 * receive time is restamped with the clock at the moment its batch is handed out (one reading per
 * batch); its exchange time and every other byte are kept as recorded.
 */
export async function* replaySource(
  options: ReplaySourceOptions,
  counters: ReplayCounters = newReplayCounters(),
): AsyncGenerator<ReplayBatch, void, undefined> {
  const { speed, registry, signal } = options;
  if (!(typeof speed === 'number' && speed >= 0)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `replay speed is ${speed}; it must be a number >= 0 (0 = as fast as possible)`,
    );
  }
  const batchTicks = options.batchTicks ?? REPLAY_DEFAULTS.batchTicks;
  if (!(Number.isInteger(batchTicks) && batchTicks >= 1)) {
    throw new TickwireError('BAD_CONFIG', `replay batchTicks is ${batchTicks}; it must be an integer >= 1`);
  }
  const paced = speed > 0 && Number.isFinite(speed);
  const now = options.now ?? readClock;
  const out = new Uint8Array(batchTicks * RECORD_BYTES);
  const outWords = new Uint32Array(out.buffer);
  let outCount = 0;
  let symbols: RecordedSymbols | undefined;
  let remap: Uint32Array = new Uint32Array(0);
  let baseHi = 0;
  let baseLo = 0;
  let maxHi = 0;
  let maxLo = 0;
  let started = false;
  let wallStart = 0;

  const finishBatch = (): ReplayBatch => {
    const stamp = now();
    const { hi, lo } = halvesOfMs(stamp.ms, stamp.nanosOfMs);
    for (let w = 0; w < outCount * TICK_WORDS; w += TICK_WORDS) {
      outWords[w + 6] = lo;
      outWords[w + 7] = hi;
    }
    counters.emitted += outCount;
    counters.recordedTimeNs = nsOfHalves(maxHi, maxLo);
    const batch = { bytes: out.subarray(0, outCount * RECORD_BYTES), count: outCount };
    outCount = 0;
    return batch;
  };

  const chunks = readRecording(options.dir, {
    from: options.from,
    to: options.to,
    chunkRecords: options.chunkRecords ?? REPLAY_DEFAULTS.chunkRecords,
    onFile: () => counters.files++,
  });
  for await (const chunk of chunks) {
    if (signal?.aborted) return;
    if (chunk.symbols !== symbols) {
      symbols = chunk.symbols;
      remap = remapTable(chunk, registry);
    }
    const words = new Uint32Array(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.count * TICK_WORDS);
    for (let r = 0; r < chunk.count; r++) {
      const w = r * TICK_WORDS;
      counters.read++;
      const recordedId = words[w + 1]! >>> 8;
      const word1 = recordedId < remap.length ? remap[recordedId]! : 0;
      if (word1 === 0) {
        counters.unmapped++;
        continue;
      }
      const hi = words[w + 7]!;
      const lo = words[w + 6]!;
      if (!started) {
        started = true;
        baseHi = maxHi = hi;
        baseLo = maxLo = lo;
        wallStart = performance.now();
      } else if (compareHalves(hi, lo, maxHi, maxLo) > 0) {
        maxHi = hi;
        maxLo = lo;
      }
      if (paced) {
        const due = wallStart + nanosBetween(baseHi, baseLo, maxHi, maxLo) / 1e6 / speed;
        const wait = due - performance.now();
        if (wait > GRANULARITY_MS) {
          if (outCount > 0) yield finishBatch();
          if (!(await pause(wait, signal))) return;
        }
      }
      const o = outCount * TICK_WORDS;
      for (let i = 0; i < TICK_WORDS; i++) outWords[o + i] = words[w + i]!;
      outWords[o + 1] = word1;
      outCount++;
      if (outCount === batchTicks) {
        yield finishBatch();
        if (signal?.aborted) return;
      }
    }
  }
  if (outCount > 0 && !signal?.aborted) yield finishBatch();
}

export function newReplayCounters(): ReplayCounters {
  return { read: 0, emitted: 0, unmapped: 0, files: 0, recordedTimeNs: undefined };
}

/**
 * Recorded id -> the tick's new venue/symbol word (venueId | targetId << 8), 0 for an id without a
 * name. A venue id is never 0, so 0 cannot be a real word.
 */
function remapTable(chunk: RecordChunk, registry: SymbolRegistry): Uint32Array {
  let size = 0;
  for (const id of chunk.symbols.keys()) size = Math.max(size, id + 1);
  const table = new Uint32Array(size);
  for (const entry of chunk.symbols.values()) {
    if (entry.symbol === null) continue;
    const id = registry.register(entry.venue, entry.symbol, entry);
    table[entry.id] = (registry.info(id).venueId | (id << 8)) >>> 0;
  }
  return table;
}

/** Waits `ms`; false when aborted first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal === undefined ? undefined : { signal });
    return true;
  } catch (error) {
    if ((error as Error).name === 'AbortError') return false;
    throw error;
  }
}
