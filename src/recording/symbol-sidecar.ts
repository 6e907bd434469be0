import { readFile } from 'node:fs/promises';
import { TickwireError } from '../errors.ts';
import { isVenue, MAX_SCALE, MAX_SYMBOL_ID, SYMBOL_NAME, type Venue } from '../wire/index.ts';

/**
 * A data file's symbol sidecar (`ticks-NNNNNN.symbols.jsonl`): one JSON line per symbol id the
 * file's ticks carry, appended before the first tick that uses the id reaches the data file. It
 * makes a file readable by a process whose registry numbers symbols differently: the reader maps
 * each recorded id to a name and scales, and replay re-registers them under its own ids.
 *
 * `symbol` is null when the recorder did not know the id's name (a tick from a platform whose
 * symbol list it could not read); replay skips such ticks and counts them.
 */
export interface RecordedSymbol {
  readonly id: number;
  readonly venue: Venue;
  readonly symbol: string | null;
  readonly priceScale: number;
  readonly sizeScale: number;
}

export function symbolLine(entry: RecordedSymbol): string {
  return `${JSON.stringify({
    id: entry.id,
    venue: entry.venue,
    symbol: entry.symbol,
    priceScale: entry.priceScale,
    sizeScale: entry.sizeScale,
  })}\n`;
}

/** Recorded id -> symbol, for one data file. */
export type RecordedSymbols = ReadonlyMap<number, RecordedSymbol>;

/**
 * Reads a sidecar. A missing file is an empty table (every tick of the file is then unmapped); a
 * last line without its newline is a torn append and ignored; any other bad line is
 * RECORDING_CORRUPT naming the file and line.
 */
export async function readSymbolSidecar(path: string): Promise<Map<number, RecordedSymbol>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const lines = text.split('\n');
  // The element after the last '\n' is '' for a complete file, or a torn line: ignore it.
  lines.pop();
  const table = new Map<number, RecordedSymbol>();
  lines.forEach((line, index) => {
    const entry = parseEntry(line);
    if (entry === undefined) {
      throw new TickwireError(
        'RECORDING_CORRUPT',
        `symbol sidecar ${path} line ${index + 1} is not {id, venue, symbol, priceScale, sizeScale}: ${line.slice(0, 120)}`,
      );
    }
    table.set(entry.id, entry);
  });
  return table;
}

function parseEntry(line: string): RecordedSymbol | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, venue, symbol, priceScale, sizeScale } = value as Record<string, unknown>;
  const scale = (x: unknown): x is number =>
    Number.isInteger(x) && (x as number) >= 0 && (x as number) <= MAX_SCALE;
  if (
    !(Number.isInteger(id) && (id as number) >= 0 && (id as number) <= MAX_SYMBOL_ID) ||
    typeof venue !== 'string' ||
    !isVenue(venue) ||
    !(symbol === null || (typeof symbol === 'string' && SYMBOL_NAME.test(symbol))) ||
    !scale(priceScale) ||
    !scale(sizeScale)
  ) {
    return undefined;
  }
  return { id: id as number, venue, symbol, priceScale, sizeScale };
}
