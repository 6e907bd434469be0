import { TICK_BYTES } from '../wire/index.ts';

/**
 * The recording layout (docs/RECORDING.md): every number and name that is part of the on-disk
 * format is written here and nowhere else.
 *
 *   <dir>/<YYYY-MM-DD>/ticks-<NNNNNN>.tw              raw 64-byte ticks back to back
 *   <dir>/<YYYY-MM-DD>/ticks-<NNNNNN>.twi             16-byte index entries
 *   <dir>/<YYYY-MM-DD>/ticks-<NNNNNN>.symbols.jsonl   one JSON line per symbol id the file uses
 *
 * The day is the UTC day of the highest receive time recorded so far; NNNNNN counts files within
 * the day from 000001. Both are fixed-width, so sorting paths as strings sorts them by time.
 */

export const RECORD_BYTES = TICK_BYTES;
export const DATA_SUFFIX = '.tw';
export const INDEX_SUFFIX = '.twi';
export const SYMBOLS_SUFFIX = '.symbols.jsonl';
export const FILE_PREFIX = 'ticks-';
export const SEQUENCE_DIGITS = 6;
export const MAX_FILE_SEQUENCE = 10 ** SEQUENCE_DIGITS - 1;

export const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
export const DATA_FILE = /^ticks-(\d{6})\.tw$/;

/** Index entry: u64 LE floor time (ns) at 0, u64 LE record number at 8. */
export const INDEX_ENTRY_BYTES = 16;

/** Offsets of the receive time (u64 LE, ns) and of the venue/symbol word within a record. */
export const RECEIVE_TS_OFFSET = 24;
export const VENUE_SYMBOL_OFFSET = 4;

export const MS_PER_DAY = 86_400_000;

/** `ticks-000042` */
export function fileStem(sequence: number): string {
  return `${FILE_PREFIX}${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
}

/** `2026-11-21` for any millisecond of that UTC day. */
export function dayName(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of the UTC day named `YYYY-MM-DD`, in ms since the epoch. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}
