import { FLAG, MESSAGE_TYPES } from '../wire/index.ts';

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
 * ids and its book update ids count separately) and says which quality flags the tick earns:
 * `gap` when numbers were skipped, `duplicate` when the number was already seen last,
 * `outOfOrder` when it is older than the last one. A duplicate or out-of-order tick does not move
 * the stream back, so one late tick is not followed by a false gap.
 *
 * Allocation-free per tick: the last sequence per stream lives in a Float64Array (exact for every
 * sequence the wire carries, which is at most 2^53 - 1), grown when a higher symbol id appears.
 */
export class SequenceChecker {
  private last = new Float64Array(0);
  readonly counts: SequenceCounts = { checked: 0, gaps: 0, missing: 0, outOfOrder: 0, duplicates: 0 };

  /** Returns the flags to add to the tick (0 when in order); `type` is the wire type code 1..4. */
  check(symbolId: number, type: number, sequence: number): number {
    const index = symbolId * STREAMS_PER_SYMBOL + type - 1;
    if (index >= this.last.length) this.grow(index);
    const last = this.last;
    const previous = last[index]!;
    this.counts.checked++;
    if (previous === NONE || sequence === previous + 1) {
      last[index] = sequence;
      return 0;
    }
    if (sequence > previous) {
      this.counts.gaps++;
      this.counts.missing += sequence - previous - 1;
      last[index] = sequence;
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

  private grow(index: number): void {
    const next = new Float64Array(Math.max(index + 1, this.last.length * 2, 1024)).fill(NONE);
    next.set(this.last);
    this.last = next;
  }
}
