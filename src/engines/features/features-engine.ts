import {
  allBars,
  allFeatures,
  allMarketData,
  barsTopic,
  DEMAND_TOPIC,
  featuresTopic,
  type MessageBus,
  type Topic,
  topicMatches,
  type Unsubscribe,
} from '../../bus/index.ts';
import { TickwireError } from '../../errors.ts';
import type { RouteHandler, RouteKey } from '../../gateway/index.ts';
import { fromFixedPoint, MESSAGE_TYPES, SIDE, TICK_BYTES, Tick } from '../../wire/index.ts';
import { DemandTracker } from '../demand.ts';
import type { Engine, EngineHealth } from '../engine.ts';
import { defaultsOf, type OptionValues, optionValues } from '../engine-options.ts';
import { type EnginePartition, HEARTBEAT_MS, LAPSE_MS } from '../partition.ts';
import { type Aggressor, type Bar, BarBuilder } from './bar-builder.ts';
import { barSpecName, parseBarSpec } from './bar-spec.ts';
import { FEATURES_OPTIONS } from './features-options.ts';
import {
  type FeatureRequest,
  type Indicator,
  type IndicatorValue,
  parseFeatureName,
} from './indicators/index.ts';
import { featuresRoutes } from './features-routes.ts';
import { SymbolMarket } from './symbol-market.ts';

/**
 * A closed bar on `bars.<venue>.<symbol>.<spec>`. Prices and amounts are numbers (the features'
 * arithmetic). A type, not an interface: a bus payload.
 */
export type BarMessage = Bar & {
  type: 'bar';
  venue: string;
  symbol: string;
  spec: string;
};

/** A feature's value after a bar closed, on `features.<venue>.<symbol>.<feature>`. */
export type FeatureMessage = {
  type: 'feature';
  venue: string;
  symbol: string;
  feature: string;
  spec: string;
  /** The close time of the bar it was computed on, ms. */
  time: number;
  value: IndicatorValue;
};

/** Bar specs, bars kept, features always computed: FEATURES_OPTIONS says each one's default and rules. */
export type FeaturesEngineOptions = OptionValues<typeof FEATURES_OPTIONS>;

export const FEATURES_ENGINE_DEFAULTS: FeaturesEngineOptions = defaultsOf(FEATURES_OPTIONS);
/** The original platform's features engine port. */
const FEATURES_PORT = 8500;
/** How far the market's clock moves between two sweeps closing quiet symbols' time bars. */
const SWEEP_EVERY_MS = 250;
/** How often demand leases are checked. */
const EXPIRE_EVERY_MS = 1_000;

interface RunningFeature {
  readonly name: string;
  readonly indicator: Indicator;
  /** It reads the book (quotes and levels), not only bars. */
  readonly readsBook: boolean;
  readonly topic: Topic;
  last: FeatureMessage | undefined;
}

interface SymbolState {
  /** `<venue>.<symbol>`. */
  key: string;
  /** Whether this instance publishes its bars and computes its features (always, unless scaled out). */
  owned: boolean;
  venue: string;
  symbol: string;
  builders: BarBuilder[];
  /** Per spec, the last bars, oldest first. */
  kept: BarMessage[][];
  /** Per spec, the features running on its bars, by name. */
  features: Map<string, RunningFeature>[];
  market: SymbolMarket;
}

/**
 * The features engine (docs/FEATURES.md): for every symbol whose trades reach the bus, bars of the
 * configured specs (published on `bars.<venue>.<symbol>.<spec>` and kept for `GET /api/v1/bars`),
 * and over them the indicators someone asked for: the configured ones, and those any node's
 * clients subscribe to (`features.<venue>.<symbol>.<feature>`, learned from the demand topic),
 * each published after every bar it runs on. Everything moves with the market's clock (the
 * latest trade time seen), not the wall clock, so a replay of a recording at any speed gives the
 * values the live market gave.
 */
export class FeaturesEngine implements Engine {
  readonly name = 'features';
  readonly port = FEATURES_PORT;
  readonly reads = [allMarketData('trade'), allMarketData('quote'), allMarketData('book'), DEMAND_TOPIC];
  readonly writes = [allBars(), allFeatures()];
  private readonly options: FeaturesEngineOptions;
  /** The bar specs built, by name; features run on the first unless they name another. */
  readonly specs: readonly string[];
  readonly joinGraceMs: number;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly tick = new Tick();
  private readonly demand = new DemandTracker(() => this.reconcile());
  /** Feature names seen in demand or configuration, parsed once: the request or why it is refused. */
  private readonly parsed = new Map<string, FeatureRequest | TickwireError>();
  private bus: MessageBus | undefined;
  private subscriptions: Unsubscribe[] = [];
  /** Quotes and book levels, read only while some running feature reads the book. */
  private bookSubscriptions: Unsubscribe[] = [];
  private bookReaders = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt: number | undefined;
  /** The latest trade time seen, ms: the market's clock. */
  private marketTime = 0;
  private nextSweep = 0;
  /** Bars and feature values published. */
  published = 0;
  /** Scaled out: the latest close time of each bars topic, published by any instance. */
  private readonly lastPublished = new Map<string, number>();
  /** The first trade time this instance saw: bars that began before it are not whole. */
  private firstTradeTime = 0;

  /**
   * With a `partition` (a scaled-out instance, docs/ENGINES.md "Scaling out"), the engine still
   * builds every symbol's bars (cheap, and what lets it take a symbol over at once) but publishes
   * bars and computes features only for the symbols the partition gives it.
   */
  constructor(
    options: Partial<FeaturesEngineOptions> = {},
    private readonly partition?: EnginePartition,
  ) {
    // Checked up front: a bad spec or feature is a configuration error, not a runtime one.
    this.options = optionValues(FEATURES_OPTIONS, options);
    const specs = this.options.bars.map(parseBarSpec);
    this.specs = specs.map(barSpecName);
    // A new instance's first bar of each time spec began before it came: it waits one longest bar
    // after the next whole one, so the bars it may have to catch up are whole.
    this.joinGraceMs = 2 * Math.max(1_000, ...specs.map((spec) => (spec.kind === 'time' ? spec.ms : 0)));
    for (const name of this.options.features) {
      const request = this.request(name);
      if (request instanceof TickwireError) throw request;
    }
  }

  async start(bus: MessageBus): Promise<void> {
    this.bus = bus;
    const onTicks = (payload: unknown, topic: string): void => this.onTicks(payload, topic);
    this.subscriptions = [bus.subscribe(allMarketData('trade'), onTicks)];
    this.followBook();
    if (this.partition !== undefined) {
      this.partition.start(bus);
      this.subscriptions.push(
        bus.subscribe(allBars(), (payload, topic) => {
          const closeTime = (payload as Partial<BarMessage> | null)?.closeTime;
          if (typeof closeTime === 'number' && closeTime > (this.lastPublished.get(topic) ?? 0))
            this.lastPublished.set(topic, closeTime);
        }),
      );
    }
    this.demand.start(bus);
    this.timer = setInterval(() => this.demand.expire(), EXPIRE_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.partition?.stop();
    for (const unsubscribe of [...this.subscriptions, ...this.bookSubscriptions]) unsubscribe();
    this.subscriptions = [];
    this.bookSubscriptions = [];
    this.demand.stop();
    clearInterval(this.timer);
  }

  health(): EngineHealth {
    const connected = this.bus?.health().state === 'connected';
    return {
      status: connected ? 'ok' : 'degraded',
      messagebusConnected: connected,
      lastMessageAgeMs: this.lastMessageAt === undefined ? null : Date.now() - this.lastMessageAt,
      published: this.published,
      ...(connected ? {} : { reason: 'the bus is not connected' }),
    };
  }

  /** Bars kept per symbol and spec. */
  get keep(): number {
    return this.options.keep;
  }

  /** Whether the symbol has had a tick. */
  knows(venue: string, symbol: string): boolean {
    return this.symbols.has(`${venue}.${symbol}`);
  }

  /** The last bars of a symbol, oldest first. */
  bars(venue: string, symbol: string, spec: string): BarMessage[] | undefined {
    const index = this.specs.indexOf(spec);
    return index < 0 ? undefined : this.symbols.get(`${venue}.${symbol}`)?.kept[index];
  }

  /** The features running on a symbol with their last values. */
  features(venue: string, symbol: string): { feature: string; spec: string; last: FeatureMessage | null }[] {
    const entry = this.symbols.get(`${venue}.${symbol}`);
    if (entry === undefined) return [];
    return entry.features.flatMap((running, index) =>
      [...running.values()].map((feature) => ({
        feature: feature.name,
        spec: this.specs[index]!,
        last: feature.last ?? null,
      })),
    );
  }

  /** Feature names asked for that cannot be computed, with why. */
  refused(): { feature: string; error: string }[] {
    return [...this.parsed]
      .filter((entry): entry is [string, TickwireError] => entry[1] instanceof TickwireError)
      .map(([feature, error]) => ({ feature, error: error.message }));
  }

  routes(): Partial<Record<RouteKey, RouteHandler>> {
    return featuresRoutes(this);
  }

  /** One symbol's ticks from `md.<kind>.<venue>.<symbol>`. */
  private onTicks(payload: unknown, topic: string): void {
    if (!(payload instanceof Uint8Array)) return;
    this.lastMessageAt = Date.now();
    const key = topic.slice(topic.indexOf('.', 3) + 1);
    const entry = this.symbols.get(key) ?? this.addSymbol(key);
    const tick = this.tick;
    for (let offset = 0; offset + TICK_BYTES <= payload.length; offset += TICK_BYTES) {
      tick.wrap(payload, offset);
      const type = MESSAGE_TYPES[tick.type - 1];
      if (type === 'trade') {
        const time = tick.exchangeMs;
        if (time > this.marketTime) {
          this.marketTime = time;
          if (this.firstTradeTime === 0) this.firstTradeTime = time;
          this.partition?.noteMarketTime(time);
        }
        const price = fromFixedPoint(tick.price, tick.priceScale);
        const size = fromFixedPoint(tick.size, tick.sizeScale);
        const aggressor: Aggressor =
          tick.side === SIDE.buy ? 'buy' : tick.side === SIDE.sell ? 'sell' : 'unknown';
        for (const builder of entry.builders) builder.trade(time, price, size, aggressor);
        if (this.marketTime >= this.nextSweep) this.sweep();
      } else if (type === 'quote') entry.market.applyQuote(tick);
      else if (type === 'book') entry.market.applyLevel(tick);
    }
  }

  /** Closes every symbol's time bars that ended on the market's clock (quiet symbols' too). */
  private sweep(): void {
    this.nextSweep = this.marketTime + SWEEP_EVERY_MS;
    for (const entry of this.symbols.values())
      for (const builder of entry.builders) builder.closeUntil(this.marketTime);
  }

  private onBar(entry: SymbolState, index: number, bar: Bar): void {
    const message: BarMessage = {
      type: 'bar',
      venue: entry.venue,
      symbol: entry.symbol,
      spec: this.specs[index]!,
      ...bar,
    };
    const window = entry.kept[index]!;
    window.push(message);
    // Trimmed in batches: amortized O(1) per bar.
    if (window.length >= 2 * this.options.keep) window.splice(0, window.length - this.options.keep);
    if (this.partition === undefined) return this.publishBar(entry, index, message);
    const owned = this.partition.owns(entry.key, bar.closeTime);
    if (owned === entry.owned) {
      if (owned) this.publishBar(entry, index, message);
      return;
    }
    entry.owned = owned;
    if (owned) this.takeOver(entry, bar.closeTime);
    else this.reconcileSymbol(entry, this.wanted());
  }

  /** Publishes a closed bar and the values of the features running on it. */
  private publishBar(entry: SymbolState, index: number, bar: BarMessage): void {
    const bus = this.bus;
    const topic = barsTopic(entry.venue, entry.symbol, bar.spec);
    // Scaled out, an instance that fell behind (a stalled process) may have been taken for dead
    // and its bar published by another: it has seen that on the bus, and publishes neither the
    // bar nor its features (which still take it, to stay in step).
    const publish = this.partition === undefined || (this.lastPublished.get(topic) ?? 0) < bar.closeTime;
    if (publish) {
      bus?.publish(topic, bar);
      this.published++;
    }
    for (const feature of entry.features[index]!.values()) {
      const value = feature.indicator.update(bar, entry.market);
      if (value === null || !publish) continue;
      feature.last = {
        type: 'feature',
        venue: entry.venue,
        symbol: entry.symbol,
        feature: feature.name,
        spec: bar.spec,
        time: bar.closeTime,
        value,
      };
      this.published++;
      bus?.publish(feature.topic, feature.last);
    }
  }

  /**
   * A scaled-out instance gains a symbol (an instance joined or left) at the bar closing at `time`.
   * Its features start, warmed up on the bars kept up to what was last published of the symbol;
   * the bars after that (those a dead owner did not publish in its lapse, and this one) are
   * published now, with their feature values. Bars that began before this instance's first trade
   * are not whole and are never published.
   */
  private takeOver(entry: SymbolState, time: number): void {
    const since = this.specs.map((spec, index) => {
      const published = this.lastPublished.get(barsTopic(entry.venue, entry.symbol, spec)) ?? 0;
      const missedSince = Math.max(published, time - LAPSE_MS - 2 * HEARTBEAT_MS);
      return entry.kept[index]!.findIndex(
        (bar) => bar.closeTime > missedSince && bar.openTime >= this.firstTradeTime,
      );
    });
    this.reconcileSymbol(entry, this.wanted(), since);
    since.forEach((from, index) => {
      if (from < 0) return;
      for (const bar of entry.kept[index]!.slice(from)) this.publishBar(entry, index, bar);
    });
  }

  /** Starts a symbol (`<venue>.<symbol>`) at its first tick. */
  private addSymbol(key: string): SymbolState {
    const [venue, symbol] = key.split('.') as [string, string];
    const entry: SymbolState = {
      key,
      owned: this.partition === undefined,
      venue,
      symbol,
      kept: this.specs.map(() => []),
      features: this.specs.map(() => new Map()),
      market: new SymbolMarket(),
      builders: [],
    };
    entry.builders = this.specs.map(
      (spec, index) => new BarBuilder(parseBarSpec(spec), (bar) => this.onBar(entry, index, bar)),
    );
    this.symbols.set(key, entry);
    this.reconcileSymbol(entry, this.wanted());
    return entry;
  }

  private request(name: string): FeatureRequest | TickwireError {
    let request = this.parsed.get(name);
    if (request === undefined) {
      try {
        request = parseFeatureName(name);
        if (request.spec !== undefined && !this.specs.includes(request.spec))
          throw new TickwireError(
            'BAD_FEATURE',
            `feature ${JSON.stringify(name)}: bars of ${request.spec} are not built (built: ${this.specs.join(', ')})`,
          );
      } catch (error) {
        request = error instanceof TickwireError ? error : new TickwireError('BAD_FEATURE', String(error));
      }
      this.parsed.set(name, request);
    }
    return request;
  }

  /**
   * Reads quotes and book levels while some feature reads the book, and not otherwise: they are most
   * of the market's messages. The book of a symbol is then rebuilt from the levels seen since and
   * the feed's next snapshot; the top of book from the next quote.
   */
  private followBook(): void {
    const bus = this.bus;
    if (bus === undefined) return;
    const reading = this.bookSubscriptions.length > 0;
    if (this.bookReaders > 0 && !reading) {
      const onTicks = (payload: unknown, topic: string): void => this.onTicks(payload, topic);
      this.bookSubscriptions = [
        bus.subscribe(allMarketData('quote'), onTicks),
        bus.subscribe(allMarketData('book'), onTicks),
      ];
    } else if (this.bookReaders === 0 && reading) {
      for (const unsubscribe of this.bookSubscriptions) unsubscribe();
      this.bookSubscriptions = [];
    }
  }

  /** The feature names wanted on every symbol, and the demand patterns that may want more. */
  private wanted(): { everywhere: readonly string[]; patterns: string[] } {
    // A pattern names a feature only by a literal last segment: `features.SIM.*.rsi-14` starts
    // rsi-14 on every SIM symbol, `features.>` starts nothing (it reads what others asked for).
    const patterns = [...this.demand.patterns()].filter((pattern) => {
      const last = pattern.slice(pattern.lastIndexOf('.') + 1);
      return last !== '*' && last !== '>' && pattern.split('.').length === 4;
    });
    return { everywhere: this.options.features, patterns };
  }

  private reconcile(): void {
    const wanted = this.wanted();
    for (const entry of this.symbols.values()) this.reconcileSymbol(entry, wanted);
  }

  /**
   * Starts the features now wanted on a symbol this instance owns and stops the others; a new one is
   * warmed up on the kept bars (of each spec, those before index `warmBefore[spec]` when given).
   */
  private reconcileSymbol(
    entry: SymbolState,
    wanted: { everywhere: readonly string[]; patterns: string[] },
    warmBefore?: readonly number[],
  ): void {
    const names = new Set(entry.owned ? wanted.everywhere : []);
    for (const pattern of entry.owned ? wanted.patterns : []) {
      const name = pattern.slice(pattern.lastIndexOf('.') + 1);
      if (topicMatches(pattern, `features.${entry.venue}.${entry.symbol}.${name}`)) names.add(name);
    }
    const byIndex = this.specs.map(() => new Map<string, FeatureRequest>());
    for (const name of names) {
      const request = this.request(name);
      if (request instanceof TickwireError) continue;
      byIndex[request.spec === undefined ? 0 : this.specs.indexOf(request.spec)]!.set(name, request);
    }
    byIndex.forEach((requests, index) => {
      const running = entry.features[index]!;
      for (const [name, feature] of running)
        if (!requests.has(name)) {
          running.delete(name);
          if (feature.readsBook) this.bookReaders--;
        }
      for (const [name, request] of requests) {
        if (running.has(name)) continue;
        const indicator = request.indicator.create(request.params);
        // Warmed up on the bars kept, so that a feature asked for late has a value at the next bar.
        const kept = entry.kept[index]!;
        const end = warmBefore === undefined || warmBefore[index]! < 0 ? kept.length : warmBefore[index]!;
        for (let i = 0; i < end; i++) indicator.update(kept[i]!, entry.market);
        const readsBook = request.indicator.readsBook === true;
        if (readsBook) this.bookReaders++;
        running.set(name, {
          name,
          indicator,
          readsBook,
          topic: featuresTopic(entry.venue, entry.symbol, name),
          last: undefined,
        });
      }
    });
    this.followBook();
  }
}
