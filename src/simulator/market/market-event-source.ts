import { PriceProcess } from './price-process.ts';
import { SeededRandom } from './random.ts';
import { type SimulatedSymbol, simulatedUniverse } from './universe.ts';

/**
 * One market event: the top of book of one symbol after the event, and the trade it printed if
 * any. Prices and sizes are integer mantissas at the symbol's priceScale and sizeScale. The
 * exchange model turns it into book changes, update ids, trades and stream payloads; a source
 * never sees books, ids or sockets.
 */
export interface MarketEvent {
  /** Index of the symbol in the source's `symbols`. */
  symbolIndex: number;
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
  /** True when the event printed a trade. */
  trade: boolean;
  /** 1 when the buyer was the aggressor (the trade hits the ask), 2 when the seller was. */
  tradeSide: 1 | 2;
  /** Wanted trade size: the trade fills at most the touch it hits (unless `tradePrice` is given). */
  tradeSize: number;
  /**
   * True when the bid and ask fields are a new top of book: one book update (an update id, a
   * bookTicker). The generated market always moves the touch; a recorded trade alone does not.
   */
  quote: boolean;
  /**
   * AT_TOUCH (the generated market): the trade fills at the touch it hits, for at most the touch's
   * size, and takes that size off the book. A price >= 0 (a recorded trade): the trade prints at
   * exactly this price and `tradeSize`, and the book is left to the source's quotes.
   */
  tradePrice: number;
  /**
   * A price jump the source injected with this event, in basis points (0: none). A label, not
   * market data: the exchange records it (ExchangeSimulator.labels) so that the spike detector
   * can be scored against what really happened.
   */
  jumpBps: number;
}

/** `MarketEvent.tradePrice` of a trade that fills at the touch it hits. */
export const AT_TOUCH = -1;

/** What a source reports about itself in the simulator's stats (a replay's progress). */
export type MarketSourceStats = Readonly<Record<string, unknown>>;

/**
 * Where the exchange simulator's events come from. The default is seeded price processes;
 * RecordedMarketSource replays recorded ticks (its quotes give the touch, its trades the prints).
 * Either is passed as the `source` option.
 *
 * Contract: `next` is called on the main thread, as often as the configured event rate asks, and
 * must fill the given event in place (no allocation per event) and return true, or return false
 * when it has nothing more (a finished replay: the market then goes quiet). Events are delivered
 * in the order `next` produces them; the same source state must give the same sequence, which is
 * what makes a run reproducible.
 *
 * A `paced` source times its own events (a replay at its recorded speed): the simulator then
 * ignores its event rate and, every batch, calls `next` until it returns false, which means
 * "nothing due yet" rather than the end; the source says it is over with `ended`.
 */
export interface MarketEventSource {
  /** The instruments, in a fixed order; `MarketEvent.symbolIndex` indexes this list. */
  readonly symbols: readonly SimulatedSymbol[];
  next(event: MarketEvent): boolean;
  /** The starting top of book of a symbol, before any event (used to seed its first book). */
  initialTouch(symbolIndex: number, into: MarketEvent): void;
  /** True when the source decides when events are due (see above); default false. */
  readonly paced?: boolean;
  /** A paced source: true once it will produce no more events. */
  readonly ended?: boolean;
  /** The simulator's event rate was changed (`ExchangeSimulator.setEventRate`). */
  eventRateChanged?(eventsPerSecond: number): void;
  /** Counters shown in the simulator's stats under `source`. */
  stats?(): MarketSourceStats;
  /** Called when the simulator closes: stop timers and reads. */
  close?(): void;
}

/** Share of events on the two leading symbols (BTCUSDT, ETHUSDT), as real volume concentrates. */
const LEADING_SHARE = 0.3;

/**
 * The default source: one PriceProcess per symbol (random walk with volatility regimes and
 * jumps), created on the symbol's first event so 100,000 symbols start at once. The symbol of
 * each event is drawn from a generator seeded with `seed`, each process from `seed + index + 1`,
 * so the same seed, symbols and event rate give the same events.
 *
 * The market has its own clock: each event of a symbol advances that symbol's market by the mean
 * time between its events at the configured rate (1 / (rate × its share of events)). At the
 * configured rate the market clock keeps pace with the wall clock, so volatility per second is
 * what PriceProcess states whatever the rate; the slowDown fault's rate factor slows the clock
 * with the events, and `eventRateChanged` re-times it.
 */
export class GeneratedMarketSource implements MarketEventSource {
  readonly symbols: readonly SimulatedSymbol[];
  private readonly processes: (PriceProcess | undefined)[];
  private readonly picker: SeededRandom;
  /** Market seconds per event of a leading symbol, and of any other. */
  private leadingSecondsPerEvent = 0;
  private otherSecondsPerEvent = 0;

  constructor(
    spec: number | readonly string[],
    private readonly seed: number,
    eventsPerSecond: number,
  ) {
    this.symbols = simulatedUniverse(spec);
    this.processes = new Array<PriceProcess | undefined>(this.symbols.length);
    this.picker = new SeededRandom(seed);
    this.eventRateChanged(eventsPerSecond);
  }

  eventRateChanged(eventsPerSecond: number): void {
    const count = this.symbols.length;
    // At rate 0 no events come, and any finite timing will do.
    const rate = eventsPerSecond > 0 ? eventsPerSecond : 1;
    const otherShare = count > 2 ? (1 - LEADING_SHARE) / count : 1 / count;
    const leadingShare = count > 2 ? LEADING_SHARE / 2 + otherShare : otherShare;
    this.leadingSecondsPerEvent = 1 / (rate * leadingShare);
    this.otherSecondsPerEvent = 1 / (rate * otherShare);
  }

  next(event: MarketEvent): boolean {
    const count = this.symbols.length;
    const leading = count > 2 && this.picker.next() < LEADING_SHARE;
    const index = leading ? this.picker.int(0, 1) : this.picker.int(0, count - 1);
    const process = this.process(index);
    const kind = process.step(index < 2 ? this.leadingSecondsPerEvent : this.otherSecondsPerEvent);
    event.symbolIndex = index;
    event.bidPrice = process.bidPrice;
    event.bidSize = process.bidSize;
    event.askPrice = process.askPrice;
    event.askSize = process.askSize;
    event.trade = kind === 'trade';
    event.tradeSide = process.tradeSide;
    event.tradeSize = process.tradeSize;
    event.quote = true;
    event.tradePrice = AT_TOUCH;
    event.jumpBps = process.jumpBps;
    return true;
  }

  initialTouch(symbolIndex: number, into: MarketEvent): void {
    const process = this.process(symbolIndex);
    into.symbolIndex = symbolIndex;
    into.bidPrice = process.bidPrice;
    into.bidSize = process.bidSize;
    into.askPrice = process.askPrice;
    into.askSize = process.askSize;
    into.trade = false;
  }

  private process(index: number): PriceProcess {
    let process = this.processes[index];
    if (process === undefined) {
      process = new PriceProcess(this.symbols[index]!, (this.seed + index + 1) >>> 0);
      this.processes[index] = process;
    }
    return process;
  }
}

export function emptyMarketEvent(): MarketEvent {
  return {
    symbolIndex: 0,
    bidPrice: 0,
    bidSize: 0,
    askPrice: 0,
    askSize: 0,
    trade: false,
    tradeSide: 1,
    tradeSize: 0,
    quote: true,
    tradePrice: AT_TOUCH,
    jumpBps: 0,
  };
}
