import { TickwireError } from '../../errors.ts';
import { listRecordingFiles, readRecording, readSymbolSidecar } from '../../recording/index.ts';
import { QUOTE, SymbolRegistry, Tick, TICK_BYTES, TRADE, type Venue } from '../../wire/index.ts';
import type { SimulatedSymbol } from './universe.ts';
import { MAX_EXCHANGE_SYMBOLS } from '../options.ts';

/** The instruments of a recording, as the exchange simulator lists them. */
export interface RecordedUniverse {
  /** By name (stable whatever the recording's own ids); index i is id i in `registry`. */
  readonly symbols: readonly SimulatedSymbol[];
  readonly venues: readonly Venue[];
  /**
   * The registry the replay rewrites ticks into: the listed symbols are registered first, in
   * list order, so a replayed tick's symbol id is its index; other ids are symbols not listed.
   */
  readonly registry: SymbolRegistry;
  /** Per symbol, 4 values from index 4i: bid, bid size, ask, ask size of its first top of book. */
  readonly firstTouch: Float64Array;
}

export interface UniverseScope {
  dir: string;
  from: bigint | undefined;
  to: bigint | undefined;
  /** Only this venue's symbols; needed when one name is recorded on several venues. */
  venue: Venue | undefined;
  /** Records read ahead, at most, looking for each symbol's first quote. */
  readAheadRecords: number;
}

/**
 * Lists a recording's symbols from its sidecars and reads ahead for each one's first top of book
 * (its first quote; failing that, one tick around its first trade), so the simulator can list
 * the symbols and seed their books before the replay starts.
 */
export async function loadRecordedUniverse(scope: UniverseScope): Promise<RecordedUniverse> {
  const entries = await recordedSymbols(scope);
  const registry = new SymbolRegistry();
  for (const entry of entries) registry.register(entry.venue, entry.symbol, entry);
  const firstTouch = await readFirstTouches(scope, registry, entries.length);
  const symbols = entries.map((entry, index): SimulatedSymbol => {
    const mid = (firstTouch[index * 4]! + firstTouch[index * 4 + 2]!) / 2 / 10 ** entry.priceScale;
    return {
      symbol: entry.symbol,
      price: mid > 0 ? mid : 1,
      priceScale: entry.priceScale,
      sizeScale: entry.sizeScale,
    };
  });
  return { symbols, venues: entries.map((entry) => entry.venue), registry, firstTouch };
}

interface NamedEntry {
  venue: Venue;
  symbol: string;
  priceScale: number;
  sizeScale: number;
}

/** The named symbols of every data file that can hold ticks of the range, sorted by name. */
async function recordedSymbols(scope: UniverseScope): Promise<NamedEntry[]> {
  const files = await listRecordingFiles(scope.dir);
  if (files.length === 0) {
    throw new TickwireError(
      'BAD_CONFIG',
      `replay dir ${JSON.stringify(scope.dir)} holds no recording (no YYYY-MM-DD/ticks-NNNNNN.tw files)`,
    );
  }
  // A file in a day before `from`'s holds only earlier ticks (docs/RECORDING.md, "Rotation").
  const fromDay =
    scope.from === undefined ? '' : new Date(Number(scope.from / 1_000_000n)).toISOString().slice(0, 10);
  const byKey = new Map<string, NamedEntry>();
  for (const file of files) {
    if (file.day < fromDay) continue;
    for (const entry of (await readSymbolSidecar(file.symbolsPath)).values()) {
      if (entry.symbol === null) continue;
      if (scope.venue !== undefined && entry.venue !== scope.venue) continue;
      const key = `${entry.venue}:${entry.symbol}`;
      const known = byKey.get(key);
      if (
        known !== undefined &&
        (known.priceScale !== entry.priceScale || known.sizeScale !== entry.sizeScale)
      ) {
        throw new TickwireError(
          'BAD_CONFIG',
          `recording ${JSON.stringify(scope.dir)} has ${key} with priceScale ${known.priceScale}, ` +
            `sizeScale ${known.sizeScale} and, in ${file.symbolsPath}, ${entry.priceScale}, ${entry.sizeScale}`,
        );
      }
      byKey.set(key, { venue: entry.venue, symbol: entry.symbol, ...scalesOf(entry) });
    }
  }
  const entries = [...byKey.values()].sort(
    (a, b) => compare(a.symbol, b.symbol) || compare(a.venue, b.venue),
  );
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.symbol === entries[i - 1]!.symbol) {
      throw new TickwireError(
        'BAD_CONFIG',
        `recording ${JSON.stringify(scope.dir)} has ${entries[i]!.symbol} on venues ${entries[i - 1]!.venue} ` +
          `and ${entries[i]!.venue}; the simulator lists one symbol per name, so choose one with the venue option (--venue)`,
      );
    }
  }
  if (entries.length === 0) {
    throw new TickwireError(
      'BAD_CONFIG',
      `recording ${JSON.stringify(scope.dir)} has no named symbols${scope.venue === undefined ? '' : ` on venue ${scope.venue}`}`,
    );
  }
  if (entries.length > MAX_EXCHANGE_SYMBOLS) {
    throw new TickwireError(
      'BAD_CONFIG',
      `recording ${JSON.stringify(scope.dir)} has ${entries.length} symbols; the simulator lists at most ${MAX_EXCHANGE_SYMBOLS}`,
    );
  }
  return entries;
}

function scalesOf(entry: { priceScale: number; sizeScale: number }): {
  priceScale: number;
  sizeScale: number;
} {
  return { priceScale: entry.priceScale, sizeScale: entry.sizeScale };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads the range until every symbol has a quote or `readAheadRecords` records have passed. */
async function readFirstTouches(
  scope: UniverseScope,
  registry: SymbolRegistry,
  count: number,
): Promise<Float64Array> {
  const touches = new Float64Array(count * 4);
  const quoted = new Uint8Array(count);
  const traded = new Uint8Array(count);
  let missing = count;
  let budget = scope.readAheadRecords;
  const tick = new Tick();
  let symbols: unknown;
  let remap = new Int32Array(0);
  for await (const chunk of readRecording(scope.dir, { from: scope.from, to: scope.to })) {
    if (missing === 0 || budget <= 0) break;
    if (chunk.symbols !== symbols) {
      symbols = chunk.symbols;
      let size = 0;
      for (const id of chunk.symbols.keys()) size = Math.max(size, id + 1);
      remap = new Int32Array(size).fill(-1);
      for (const entry of chunk.symbols.values()) {
        const id = entry.symbol === null ? undefined : registry.idOf(entry.venue, entry.symbol);
        if (id !== undefined && id < count) remap[entry.id] = id;
      }
    }
    const records = Math.min(chunk.count, budget);
    budget -= records;
    for (let r = 0; r < records && missing > 0; r++) {
      tick.wrap(chunk.bytes, r * TICK_BYTES);
      const index = tick.symbolId < remap.length ? remap[tick.symbolId]! : -1;
      if (index < 0 || quoted[index] === 1) continue;
      const info = registry.info(index);
      if (tick.priceScale !== info.priceScale || tick.sizeScale !== info.sizeScale) continue;
      const at = index * 4;
      if (tick.type === QUOTE && tick.bidPrice >= 0 && tick.askPrice >= 0) {
        touches[at] = tick.bidPrice;
        touches[at + 1] = tick.bidSize;
        touches[at + 2] = tick.askPrice;
        touches[at + 3] = tick.askSize;
        quoted[index] = 1;
        missing--;
      } else if (tick.type === TRADE && traded[index] === 0 && tick.price >= 0) {
        // One tick either side of the first print, until (unless) a quote comes.
        touches[at] = Math.max(0, tick.price - 1);
        touches[at + 1] = Math.max(1, tick.size);
        touches[at + 2] = tick.price + 1;
        touches[at + 3] = Math.max(1, tick.size);
        traded[index] = 1;
      }
    }
  }
  for (let index = 0; index < count; index++) {
    if (quoted[index] === 1 || traded[index] === 1) continue;
    // Nothing within the read-ahead: a touch around 1.0, replaced by the first recorded quote.
    const one = 10 ** registry.info(index).priceScale;
    touches.set([one - 1, 1, one + 1, 1], index * 4);
  }
  return touches;
}
