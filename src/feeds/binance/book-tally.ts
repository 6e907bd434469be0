import { BOOK_STATES, type BookState, type OrderBook, type OrderBookCounters } from './order-book.ts';

/** The order-book counter keys, declared once. */
export const ORDER_BOOK_COUNTER_KEYS = [
  'diffsApplied',
  'diffsDropped',
  'gaps',
  'staleSnapshots',
  'snapshots',
  'resyncs',
  'crossed',
  'bufferOverflows',
  'badDiffs',
  'sinkRefused',
] as const satisfies readonly (keyof OrderBookCounters)[];

export function zeroBookCounters(): OrderBookCounters {
  return Object.fromEntries(ORDER_BOOK_COUNTER_KEYS.map((key) => [key, 0])) as unknown as OrderBookCounters;
}

interface Reported {
  readonly counters: OrderBookCounters;
  state: BookState;
}

/**
 * The sums of a normalizer's books (counters and how many are in each state), kept up to date by
 * looking only at the books touched since the last look. Walking every book instead, as figures are
 * written every 20 ms, cost a pipeline worker with 50,000 books most of its time (measured: about
 * 60% of the worker's CPU), so frames queued up and were refused while it counted.
 */
export class BookTally {
  /** Counter sums, including books since removed (totals never go backwards). */
  readonly totals: OrderBookCounters = zeroBookCounters();
  /** Live books by state. */
  readonly states: Record<BookState, number> = Object.fromEntries(
    BOOK_STATES.map((state) => [state, 0]),
  ) as Record<BookState, number>;
  private readonly reported = new Map<OrderBook, Reported>();
  private readonly touched = new Set<OrderBook>();

  get books(): number {
    return this.reported.size;
  }

  add(book: OrderBook): void {
    if (this.reported.has(book)) return;
    this.reported.set(book, { counters: zeroBookCounters(), state: book.state });
    this.states[book.state]++;
    this.touched.add(book);
  }

  /** The book may have changed (a diff, a snapshot, a control message reached it). */
  touch(book: OrderBook): void {
    this.touched.add(book);
  }

  /** The book is dropped: its counts stay in the totals, it leaves the state counts. */
  remove(book: OrderBook): void {
    const reported = this.reported.get(book);
    if (reported === undefined) return;
    this.settle(book, reported);
    this.states[reported.state]--;
    this.reported.delete(book);
    this.touched.delete(book);
  }

  /** Brings the sums up to date with every book touched since the last call. */
  update(): void {
    for (const book of this.touched) {
      const reported = this.reported.get(book);
      if (reported !== undefined) this.settle(book, reported);
    }
    this.touched.clear();
  }

  private settle(book: OrderBook, reported: Reported): void {
    const totals = this.totals;
    const now = book.counters;
    const seen = reported.counters;
    for (const key of ORDER_BOOK_COUNTER_KEYS) {
      const delta = now[key] - seen[key];
      if (delta !== 0) {
        totals[key] += delta;
        seen[key] = now[key];
      }
    }
    const state = book.state;
    if (state !== reported.state) {
      this.states[reported.state]--;
      this.states[state]++;
      reported.state = state;
    }
  }
}
