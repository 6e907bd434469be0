import { readClock, type SymbolRegistry, type Tick, venueId } from '../../wire/index.ts';
import { PriceProcess } from './price-process.ts';
import { SeededRandom } from './random.ts';
import type { SimulatedSymbol } from './universe.ts';

/** Where a feed writes ticks: claim a slot for a symbol, write the tick into it, commit. */
export interface TickSink {
  claim(symbolId: number): Tick | undefined;
  commit(): void;
}

export interface SimulatedFeedOptions {
  universe: readonly SimulatedSymbol[];
  registry: SymbolRegistry;
  sink: TickSink;
  /** Market events (trades and top-of-book changes) per second over all symbols. */
  eventsPerSecond: number;
  seed: number;
}

export const SIM_VENUE = 'SIM';
/** How often the feed emits the events due; shorter spreads them more evenly, longer costs less. */
const STEP_MS = 10;
/** Share of events on the two leading symbols (BTCUSDT, ETHUSDT), as real volume concentrates. */
const LEADING_SHARE = 0.3;

/**
 * The in-process simulated market: one seeded price process per symbol, stepped on a timer at a
 * fixed event rate, each event written as a 64-byte tick (trade or quote) under venue SIM.
 * Registers its universe in the symbol registry in order, so ids are stable for a given config.
 */
export class SimulatedFeed {
  private readonly processes: PriceProcess[] = [];
  private readonly symbolIds: number[] = [];
  private readonly picker: SeededRandom;
  private readonly venueId = venueId(SIM_VENUE);
  private timer: NodeJS.Timeout | undefined;
  private owed = 0;
  private lastStep = 0;
  events = 0;

  constructor(private readonly options: SimulatedFeedOptions) {
    this.picker = new SeededRandom(options.seed);
    options.universe.forEach((symbol, index) => {
      this.symbolIds.push(options.registry.register(SIM_VENUE, symbol.symbol, symbol));
      this.processes.push(new PriceProcess(symbol, options.seed + index + 1));
    });
  }

  start(): void {
    this.lastStep = performance.now();
    this.timer = setInterval(() => this.step(), STEP_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Emits the events due since the last step, so the rate holds even when timers run late. */
  step(now = performance.now()): void {
    this.owed += ((now - this.lastStep) * this.options.eventsPerSecond) / 1_000;
    this.lastStep = now;
    const due = Math.floor(this.owed);
    this.owed -= due;
    for (let i = 0; i < due; i++) this.emit(this.pickSymbol());
  }

  private pickSymbol(): number {
    const count = this.processes.length;
    if (count > 2 && this.picker.next() < LEADING_SHARE) return this.picker.int(0, 1);
    return this.picker.int(0, count - 1);
  }

  /**
   * Every event moves the book, so every event emits a quote (its update id keeps the quote stream
   * gap-free); a trade event emits its trade first, as an exchange prints the trade that moved it.
   */
  private emit(index: number): void {
    const process = this.processes[index]!;
    const symbolId = this.symbolIds[index]!;
    const { priceScale, sizeScale } = process.symbol;
    const kind = process.step();
    this.events++;
    // In-process there is no network between exchange and receiver: both stamps are the same read.
    const now = readClock();
    const sink = this.options.sink;
    if (kind === 'trade') {
      const trade = sink.claim(symbolId);
      if (trade !== undefined) {
        trade.writeTrade(
          this.venueId,
          symbolId,
          priceScale,
          sizeScale,
          process.tradeId,
          process.tradeSide,
          now.ms,
          now.nanosOfMs,
          now.ms,
          now.nanosOfMs,
          process.tradePrice,
          process.tradeSize,
          process.tradeId,
        );
        sink.commit();
      }
    }
    const quote = sink.claim(symbolId);
    if (quote === undefined) return;
    quote.writeQuote(
      this.venueId,
      symbolId,
      priceScale,
      sizeScale,
      process.updateId,
      0,
      now.ms,
      now.nanosOfMs,
      now.ms,
      now.nanosOfMs,
      process.bidPrice,
      process.bidSize,
      process.askPrice,
      process.askSize,
    );
    sink.commit();
  }
}
