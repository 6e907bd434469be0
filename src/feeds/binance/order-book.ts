import { FLAG, SIDE } from '../../wire/index.ts';
import type { TickSink } from '../tick-sink.ts';
import type { BinanceDepthDiff, BinanceDepthSnapshot } from './binance-payloads.ts';
import type { DepthDiffHandler, StreamRoute } from './stream-routes.ts';
import { LevelScratch, writeBookLevels } from './tick-writers.ts';
import { PriceLevels } from './price-levels.ts';

/**
 * A local order book kept exactly as Binance's "How to manage a local order book correctly" says:
 *
 * 1. buffer the diffs of `<symbol>@depth` from the moment the stream is open;
 * 2. fetch a snapshot (REST /api/v3/depth) — asked for through `requestSnapshot`;
 * 3. drop buffered diffs with u <= lastUpdateId;
 * 4. the first diff applied must have U <= lastUpdateId + 1 <= u (if the first buffered one has
 *    U > lastUpdateId + 1 the snapshot is older than the stream: fetch another);
 * 5. every later diff must have U == previous u + 1, checked on EVERY diff; otherwise the book
 *    has missed updates: count a gap, buffer from this diff on and go back to step 2;
 * 6. quantities are absolute; 0 removes the level (removing an absent level is normal).
 *
 * Ticks: a snapshot is written as one book tick per level (flag `snapshot`, sequence
 * lastUpdateId, level = position from the top, `final` on the last) when `emitSnapshots` is on;
 * each applied diff as one tick per changed level (sequence u, firstUpdateId U, `final` on the
 * last). After a gap or a lost connection, the ticks up to and including the first diff applied
 * after the new snapshot carry `gap`. A book left crossed (best bid >= best ask) by an update is
 * counted and that update's ticks carry `crossed`.
 */

export const BOOK_STATES = ['awaitingDiff', 'awaitingSnapshot', 'synced'] as const;
/**
 * awaitingDiff: nothing buffered yet (the snapshot is asked for when the first diff arrives, so
 * the stream is known to be open); awaitingSnapshot: buffering diffs until the snapshot comes;
 * synced: applying diffs as they arrive.
 */
export type BookState = (typeof BOOK_STATES)[number];

export interface OrderBookCounters {
  diffsApplied: number;
  /** Diffs older than the book (u <= its update id), dropped as step 3 says. */
  diffsDropped: number;
  /** Diffs whose U did not follow the previous u + 1: missed updates. */
  gaps: number;
  /** Snapshots refused because they were older than the first buffered diff. */
  staleSnapshots: number;
  /** Snapshots applied. */
  snapshots: number;
  /** Resynchronisations started (gap, lost connection, bad diff, explicit request). */
  resyncs: number;
  /** Updates (diff or snapshot) after which the book was crossed. */
  crossed: number;
  /** Buffered diffs discarded, oldest first, because the buffer was full. */
  bufferOverflows: number;
  /** Diffs that could not be parsed (the book resyncs after one). */
  badDiffs: number;
  /** Ticks the sink refused. */
  sinkRefused: number;
}

export interface OrderBookOptions {
  /** Write the snapshot as ticks (flag `snapshot`) so consumers can rebuild the book. */
  emitSnapshots: boolean;
  /** Most diffs buffered while waiting for a snapshot; the oldest go first. */
  maxBufferedDiffs: number;
}

export const ORDER_BOOK_DEFAULTS: OrderBookOptions = {
  emitSnapshots: true,
  maxBufferedDiffs: 10_000,
};

interface BufferedDiff {
  diff: BinanceDepthDiff;
  receiveMs: number;
  receiveNanosOfMs: number;
}

/** Shared by every book of a thread: a book only uses it inside one synchronous call. */
const scratch = new LevelScratch();

export class OrderBook implements DepthDiffHandler {
  readonly bids = new PriceLevels('bid');
  readonly asks = new PriceLevels('ask');
  readonly counters: OrderBookCounters = {
    diffsApplied: 0,
    diffsDropped: 0,
    gaps: 0,
    staleSnapshots: 0,
    snapshots: 0,
    resyncs: 0,
    crossed: 0,
    bufferOverflows: 0,
    badDiffs: 0,
    sinkRefused: 0,
  };
  private bookState: BookState = 'awaitingDiff';
  /** Update id the book reflects (the snapshot's lastUpdateId, then each applied u). */
  private updateId = -1;
  /** Whether a diff was applied since the last snapshot (step 4 versus step 5). */
  private firstApplied = false;
  private buffer: BufferedDiff[] = [];
  /** One-bit flags owed to the next ticks (gap after a resync). */
  private owedFlags = 0;
  private readonly options: OrderBookOptions;

  /**
   * `route` gives the symbol and its scales; `requestSnapshot` is called (once per need) when the
   * book wants a snapshot — the caller fetches it and hands it to applySnapshot.
   */
  constructor(
    readonly route: StreamRoute,
    private readonly requestSnapshot: (book: OrderBook) => void,
    options: Partial<OrderBookOptions> = {},
  ) {
    this.options = { ...ORDER_BOOK_DEFAULTS, ...options };
  }

  get state(): BookState {
    return this.bookState;
  }

  get lastUpdateId(): number {
    return this.updateId;
  }

  get bufferedDiffs(): number {
    return this.buffer.length;
  }

  /** Best bid and ask prices (mantissas), NaN when a side is empty. */
  get bestBid(): number {
    return this.bids.bestPrice;
  }

  get bestAsk(): number {
    return this.asks.bestPrice;
  }

  get isCrossed(): boolean {
    return this.bids.count > 0 && this.asks.count > 0 && this.bids.bestPrice >= this.asks.bestPrice;
  }

  onDiff(diff: BinanceDepthDiff, receiveMs: number, receiveNanosOfMs: number, sink: TickSink): number {
    if (this.bookState !== 'synced') {
      this.bufferDiff(diff, receiveMs, receiveNanosOfMs);
      if (this.bookState === 'awaitingDiff') {
        this.bookState = 'awaitingSnapshot';
        this.requestSnapshot(this);
      }
      return 0;
    }
    return this.applyLive(diff, receiveMs, receiveNanosOfMs, sink);
  }

  /**
   * Steps 3-4 with a fetched snapshot. Returns true when the book is now synced (or resyncing
   * again because a buffered diff showed a gap), false when the snapshot was older than the
   * buffered stream and another was requested.
   */
  applySnapshot(
    snapshot: BinanceDepthSnapshot,
    receiveMs: number,
    receiveNanosOfMs: number,
    sink: TickSink,
  ): boolean {
    const lastUpdateId = snapshot.lastUpdateId;
    let start = 0;
    while (start < this.buffer.length && this.buffer[start]!.diff.u <= lastUpdateId) start++;
    this.counters.diffsDropped += start;
    const first = this.buffer[start];
    if (first !== undefined && first.diff.U > lastUpdateId + 1) {
      // The snapshot predates the first update we hold: the updates in between are in neither.
      this.counters.staleSnapshots++;
      this.buffer = this.buffer.slice(start);
      this.requestSnapshot(this);
      return false;
    }
    const route = this.route;
    scratch.load(snapshot.bids, snapshot.asks, route.priceScale, route.sizeScale);
    this.bids.clear();
    this.asks.clear();
    // Binance lists bids best (highest) first and asks best (lowest) first; inserting worst first
    // appends each level at the end of its array, so loading 1000 levels moves no memory.
    for (let i = scratch.count - 1; i >= 0; i--) {
      (scratch.sides[i] === SIDE.bid ? this.bids : this.asks).set(scratch.prices[i]!, scratch.sizes[i]!);
    }
    this.counters.snapshots++;
    this.updateId = lastUpdateId;
    this.firstApplied = false;
    this.bookState = 'synced';
    let flags = FLAG.snapshot | this.owedFlags;
    if (this.isCrossed) {
      this.counters.crossed++;
      flags |= FLAG.crossed;
    }
    if (this.options.emitSnapshots) {
      writeBookLevels(
        route,
        scratch,
        lastUpdateId,
        0,
        flags,
        true,
        receiveMs,
        receiveNanosOfMs,
        receiveMs,
        receiveNanosOfMs,
        sink,
        this.counters,
      );
    }
    const pending = this.buffer;
    this.buffer = [];
    for (let i = start; i < pending.length; i++) {
      const { diff, receiveMs: ms, receiveNanosOfMs: nanos } = pending[i]!;
      try {
        this.applyLive(diff, ms, nanos, sink);
      } catch {
        // A bad buffered diff restarted the procedure; what followed it is still good to buffer.
        this.buffer = pending.slice(i + 1);
        return true;
      }
      // A gap inside the buffer restarted buffering from that diff: keep it and what followed.
      if (this.bookState !== 'synced') {
        this.buffer = pending.slice(i);
        return true;
      }
    }
    return true;
  }

  /**
   * Drops the book and starts over (buffer, snapshot): after the connection carrying the stream
   * was lost, or when asked to (a worker restarted). The next ticks carry `gap`.
   */
  invalidate(): void {
    if (this.bookState === 'synced' || this.counters.snapshots > 0) this.owedFlags |= FLAG.gap;
    this.counters.resyncs++;
    this.bookState = 'awaitingDiff';
    this.buffer = [];
    this.firstApplied = false;
  }

  /**
   * The ticks up to the first diff applied after the next snapshot carry `gap`: this book replaces
   * one whose state was lost (its pipeline worker restarted).
   */
  oweGap(): void {
    this.owedFlags |= FLAG.gap;
  }

  /** A snapshot could not be fetched: ask again (the caller paces retries). */
  snapshotFailed(): void {
    if (this.bookState === 'awaitingSnapshot') this.requestSnapshot(this);
  }

  takesRead(firstUpdateId: number, lastUpdateId: number): boolean {
    return this.bookState === 'synced' && (lastUpdateId <= this.updateId || this.follows(firstUpdateId));
  }

  applyRead(
    firstUpdateId: number,
    lastUpdateId: number,
    eventTime: number,
    levels: LevelScratch,
    receiveMs: number,
    receiveNanosOfMs: number,
    sink: TickSink,
  ): number {
    if (lastUpdateId <= this.updateId) {
      this.counters.diffsDropped++;
      return 0;
    }
    return this.applyLevels(
      firstUpdateId,
      lastUpdateId,
      eventTime,
      levels,
      receiveMs,
      receiveNanosOfMs,
      sink,
    );
  }

  /** Step 5: whether a diff starting at `firstUpdateId` continues the book. */
  private follows(firstUpdateId: number): boolean {
    return this.firstApplied ? firstUpdateId === this.updateId + 1 : firstUpdateId <= this.updateId + 1;
  }

  private applyLive(
    diff: BinanceDepthDiff,
    receiveMs: number,
    receiveNanosOfMs: number,
    sink: TickSink,
  ): number {
    if (diff.u <= this.updateId) {
      this.counters.diffsDropped++;
      return 0;
    }
    if (!this.follows(diff.U)) {
      this.counters.gaps++;
      this.resync(diff, receiveMs, receiveNanosOfMs);
      return 0;
    }
    const route = this.route;
    try {
      scratch.load(diff.b, diff.a, route.priceScale, route.sizeScale);
    } catch (error) {
      // The book cannot apply what it cannot read, and without it the book is wrong.
      this.counters.badDiffs++;
      this.resync(undefined, receiveMs, receiveNanosOfMs);
      throw error;
    }
    return this.applyLevels(diff.U, diff.u, diff.E, scratch, receiveMs, receiveNanosOfMs, sink);
  }

  /** A diff that follows the book, its levels read: applied to the book and written as ticks. */
  private applyLevels(
    firstUpdateId: number,
    lastUpdateId: number,
    eventTime: number,
    levels: LevelScratch,
    receiveMs: number,
    receiveNanosOfMs: number,
    sink: TickSink,
  ): number {
    for (let i = 0; i < levels.count; i++) {
      (levels.sides[i] === SIDE.bid ? this.bids : this.asks).set(levels.prices[i]!, levels.sizes[i]!);
    }
    this.updateId = lastUpdateId;
    this.firstApplied = true;
    this.counters.diffsApplied++;
    let flags = this.owedFlags;
    this.owedFlags = 0;
    if (this.isCrossed) {
      this.counters.crossed++;
      flags |= FLAG.crossed;
    }
    return writeBookLevels(
      this.route,
      levels,
      lastUpdateId,
      firstUpdateId,
      flags,
      false,
      eventTime,
      0,
      receiveMs,
      receiveNanosOfMs,
      sink,
      this.counters,
    );
  }

  /** Step 5 failed: keep `from` (the first diff after the hole) and fetch a new snapshot. */
  private resync(from: BinanceDepthDiff | undefined, receiveMs: number, receiveNanosOfMs: number): void {
    this.counters.resyncs++;
    this.owedFlags |= FLAG.gap;
    this.bookState = 'awaitingSnapshot';
    this.firstApplied = false;
    this.buffer = [];
    if (from !== undefined) this.bufferDiff(from, receiveMs, receiveNanosOfMs);
    this.requestSnapshot(this);
  }

  private bufferDiff(diff: BinanceDepthDiff, receiveMs: number, receiveNanosOfMs: number): void {
    if (this.buffer.length >= this.options.maxBufferedDiffs) {
      this.buffer.shift();
      this.counters.bufferOverflows++;
    }
    this.buffer.push({ diff, receiveMs, receiveNanosOfMs });
  }
}
