import { eightDecimals, formatDecimal } from '../market/decimal.ts';
import { ASK, type BookSide, type LevelChangeListener, type OrderBook } from '../market/order-book.ts';
import {
  changedLevelsJson,
  combinedPrefix,
  depthUpdatePayload,
  type KlineFields,
  klinePayload,
} from './payloads.ts';
import { type KlineInterval, klineCloseTime, klineOpenTime, type ParsedStream } from './stream-names.ts';
import { asciiTextFrame } from './text-frame.ts';
import type { SimulatedSymbol } from '../market/universe.ts';

/** A connection as a channel sees it: raw or combined payloads, and where frames go. */
export interface FrameSink {
  readonly combined: boolean;
  enqueue(frame: string): void;
}

/** Counts frames handed to connections (the simulator's `messagesSent`). */
export interface SendCounter {
  frames: number;
}

/**
 * One stream (e.g. `btcusdt@trade`) and the connections subscribed to it. A payload is framed
 * at most twice per publish (raw and combined envelope), whatever the number of subscribers:
 * every subscriber of a form gets the same string.
 */
export class StreamChannel {
  readonly subscribers: FrameSink[] = [];
  private readonly prefix: string;

  constructor(
    readonly stream: ParsedStream,
    readonly symbolIndex: number,
    private readonly counter: SendCounter,
  ) {
    this.prefix = combinedPrefix(stream.name);
  }

  publish(payload: string): void {
    const subscribers = this.subscribers;
    let raw: string | undefined;
    let combined: string | undefined;
    for (let i = 0; i < subscribers.length; i++) {
      const sink = subscribers[i]!;
      if (sink.combined) sink.enqueue((combined ??= asciiTextFrame(`${this.prefix}${payload}}`)));
      else sink.enqueue((raw ??= asciiTextFrame(payload)));
    }
    this.counter.frames += subscribers.length;
  }
}

/**
 * A diff depth stream (`@depth` or `@depth@100ms`): gathers the book's level changes between
 * two pushes (the last quantity of each changed level) with the first and last update id that
 * changed it, so consecutive events carry contiguous `U`/`u`.
 */
export class DiffDepthChannel extends StreamChannel implements LevelChangeListener {
  private firstUpdateId = 0;
  private lastUpdateId = 0;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  /** Events still to drop (the skip-sequence fault): their changes are lost, leaving a gap. */
  skip = 0;

  constructor(
    stream: ParsedStream,
    symbolIndex: number,
    counter: SendCounter,
    private readonly book: OrderBook & { updateId: number },
    private readonly symbol: SimulatedSymbol,
  ) {
    super(stream, symbolIndex, counter);
  }

  levelChanged(side: BookSide, price: number, quantity: number): void {
    const updateId = this.book.updateId;
    if (this.firstUpdateId === 0) this.firstUpdateId = updateId;
    this.lastUpdateId = updateId;
    (side === ASK ? this.asks : this.bids).set(price, quantity);
  }

  /** Publishes the changes gathered since the last push, if any; returns true when it sent. */
  push(eventTime: number): boolean {
    if (this.firstUpdateId === 0) return false;
    const dropped = this.skip > 0;
    if (dropped) this.skip--;
    else {
      const { priceScale, sizeScale } = this.symbol;
      this.publish(
        depthUpdatePayload(
          eventTime,
          this.symbol.symbol,
          this.firstUpdateId,
          this.lastUpdateId,
          changedLevelsJson(this.bids, priceScale, sizeScale),
          changedLevelsJson(this.asks, priceScale, sizeScale),
        ),
      );
    }
    this.firstUpdateId = 0;
    this.bids.clear();
    this.asks.clear();
    return !dropped;
  }
}

/**
 * A kline stream: the current kline of one interval, built from the trades seen since the
 * stream was opened (the simulator keeps no trade history), pushed on the stream's cadence and
 * once more, closed (`x: true`), when a trade or a push finds its interval over.
 */
export class KlineChannel extends StreamChannel {
  private openTime = 0;
  private closeTime = 0;
  private open = 0;
  private high = 0;
  private low = 0;
  private close = 0;
  private volume = 0;
  private quoteVolume = 0;
  private takerBuyVolume = 0;
  private takerBuyQuoteVolume = 0;
  private trades = 0;
  private firstTradeId = -1;
  private lastTradeId = -1;
  private readonly fields: KlineFields;

  constructor(
    stream: ParsedStream,
    symbolIndex: number,
    counter: SendCounter,
    private readonly symbol: SimulatedSymbol,
    lastPrice: number,
    now: number,
  ) {
    super(stream, symbolIndex, counter);
    this.fields = {
      openTime: 0,
      closeTime: 0,
      interval: stream.interval!,
      firstTradeId: -1,
      lastTradeId: -1,
      open: '',
      close: '',
      high: '',
      low: '',
      volume: '',
      trades: 0,
      closed: false,
      quoteVolume: '',
      takerBuyVolume: '',
      takerBuyQuoteVolume: '',
    };
    this.roll(now, lastPrice);
  }

  get interval(): KlineInterval {
    return this.stream.interval!;
  }

  /** Adds a trade (price and quantity mantissas); closes and rolls the kline first when it is over. */
  addTrade(time: number, tradeId: number, price: number, quantity: number, buyerAggressor: boolean): void {
    if (time > this.closeTime) {
      this.emit(time, true);
      this.roll(time, this.close);
    }
    if (this.trades === 0) {
      this.open = price;
      this.high = price;
      this.low = price;
      this.firstTradeId = tradeId;
    }
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    this.close = price;
    this.lastTradeId = tradeId;
    this.trades++;
    this.volume += quantity;
    const quote = (price / 10 ** this.symbol.priceScale) * (quantity / 10 ** this.symbol.sizeScale);
    this.quoteVolume += quote;
    if (buyerAggressor) {
      this.takerBuyVolume += quantity;
      this.takerBuyQuoteVolume += quote;
    }
  }

  /** The periodic push: the kline so far, or its closed form and a new kline when it is over. */
  push(now: number): void {
    if (now > this.closeTime) {
      this.emit(now, true);
      this.roll(now, this.close);
      return;
    }
    this.emit(now, false);
  }

  private emit(eventTime: number, closed: boolean): void {
    const { priceScale, sizeScale } = this.symbol;
    const f = this.fields;
    f.openTime = this.openTime;
    f.closeTime = this.closeTime;
    f.firstTradeId = this.firstTradeId;
    f.lastTradeId = this.lastTradeId;
    f.open = formatDecimal(this.open, priceScale);
    f.close = formatDecimal(this.close, priceScale);
    f.high = formatDecimal(this.high, priceScale);
    f.low = formatDecimal(this.low, priceScale);
    f.volume = formatDecimal(this.volume, sizeScale);
    f.trades = this.trades;
    f.closed = closed;
    f.quoteVolume = eightDecimals(this.quoteVolume);
    f.takerBuyVolume = formatDecimal(this.takerBuyVolume, sizeScale);
    f.takerBuyQuoteVolume = eightDecimals(this.takerBuyQuoteVolume);
    this.publish(klinePayload(eventTime, this.symbol.symbol, f));
  }

  private roll(now: number, price: number): void {
    this.openTime = klineOpenTime(this.interval, now);
    this.closeTime = klineCloseTime(this.interval, this.openTime);
    this.open = price;
    this.high = price;
    this.low = price;
    this.close = price;
    this.volume = 0;
    this.quoteVolume = 0;
    this.takerBuyVolume = 0;
    this.takerBuyQuoteVolume = 0;
    this.trades = 0;
    this.firstTradeId = -1;
    this.lastTradeId = -1;
  }
}

/**
 * A stream pushed once a second whose payload the market computes at push time (the tickers and
 * avgPrice; `symbolIndex` is -1 for the market-wide arrays, which only carry the symbols that
 * traded since `lastPush`).
 */
export class TickerChannel extends StreamChannel {
  lastPush = 0;
}

/** The open streams of one symbol, by kind; absent when nobody listens to the symbol. */
export class SymbolStreams {
  trade: StreamChannel | undefined;
  aggTrade: StreamChannel | undefined;
  bookTicker: StreamChannel | undefined;
  readonly diffDepth: DiffDepthChannel[] = [];
  readonly partialDepth: StreamChannel[] = [];
  readonly klines: KlineChannel[] = [];

  isEmpty(): boolean {
    return (
      this.trade === undefined &&
      this.aggTrade === undefined &&
      this.bookTicker === undefined &&
      this.diffDepth.length === 0 &&
      this.partialDepth.length === 0 &&
      this.klines.length === 0
    );
  }
}
