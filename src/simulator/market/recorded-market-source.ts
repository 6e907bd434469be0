import { newReplayCounters, type ReplayCounters, replaySource } from '../../recording/index.ts';
import { BAR, BOOK, QUOTE, SIDE, Tick, type Venue } from '../../wire/index.ts';
import type { SimulatedSymbol } from './universe.ts';
import type { MarketEvent, MarketEventSource } from './market-event-source.ts';
import {
  type RecordedMarketSourceOptions,
  type ResolvedRecordedSourceOptions,
  resolveRecordedSourceOptions,
} from './recorded-source-options.ts';
import { loadRecordedUniverse, type RecordedUniverse } from './recorded-universe.ts';
import { TickQueue } from './tick-queue.ts';

/** Ticks the exchange model cannot express, each counted under its reason. */
export const REPLAY_SKIP_REASONS = [
  /** Order-book level changes: the simulator's book behind the touch is its own. */
  'book',
  'bar',
  /** A symbol the simulator does not list (another venue, or named after the source opened). */
  'unlisted',
  /** A tick whose scales differ from its symbol's. */
  'scaleMismatch',
  /** Binance prices are not negative. */
  'negativePrice',
] as const;
export type ReplaySkipReason = (typeof REPLAY_SKIP_REASONS)[number];

/**
 * `ready` until `start()`; `replaying` while ticks are read or queued; then `ended` (every tick
 * handed to the simulator), `stopped` (closed first) or `failed` (the recording could not be read).
 */
export const REPLAY_STATES = ['ready', 'replaying', 'ended', 'stopped', 'failed'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

export type RecordedSourceStats = {
  state: ReplayState;
  speed: number;
  symbols: number;
  /** Market events handed to the simulator: quotes (top-of-book changes) and trades. */
  events: number;
  quotes: number;
  trades: number;
  skipped: Record<ReplaySkipReason, number>;
  /** Records read from the recording, files opened, ticks without a symbol name. */
  read: number;
  files: number;
  unmapped: number;
  queued: number;
  queueCapacity: number;
  queueHighWater: number;
  /** Highest recorded receive time read so far (ISO, ms), null before the first. */
  recordedTime: string | null;
  error: string | null;
};

/**
 * A recording replayed as the exchange simulator's market: the recorded quotes move each symbol's
 * top of book (one book update each) and the recorded trades print as trades, at their recorded
 * price, size and aggressor side, at `speed` × recorded time. Book-level and bar ticks have no
 * counterpart in the exchange model (its book behind the touch is its own) and are skipped and
 * counted, as are ticks of symbols it does not list.
 *
 * `open()` lists the symbols (from the recording's sidecars, sorted by name) and reads ahead for
 * each one's first quote, which seeds its book; `start()` begins the replay. Between the replay
 * (paced by `replaySource`, in the background) and the simulator sits a bounded queue: while it
 * is full the replay is not read further, so memory stays bounded whatever the simulator's
 * clients take. The source is `paced`: the simulator takes whatever is queued every batch, so
 * the recorded timing decides when events happen, not the simulator's event rate.
 */
export class RecordedMarketSource implements MarketEventSource {
  readonly paced = true;
  readonly symbols: readonly SimulatedSymbol[];
  /** Resolves with the final stats once the replay has ended, stopped or failed. */
  readonly done: Promise<RecordedSourceStats>;

  private readonly queue: TickQueue;
  private readonly lowWater: number;
  private readonly tick = new Tick();
  private readonly abort = new AbortController();
  private readonly counters: ReplayCounters = newReplayCounters();
  /** Each symbol's latest top of book, 4 values from index 4i (as RecordedUniverse.firstTouch). */
  private readonly lastTouch: Float64Array;
  private readonly skipped = Object.fromEntries(REPLAY_SKIP_REASONS.map((reason) => [reason, 0])) as Record<
    ReplaySkipReason,
    number
  >;
  private state: ReplayState = 'ready';
  private readerFinished = false;
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private resolveDone!: (stats: RecordedSourceStats) => void;
  private error: string | null = null;
  private quotes = 0;
  private trades = 0;

  private constructor(
    private readonly options: ResolvedRecordedSourceOptions,
    private readonly universe: RecordedUniverse,
  ) {
    this.symbols = universe.symbols;
    this.queue = new TickQueue(options.queueTicks);
    this.lowWater = Math.floor(options.queueTicks / 2);
    this.lastTouch = universe.firstTouch.slice();
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Validates the options, lists the recording's symbols and reads ahead for their first quotes. */
  static async open(options: RecordedMarketSourceOptions): Promise<RecordedMarketSource> {
    const resolved = resolveRecordedSourceOptions(options);
    const universe = await loadRecordedUniverse({
      dir: resolved.dir,
      from: resolved.from,
      to: resolved.to,
      venue: resolved.venue,
      readAheadRecords: resolved.readAheadRecords,
    });
    return new RecordedMarketSource(resolved, universe);
  }

  /** Venue of each listed symbol, by index. */
  get venues(): readonly Venue[] {
    return this.universe.venues;
  }

  /** Starts the replay: its clock starts now. Later calls do nothing. */
  start(): void {
    if (this.state !== 'ready') return;
    this.state = 'replaying';
    void this.read();
  }

  get ended(): boolean {
    return this.closed || (this.readerFinished && this.queue.length === 0);
  }

  next(event: MarketEvent): boolean {
    if (this.closed) return false;
    const queue = this.queue;
    const tick = this.tick;
    while (queue.length > 0) {
      tick.wrap(queue.bytes, queue.headOffset);
      const made = this.toEvent(tick, event);
      queue.shift();
      if (made) {
        this.wakeIfRoom();
        return true;
      }
    }
    this.wakeIfRoom();
    if (this.readerFinished && this.state === 'replaying') this.finish('ended');
    return false;
  }

  initialTouch(symbolIndex: number, into: MarketEvent): void {
    const at = symbolIndex * 4;
    const first = this.universe.firstTouch;
    into.symbolIndex = symbolIndex;
    into.bidPrice = first[at]!;
    into.bidSize = first[at + 1]!;
    into.askPrice = first[at + 2]!;
    into.askSize = first[at + 3]!;
    into.trade = false;
    into.quote = true;
  }

  stats(): RecordedSourceStats {
    const recorded = this.counters.recordedTimeNs;
    return {
      state: this.state,
      speed: this.options.speed,
      symbols: this.symbols.length,
      events: this.quotes + this.trades,
      quotes: this.quotes,
      trades: this.trades,
      skipped: { ...this.skipped },
      read: this.counters.read,
      files: this.counters.files,
      unmapped: this.counters.unmapped,
      queued: this.queue.length,
      queueCapacity: this.queue.capacity,
      queueHighWater: this.queue.highWater,
      recordedTime: recorded === undefined ? null : new Date(Number(recorded / 1_000_000n)).toISOString(),
      error: this.error,
    };
  }

  /** Stops reading and pacing; the simulator's market goes quiet. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.wakeReader?.();
    this.wakeReader = undefined;
    if (this.state === 'ready' || this.state === 'replaying') this.finish('stopped');
  }

  /** One queued tick into `event`; false (and counted) when the exchange model cannot use it. */
  private toEvent(tick: Tick, event: MarketEvent): boolean {
    const type = tick.type;
    if (type === BOOK) return this.skip('book');
    if (type === BAR) return this.skip('bar');
    const index = tick.symbolId;
    const symbol = this.symbols[index];
    // Ids past the list belong to symbols the replay registered but the simulator does not list.
    if (symbol === undefined) return this.skip('unlisted');
    if (tick.priceScale !== symbol.priceScale || tick.sizeScale !== symbol.sizeScale)
      return this.skip('scaleMismatch');
    const touch = this.lastTouch;
    const at = index * 4;
    event.symbolIndex = index;
    if (type === QUOTE) {
      const bid = tick.bidPrice;
      const ask = tick.askPrice;
      if (bid < 0 || ask < 0) return this.skip('negativePrice');
      touch[at] = event.bidPrice = bid;
      touch[at + 1] = event.bidSize = tick.bidSize;
      touch[at + 2] = event.askPrice = ask;
      touch[at + 3] = event.askSize = tick.askSize;
      event.quote = true;
      event.trade = false;
      this.quotes++;
      return true;
    }
    // What is left is a trade: validated ticks have no other type.
    const price = tick.price;
    if (price < 0) return this.skip('negativePrice');
    event.bidPrice = touch[at]!;
    event.bidSize = touch[at + 1]!;
    event.askPrice = touch[at + 2]!;
    event.askSize = touch[at + 3]!;
    event.quote = false;
    event.trade = true;
    event.tradePrice = price;
    event.tradeSize = tick.size;
    const side = tick.side;
    // A trade recorded without its aggressor: a print at or below the bid was a sell.
    event.tradeSide = side === SIDE.buy ? 1 : side === SIDE.sell ? 2 : price <= touch[at]! ? 2 : 1;
    this.trades++;
    return true;
  }

  private skip(reason: ReplaySkipReason): false {
    this.skipped[reason]++;
    return false;
  }

  private wakeIfRoom(): void {
    if (this.wakeReader !== undefined && this.queue.length <= this.lowWater) {
      const wake = this.wakeReader;
      this.wakeReader = undefined;
      wake();
    }
  }

  /** Moves the paced replay into the queue, waiting while the queue is full. */
  private async read(): Promise<void> {
    const { dir, from, to, speed } = this.options;
    try {
      const batches = replaySource(
        { dir, from, to, speed, registry: this.universe.registry, signal: this.abort.signal },
        this.counters,
      );
      for await (const batch of batches) {
        let queued = 0;
        while (queued < batch.count) {
          queued += this.queue.pushFrom(batch.bytes, queued, batch.count - queued);
          if (queued < batch.count) {
            await new Promise<void>((resolve) => {
              this.wakeReader = resolve;
            });
          }
          if (this.closed) return;
        }
      }
      this.readerFinished = true;
      if (this.queue.length === 0 && this.state === 'replaying') this.finish('ended');
    } catch (error) {
      this.readerFinished = true;
      if (this.closed) return;
      this.error = error instanceof Error ? error.message : String(error);
      this.finish('failed');
    }
  }

  private finish(state: 'ended' | 'stopped' | 'failed'): void {
    this.state = state;
    this.resolveDone(this.stats());
  }
}
