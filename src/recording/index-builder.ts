import { TickwireError } from '../errors.ts';
import { compareHalves, nanosBetween } from './time-halves.ts';

/**
 * The index rule, applied record by record in file order, by the recorder as it writes and by the
 * reader when it rebuilds or extends an index from the data:
 *
 * - record 0 gets an entry;
 * - record n > 0 gets an entry when `everyRecords` records have passed since the last entry, or
 *   when the highest receive time seen so far has moved `everyMs` past the highest receive time
 *   right after the last entry's record.
 *
 * An entry stores (floor, n): floor is the highest receive time of records 0..n-1 (0 for n = 0).
 * Records are in arrival order and their receive times may step back a little (ticks from several
 * workers interleave), so floors, not record times, are what is sorted: every record before n has
 * a time <= floor, which is what lets seek skip them.
 */

export interface IndexRule {
  /** An entry at least every this many records. */
  readonly everyRecords: number;
  /** An entry at least every this many ms of receive time. */
  readonly everyMs: number;
}

export const DEFAULT_INDEX_RULE: IndexRule = { everyRecords: 4_096, everyMs: 1_000 };

export type IndexEntrySink = (floorHi: number, floorLo: number, record: number) => void;

export function checkIndexRule(rule: IndexRule): void {
  if (!(Number.isInteger(rule.everyRecords) && rule.everyRecords >= 1)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `index everyRecords is ${rule.everyRecords}; it must be an integer >= 1`,
    );
  }
  if (!(Number.isFinite(rule.everyMs) && rule.everyMs > 0)) {
    throw new TickwireError('BAD_CONFIG', `index everyMs is ${rule.everyMs}; it must be a number > 0`);
  }
}

export class IndexBuilder {
  /** Number of the next record `add` will see. */
  records = 0;
  private lastEntry = 0;
  private anchorHi = 0;
  private anchorLo = 0;
  private maxHi = 0;
  private maxLo = 0;
  /** The record whose entry already exists (after resume), so add() must not emit it again. */
  private existingEntry = -1;
  private readonly everyRecords: number;
  private readonly everyNs: number;

  constructor(
    rule: IndexRule,
    private readonly onEntry: IndexEntrySink,
  ) {
    checkIndexRule(rule);
    this.everyRecords = rule.everyRecords;
    this.everyNs = rule.everyMs * 1_000_000;
  }

  /** Continues after an index whose last entry is (floor, record): add() is next called for `record`. */
  resume(floorHi: number, floorLo: number, record: number): void {
    this.records = record;
    this.maxHi = floorHi;
    this.maxLo = floorLo;
    this.existingEntry = record;
  }

  /** Feeds the receive time of the next record. */
  add(hi: number, lo: number): void {
    const n = this.records;
    const entry =
      n === this.existingEntry ||
      n === 0 ||
      n - this.lastEntry >= this.everyRecords ||
      nanosBetween(this.anchorHi, this.anchorLo, this.maxHi, this.maxLo) >= this.everyNs;
    if (entry) {
      if (n !== this.existingEntry) this.onEntry(this.maxHi, this.maxLo, n);
      this.lastEntry = n;
    }
    if (compareHalves(hi, lo, this.maxHi, this.maxLo) > 0) {
      this.maxHi = hi;
      this.maxLo = lo;
    }
    if (entry) {
      this.anchorHi = this.maxHi;
      this.anchorLo = this.maxLo;
    }
    this.records = n + 1;
  }

  /** Highest receive time seen so far (hi half). */
  get highHi(): number {
    return this.maxHi;
  }

  get highLo(): number {
    return this.maxLo;
  }
}
