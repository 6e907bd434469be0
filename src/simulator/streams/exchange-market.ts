import type { SimulatedSymbol } from '../market/universe.ts';
import { formatDecimal } from '../market/decimal.ts';
import { MarketBook } from '../market/market-book.ts';
import {
  AT_TOUCH,
  emptyMarketEvent,
  type MarketEvent,
  type MarketEventSource,
} from '../market/market-event-source.ts';
import { ASK, BID, type BookSide } from '../market/order-book.ts';
import { MarketLabels } from '../market/market-labels.ts';
import { TradeTape } from '../market/trade-tape.ts';
import { formatEight } from '../matching/amounts.ts';
import {
  aggTradePayload,
  avgPricePayload,
  bookTickerPayload,
  levelsJson,
  miniTickerPayload,
  partialDepthPayload,
  tickerPayload,
  tradePayload,
  windowTickerPayload,
} from './payloads.ts';
import {
  DiffDepthChannel,
  KlineChannel,
  type SendCounter,
  StreamChannel,
  SymbolStreams,
  TickerChannel,
} from './stream-channels.ts';
import { type TickerFigures, windowFigures } from './ticker-figures.ts';
import type { ParsedStream } from './stream-names.ts';

/**
 * The cadence timer's step. Depth streams push every 100 ms (`@100ms`) or 1000 ms, but not all in
 * the same step: each symbol has a phase (its index modulo the steps in its period), as Binance's
 * per-stream timers are not aligned either. Pushing every symbol's diff at once would turn the
 * stream into one burst per period, which a consumer sees as queueing latency of its own; at 1 ms
 * steps a consumer of 1,000 symbols gets 10 diffs at a time, not 100 (10 ms steps) or 1,000.
 */
export const CADENCE_MS = 1;
/** Steps per 1000 ms and per 100 ms period; index 0 is the 1000 ms speed, as in `diffChannels`. */
const PHASES = [1000 / CADENCE_MS, 100 / CADENCE_MS] as const;
/** Klines: `1s` every 1000 ms, the other intervals every 2000 ms (Binance's update speeds). */
const KLINE_STEPS = 1000 / CADENCE_MS;
const KLINE_OTHER_STEPS = 2000 / CADENCE_MS;
/** A cadence timer that ran this late catches up at most this many steps (after a long stall, the rest are skipped). */
const MAX_CATCH_UP_STEPS = 100 / CADENCE_MS;

/**
 * What the accounts' orders need to hear from the market (the matching engine implements it):
 * asked per event with `watches`, so symbols without orders cost one call.
 */
export interface MarketOrderHooks {
  watches(index: number): boolean;
  /** A market trade; returns the quantity resting account orders took from it at its price. */
  marketTraded(index: number, price: number, quantity: number, buyerAggressor: boolean, now: number): number;
  touchMoved(index: number, bidPrice: number, askPrice: number, now: number): void;
}

/**
 * The exchange: per symbol an update id, a trade id, the last trade price and top of book, a
 * full book once someone needs one, and the streams open on it. Each market event from the
 * source becomes one book update (one update id), maybe a trade at the touch, and the payloads
 * of the streams that listen to the symbol; a symbol nobody listens to costs the model only.
 */
export class ExchangeMarket {
  readonly symbols: readonly SimulatedSymbol[];
  readonly counter: SendCounter = { frames: 0 };
  /** Market events applied, and events dropped because their symbol was silenced. */
  events = 0;
  silencedEvents = 0;
  /** True once the source said it has no more events. */
  exhausted = false;
  /** The accounts' orders, once the simulator has a matching engine. */
  orderHooks: MarketOrderHooks | undefined;
  /** Recent trades and one-minute candles of every symbol (REST's look-back endpoints, the tickers). */
  readonly tape: TradeTape;
  /** What the source and the faults injected, for scoring data-quality checks. */
  readonly labels = new MarketLabels();

  private readonly updateIds: Float64Array;
  private readonly tradeIds: Float64Array;
  private readonly lastPrices: Float64Array;
  private readonly silentUntil: Float64Array;
  private readonly touch: {
    bid: Float64Array;
    bidSize: Float64Array;
    ask: Float64Array;
    askSize: Float64Array;
  };
  private readonly touched: Uint8Array;
  private readonly books: (MarketBook | undefined)[];
  private readonly streams: (SymbolStreams | undefined)[];
  private readonly channels = new Map<string, StreamChannel>();
  /** Index 0: 1000 ms streams; index 1: 100 ms streams; then one set per phase. */
  private readonly diffChannels = PHASES.map((phases) =>
    Array.from({ length: phases }, () => new Set<DiffDepthChannel>()),
  );
  private readonly partialChannels = PHASES.map((phases) =>
    Array.from({ length: phases }, () => new Set<StreamChannel>()),
  );
  private readonly klineChannels = new Set<KlineChannel>();
  private readonly tickerChannels = new Set<TickerChannel>();
  private readonly bySymbolName = new Map<string, number>();
  private readonly byStreamSymbol = new Map<string, number>();
  private readonly event = emptyMarketEvent();
  private readonly scratch = emptyMarketEvent();
  private cadenceTicks = 0;
  private cadenceStartMs: number | undefined;

  constructor(
    private readonly source: MarketEventSource,
    private readonly seed: number,
  ) {
    this.symbols = source.symbols;
    const count = this.symbols.length;
    this.updateIds = new Float64Array(count);
    this.tradeIds = new Float64Array(count);
    this.lastPrices = new Float64Array(count);
    this.silentUntil = new Float64Array(count);
    this.touch = {
      bid: new Float64Array(count),
      bidSize: new Float64Array(count),
      ask: new Float64Array(count),
      askSize: new Float64Array(count),
    };
    this.touched = new Uint8Array(count);
    this.tape = new TradeTape(count);
    this.books = new Array<MarketBook | undefined>(count);
    this.streams = new Array<SymbolStreams | undefined>(count);
    this.symbols.forEach((symbol, index) => {
      this.bySymbolName.set(symbol.symbol, index);
      this.byStreamSymbol.set(symbol.symbol.toLowerCase(), index);
    });
  }

  /** Index of a symbol by its exchange name (`BTCUSDT`), as REST takes it. */
  symbolIndex(name: string): number | undefined {
    return this.bySymbolName.get(name);
  }

  /** Index of a symbol by its stream spelling (`btcusdt`). */
  streamSymbolIndex(name: string): number | undefined {
    return this.byStreamSymbol.get(name);
  }

  /** Applies up to `count` events from the source; returns how many it applied. */
  generate(count: number, now: number): number {
    const event = this.event;
    for (let i = 0; i < count; i++) {
      if (!this.source.next(event)) {
        // A paced source with nothing due yet is not finished: it says so with `ended`.
        if (this.source.paced !== true || this.source.ended === true) this.exhausted = true;
        return i;
      }
      this.apply(event, now);
    }
    return count;
  }

  private apply(event: MarketEvent, now: number): void {
    const index = event.symbolIndex;
    // Labelled before the silence check: a jump while silent shows in the first event after it.
    if (event.jumpBps !== 0) {
      this.labels.add({
        kind: 'jump',
        symbol: this.symbols[index]!.symbol,
        atMs: now,
        updateId: this.updateIds[index]! + 1,
        tradeId: this.tradeIds[index]! + 1,
        bps: event.jumpBps,
      });
    }
    if (this.silentUntil[index]! > now) {
      this.silencedEvents++;
      return;
    }
    this.events++;
    const touch = this.touch;
    const book = this.books[index];
    if (event.quote) {
      const updateId = ++this.updateIds[index]!;
      touch.bid[index] = event.bidPrice;
      touch.bidSize[index] = event.bidSize;
      touch.ask[index] = event.askPrice;
      touch.askSize[index] = event.askSize;
      this.touched[index] = 1;
      if (book !== undefined) {
        book.updateId = updateId;
        book.applyTouch(event);
      }
    }
    const hooks = this.orderHooks?.watches(index) === true ? this.orderHooks : undefined;
    if (event.quote) hooks?.touchMoved(index, event.bidPrice, event.askPrice, now);
    if (event.trade) {
      const buyerAggressor = event.tradeSide === 1;
      let price: number;
      let quantity: number;
      if (event.tradePrice === AT_TOUCH) {
        price = buyerAggressor ? event.askPrice : event.bidPrice;
        quantity = Math.min(event.tradeSize, buyerAggressor ? event.askSize : event.bidSize);
      } else {
        // A recorded print: as recorded; the recorded quotes that follow it move the book.
        price = event.tradePrice;
        quantity = event.tradeSize;
      }
      // Resting account orders at the price take their part of the trade first (and print it).
      if (hooks !== undefined) quantity -= hooks.marketTraded(index, price, quantity, buyerAggressor, now);
      if (event.tradePrice === AT_TOUCH) {
        if (buyerAggressor) touch.askSize[index] = event.askSize - quantity;
        else touch.bidSize[index] = event.bidSize - quantity;
        if (book !== undefined) book.takeAt(buyerAggressor ? ASK : BID, price, quantity);
      }
      if (quantity > 0) this.printTrade(index, price, quantity, buyerAggressor, now);
    }
    if (event.quote) this.publishBookTicker(index);
  }

  /** Prints a trade on the symbol's public streams (trade, aggTrade, klines); returns its trade id. */
  printTrade(index: number, price: number, quantity: number, buyerAggressor: boolean, now: number): number {
    const tradeId = ++this.tradeIds[index]!;
    this.lastPrices[index] = price;
    this.tape.record(index, tradeId, price, quantity, now, !buyerAggressor);
    const streams = this.streams[index];
    if (streams !== undefined)
      this.publishTrade(streams, index, now, tradeId, price, quantity, buyerAggressor);
    return tradeId;
  }

  /**
   * An account's order took `quantity` of the market's level at `price`: one book update (an
   * update id the diff streams carry), the touch follows, levels behind are refilled.
   */
  consume(index: number, side: BookSide, price: number, quantity: number): void {
    const book = this.book(index);
    book.updateId = ++this.updateIds[index]!;
    book.takeAt(side, price, quantity);
    const touch = this.touch;
    touch.bid[index] = book.best(BID) ?? 0;
    touch.bidSize[index] = book.bestQuantity(BID);
    touch.ask[index] = book.best(ASK) ?? 0;
    touch.askSize[index] = book.bestQuantity(ASK);
    this.touched[index] = 1;
    this.publishBookTicker(index);
  }

  private publishBookTicker(index: number): void {
    const channel = this.streams[index]?.bookTicker;
    const book = this.books[index];
    if (channel === undefined || book === undefined) return;
    const { priceScale, sizeScale, symbol } = this.symbols[index]!;
    channel.publish(
      bookTickerPayload(
        this.updateIds[index]!,
        symbol,
        formatDecimal(book.best(BID) ?? 0, priceScale),
        formatDecimal(book.bestQuantity(BID), sizeScale),
        formatDecimal(book.best(ASK) ?? 0, priceScale),
        formatDecimal(book.bestQuantity(ASK), sizeScale),
      ),
    );
  }

  private publishTrade(
    streams: SymbolStreams,
    index: number,
    now: number,
    tradeId: number,
    price: number,
    quantity: number,
    buyerAggressor: boolean,
  ): void {
    const { priceScale, sizeScale, symbol } = this.symbols[index]!;
    if (streams.trade !== undefined || streams.aggTrade !== undefined) {
      const priceText = formatDecimal(price, priceScale);
      const quantityText = formatDecimal(quantity, sizeScale);
      // The buyer is the maker when the seller took liquidity.
      const buyerIsMaker = !buyerAggressor;
      streams.trade?.publish(tradePayload(now, symbol, tradeId, priceText, quantityText, buyerIsMaker));
      streams.aggTrade?.publish(
        aggTradePayload(now, symbol, tradeId, priceText, quantityText, tradeId, buyerIsMaker),
      );
    }
    const klines = streams.klines;
    for (let i = 0; i < klines.length; i++)
      klines[i]!.addTrade(now, tradeId, price, quantity, buyerAggressor);
  }

  /** The symbol's top of book now (the source's starting touch before its first event). */
  touchOf(index: number): { bidPrice: number; bidSize: number; askPrice: number; askSize: number } {
    if (this.touched[index] !== 1) {
      const touch = this.scratch;
      this.source.initialTouch(index, touch);
      return {
        bidPrice: touch.bidPrice,
        bidSize: touch.bidSize,
        askPrice: touch.askPrice,
        askSize: touch.askSize,
      };
    }
    return {
      bidPrice: this.touch.bid[index]!,
      bidSize: this.touch.bidSize[index]!,
      askPrice: this.touch.ask[index]!,
      askSize: this.touch.askSize[index]!,
    };
  }

  /** The symbol's book, built on first use around its current top of book. */
  book(index: number): MarketBook {
    let book = this.books[index];
    if (book === undefined) {
      const touch = this.scratch;
      if (this.touched[index] === 1) {
        touch.bidPrice = this.touch.bid[index]!;
        touch.bidSize = this.touch.bidSize[index]!;
        touch.askPrice = this.touch.ask[index]!;
        touch.askSize = this.touch.askSize[index]!;
      } else {
        this.source.initialTouch(index, touch);
      }
      // Sizes a trade used up entirely leave an empty touch; the book shows the next level instead.
      touch.bidSize = Math.max(1, touch.bidSize);
      touch.askSize = Math.max(1, touch.askSize);
      book = new MarketBook(
        this.symbols[index]!,
        (this.seed * 31 + index * 7_919 + 0x5bd1e995) >>> 0,
        this.updateIds[index]!,
        touch,
      );
      this.books[index] = book;
    }
    return book;
  }

  /** Last trade price (mantissa), or the starting price before the first trade. */
  lastPrice(index: number): number {
    const price = this.lastPrices[index]!;
    if (price > 0) return price;
    const symbol = this.symbols[index]!;
    return Math.max(1, Math.round(symbol.price * 10 ** symbol.priceScale));
  }

  /** Current update id of a symbol (what REST depth returns as lastUpdateId). */
  updateId(index: number): number {
    return this.updateIds[index]!;
  }

  /** Opens the channel of a stream on a known symbol (-1 for a market-wide stream), or returns the open one. */
  openChannel(stream: ParsedStream, index: number, now: number): StreamChannel {
    const open = this.channels.get(stream.name);
    if (open !== undefined) return open;
    if (isTickerKind(stream.kind)) {
      const ticker = new TickerChannel(stream, index, this.counter);
      ticker.lastPush = now;
      this.tickerChannels.add(ticker);
      this.channels.set(stream.name, ticker);
      return ticker;
    }
    const streams = (this.streams[index] ??= new SymbolStreams());
    const symbol = this.symbols[index]!;
    let channel: StreamChannel;
    switch (stream.kind) {
      case 'trade':
        channel = streams.trade = new StreamChannel(stream, index, this.counter);
        break;
      case 'aggTrade':
        channel = streams.aggTrade = new StreamChannel(stream, index, this.counter);
        break;
      case 'bookTicker':
        this.book(index);
        channel = streams.bookTicker = new StreamChannel(stream, index, this.counter);
        break;
      case 'diffDepth': {
        const book = this.book(index);
        const diff = new DiffDepthChannel(stream, index, this.counter, book, symbol);
        book.listeners.push(diff);
        streams.diffDepth.push(diff);
        phaseSet(this.diffChannels, stream.fast, index).add(diff);
        channel = diff;
        break;
      }
      case 'partialDepth':
        this.book(index);
        channel = new StreamChannel(stream, index, this.counter);
        streams.partialDepth.push(channel);
        phaseSet(this.partialChannels, stream.fast, index).add(channel);
        break;
      case 'kline': {
        const kline = new KlineChannel(stream, index, this.counter, symbol, this.lastPrice(index), now);
        streams.klines.push(kline);
        this.klineChannels.add(kline);
        channel = kline;
        break;
      }
    }
    this.channels.set(stream.name, channel);
    return channel;
  }

  /** Closes a channel nobody listens to any more. */
  closeChannel(channel: StreamChannel): void {
    this.channels.delete(channel.stream.name);
    if (channel instanceof TickerChannel) {
      this.tickerChannels.delete(channel);
      return;
    }
    const index = channel.symbolIndex;
    const streams = this.streams[index];
    if (streams === undefined) return;
    if (streams.trade === channel) streams.trade = undefined;
    if (streams.aggTrade === channel) streams.aggTrade = undefined;
    if (streams.bookTicker === channel) streams.bookTicker = undefined;
    if (channel instanceof DiffDepthChannel) {
      remove(streams.diffDepth, channel);
      remove(this.books[index]?.listeners ?? [], channel);
      phaseSet(this.diffChannels, channel.stream.fast, index).delete(channel);
    } else if (channel instanceof KlineChannel) {
      remove(streams.klines, channel);
      this.klineChannels.delete(channel);
    } else if (channel.stream.kind === 'partialDepth') {
      remove(streams.partialDepth, channel);
      phaseSet(this.partialChannels, channel.stream.fast, index).delete(channel);
    }
    if (streams.isEmpty()) this.streams[index] = undefined;
  }

  /** Open channels (distinct streams with at least one subscriber on a known symbol). */
  get openChannels(): number {
    return this.channels.size;
  }

  /**
   * The cadence steps due by `now` (the timer fires late on a busy event loop): the depth pushes
   * of the symbols in each step's phase, and klines on their cadence.
   */
  pushCadence(now: number): void {
    this.cadenceStartMs ??= now;
    const due = Math.floor((now - this.cadenceStartMs) / CADENCE_MS);
    if (due - this.cadenceTicks > MAX_CATCH_UP_STEPS) this.cadenceTicks = due - MAX_CATCH_UP_STEPS;
    while (this.cadenceTicks < due) this.cadenceStep(++this.cadenceTicks, now);
  }

  private cadenceStep(tick: number, now: number): void {
    this.pushDepth(1, tick % PHASES[1], now);
    this.pushDepth(0, tick % PHASES[0], now);
    if (tick % KLINE_STEPS === 0) {
      const everyOther = tick % KLINE_OTHER_STEPS === 0;
      for (const kline of this.klineChannels) {
        if (this.silentUntil[kline.symbolIndex]! > now) continue;
        if (kline.interval === '1s' || everyOther) kline.push(now);
      }
      for (const ticker of this.tickerChannels) this.pushTicker(ticker, now);
    }
  }

  /** One push of a ticker or avgPrice stream (once a second, as Binance's). */
  private pushTicker(channel: TickerChannel, now: number): void {
    const { kind, window } = channel.stream;
    const index = channel.symbolIndex;
    if (index >= 0) {
      if (this.silentUntil[index]! > now) return;
      if (kind === 'avgPrice') {
        channel.publish(
          avgPricePayload(
            now,
            this.symbols[index]!.symbol,
            this.averagePrice(index, now),
            this.tape.lastTradeTime(index),
          ),
        );
      } else {
        channel.publish(this.tickerJson(kind, window, index, now));
      }
      return;
    }
    // Market-wide: only the symbols that traded since the last push, as Binance sends.
    let items = '';
    for (let symbol = 0; symbol < this.symbols.length; symbol++) {
      if (this.tape.lastTradeTime(symbol) <= channel.lastPush) continue;
      items += (items.length > 0 ? ',' : '') + this.tickerJson(kind, window, symbol, now);
    }
    channel.lastPush = now;
    if (items.length > 0) channel.publish(`[${items}]`);
  }

  private tickerJson(kind: string, window: string | undefined, index: number, now: number): string {
    const symbol = this.symbols[index]!;
    const figures = (windowMs: number): TickerFigures =>
      windowFigures(this.tape, symbol, index, this.lastPrice(index), windowMs, now);
    if (kind === 'miniTicker' || kind === 'allMiniTickers')
      return miniTickerPayload(now, symbol.symbol, figures(DAY_MS));
    if (kind === 'windowTicker' || kind === 'allWindowTickers')
      return windowTickerPayload(now, symbol.symbol, window!, figures(TICKER_WINDOW_MS[window!]!));
    const touch = this.touchOf(index);
    const lastQty = this.tape.recentTrades(index, 1)[0]?.quantity ?? 0;
    return tickerPayload(now, symbol.symbol, figures(DAY_MS), {
      lastQty: formatEight(lastQty, symbol.sizeScale),
      bid: formatEight(touch.bidPrice, symbol.priceScale),
      bidQty: formatEight(touch.bidSize, symbol.sizeScale),
      ask: formatEight(touch.askPrice, symbol.priceScale),
      askQty: formatEight(touch.askSize, symbol.sizeScale),
    });
  }

  /** The average trade price of the last five minutes (avgPrice), 8 decimals; the last price when none traded. */
  averagePrice(index: number, now: number): string {
    const stats = this.tape.window(index, now - AVERAGE_PRICE_WINDOW_MS);
    const { priceScale } = this.symbols[index]!;
    if (stats === undefined || stats.volume === 0) return formatEight(this.lastPrice(index), priceScale);
    return (stats.quote / stats.volume / 10 ** priceScale).toFixed(8);
  }

  private pushDepth(speed: 0 | 1, phase: number, now: number): void {
    for (const diff of this.diffChannels[speed]![phase]!) diff.push(now);
    for (const partial of this.partialChannels[speed]![phase]!) {
      const index = partial.symbolIndex;
      if (this.silentUntil[index]! > now) continue;
      const book = this.books[index]!;
      const { priceScale, sizeScale } = this.symbols[index]!;
      const levels = partial.stream.levels;
      partial.publish(
        partialDepthPayload(
          book.updateId,
          levelsJson(book.prices[BID], book.quantities[BID], levels, priceScale, sizeScale),
          levelsJson(book.prices[ASK], book.quantities[ASK], levels, priceScale, sizeScale),
        ),
      );
    }
  }

  // ---- faults ----

  /** No events for the symbol until `until` (epoch ms), and no periodic pushes either. */
  silence(index: number, now: number, until: number): void {
    this.silentUntil[index] = until;
    this.labels.add({ kind: 'silence', symbol: this.symbols[index]!.symbol, atMs: now, untilMs: until });
  }

  /** Drops the next `count` diff depth events of every diff stream of the symbol; returns the streams hit. */
  skipSequence(index: number, count: number, now: number): number {
    const diffs = this.streams[index]?.diffDepth ?? [];
    for (const diff of diffs) diff.skip += count;
    if (diffs.length > 0)
      this.labels.add({ kind: 'gap', symbol: this.symbols[index]!.symbol, atMs: now, count });
    return diffs.length;
  }

  /** The next `updates` events leave the symbol's best bid above its best ask. */
  crossBook(index: number, updates: number, now: number): void {
    const book = this.book(index);
    // Faults add up: the new updates follow those still owed.
    const fromUpdateId = this.updateIds[index]! + 1 + book.crossUpdates;
    book.crossUpdates += updates;
    this.labels.add({
      kind: 'crossed',
      symbol: this.symbols[index]!.symbol,
      atMs: now,
      fromUpdateId,
      updates,
    });
  }
}

const DAY_MS = 24 * 3_600_000;
const TICKER_WINDOW_MS: Record<string, number> = { '1h': 3_600_000, '4h': 4 * 3_600_000, '1d': DAY_MS };
const AVERAGE_PRICE_WINDOW_MS = 5 * 60_000;

const TICKER_KINDS = [
  'miniTicker',
  'ticker',
  'windowTicker',
  'avgPrice',
  'allMiniTickers',
  'allTickers',
  'allWindowTickers',
] as const satisfies readonly ParsedStream['kind'][];

/** The streams pushed once a second with a payload computed at push time (TickerChannel). */
function isTickerKind(kind: ParsedStream['kind']): kind is (typeof TICKER_KINDS)[number] {
  return (TICKER_KINDS as readonly string[]).includes(kind);
}

/** The set of channels of one speed (`fast`: 100 ms) whose symbol pushes in the same step. */
function phaseSet<T>(bySpeed: Set<T>[][], fast: boolean, symbolIndex: number): Set<T> {
  const speed = fast ? 1 : 0;
  return bySpeed[speed]![symbolIndex % PHASES[speed]]!;
}

function remove<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
