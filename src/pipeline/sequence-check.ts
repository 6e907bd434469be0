import { BAR, BOOK, FLAG, MESSAGE_TYPES, QUOTE } from '../wire/index.ts';

/** The quality flags a sequence check can raise. */
export const SEQUENCE_FLAGS = FLAG.gap | FLAG.outOfOrder | FLAG.duplicate;

export interface SequenceCounts {
  checked: number;
  gaps: number;
  /** Sequence numbers skipped over by gaps. */
  missing: number;
  outOfOrder: number;
  duplicates: number;
}

const STREAMS_PER_SYMBOL = MESSAGE_TYPES.length;
/** Marks a stream that has not seen a tick yet. */
const NONE = -1;

/**
 * Checks each stream's sequence numbers (one stream per symbol and message type: a symbol's trade
 * ids and its book update ids count separately) and says which quality flags the tick earns. What
 * a sequence promises differs by message type, so the rule does too (docs/PIPELINE.md, "Data
 * quality"):
 *
 * - trade: contiguous (trade ids, aggregate ids): a skipped number is a `gap`;
 * - quote: only increasing (Binance's bookTicker `u` is the book's update id, which moves by any
 *   amount between two quotes): no gaps, but a repeat is a `duplicate` and a step back `outOfOrder`;
 * - book: every level of one update shares the update's sequence (`u`), so equal numbers are fine
 *   until the update's `final` level; after that a repeat is a `duplicate`. A new update is a
 *   `gap` when its first update id (`U`, when the tick carries one) is beyond the last one + 1. A
 *   `snapshot` tick restarts the stream at its sequence;
 * - bar: not checked (the sequence slot carries the volume).
 *
 * A duplicate or out-of-order tick does not move the stream back, so one late tick is not
 * followed by a false gap. Allocation-free per tick: the last sequence per stream lives in a
 * Float64Array (exact for every sequence the wire carries, at most 2^53 - 1), grown when a higher
 * symbol id appears, and whether a book stream's last update was closed by its `final` level in a
 * Uint8Array beside it.
 */
export class SequenceChecker {
  private last = new Float64Array(0);
  private closed = new Uint8Array(0);
  readonly counts: SequenceCounts = { checked: 0, gaps: 0, missing: 0, outOfOrder: 0, duplicates: 0 };

  /**
   * Returns the flags to add to the tick (0 when in order); `type` is the wire type code 1..4,
   * `flags` the tick's flags and `firstUpdateId` a book tick's first update id (0 = none).
   */
  check(symbolId: number, type: number, sequence: number, flags = 0, firstUpdateId = 0): number {
    this.counts.checked++;
    if (type === BAR) return 0;
    const index = symbolId * STREAMS_PER_SYMBOL + type - 1;
    if (index >= this.last.length) this.grow(index);
    if (type === BOOK) return this.checkBook(index, sequence, flags, firstUpdateId);
    const last = this.last;
    const previous = last[index]!;
    if (previous === NONE || sequence === previous + 1) {
      last[index] = sequence;
      return 0;
    }
    if (sequence > previous) {
      last[index] = sequence;
      if (type === QUOTE) return 0;
      this.counts.gaps++;
      this.counts.missing += sequence - previous - 1;
      return FLAG.gap;
    }
    if (sequence === previous) {
      this.counts.duplicates++;
      return FLAG.duplicate;
    }
    this.counts.outOfOrder++;
    return FLAG.outOfOrder;
  }

  /** Forgets a symbol's streams, e.g. after its book was resynced from a snapshot. */
  reset(symbolId: number): void {
    const start = symbolId * STREAMS_PER_SYMBOL;
    if (start < this.last.length) this.last.fill(NONE, start, start + STREAMS_PER_SYMBOL);
  }

  private checkBook(index: number, sequence: number, flags: number, firstUpdateId: number): number {
    const last = this.last;
    const previous = last[index]!;
    const final = (flags & FLAG.final) !== 0 ? 1 : 0;
    if ((flags & FLAG.snapshot) !== 0 || previous === NONE) {
      last[index] = sequence;
      this.closed[index] = final;
      return 0;
    }
    if (sequence > previous) {
      last[index] = sequence;
      this.closed[index] = final;
      if (firstUpdateId > previous + 1) {
        this.counts.gaps++;
        this.counts.missing += firstUpdateId - previous - 1;
        return FLAG.gap;
      }
      return 0;
    }
    if (sequence === previous) {
      if (this.closed[index] === 0) {
        this.closed[index] = final;
        return 0;
      }
      this.counts.duplicates++;
      return FLAG.duplicate;
    }
    this.counts.outOfOrder++;
    return FLAG.outOfOrder;
  }

  private grow(index: number): void {
    const size = Math.max(index + 1, this.last.length * 2, 1024);
    const next = new Float64Array(size).fill(NONE);
    next.set(this.last);
    this.last = next;
    const closed = new Uint8Array(size);
    closed.set(this.closed);
    this.closed = closed;
  }
}
