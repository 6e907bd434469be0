import { allBars, allMarketData, barsTopic, type MessageBus, type Unsubscribe } from '../../bus/index.ts';
import { type RouteHandler, type RouteKey, sendError, sendJson } from '../../gateway/index.ts';
import { fromFixedPoint, TICK_BYTES, Tick } from '../../wire/index.ts';
import type { Engine, EngineHealth } from '../engine.ts';
import { type Bar, BarBuilder } from './bar-builder.ts';
import { barSpecName, type BarSpec, parseBarSpec } from './bar-spec.ts';

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

export interface FeaturesEngineOptions {
  /** Bar specs built for every symbol with trades. */
  bars: readonly string[];
  /** Bars kept per symbol and spec for GET /api/v1/bars. */
  keep: number;
}

export const FEATURES_ENGINE_DEFAULTS: FeaturesEngineOptions = { bars: ['1s', '1m'], keep: 1_000 };
/** The original platform's features engine port. */
const FEATURES_PORT = 8500;
/** How often quiet symbols' time bars are closed, on the market's clock. */
const CLOSE_EVERY_MS = 250;
const BARS_LIMIT = { default: 100 } as const;

interface SymbolBars {
  venue: string;
  symbol: string;
  builders: BarBuilder[];
  /** Per spec, the last bars, oldest first. */
  kept: BarMessage[][];
}

/**
 * The features engine (docs/FEATURES.md). So far it builds bars: for every symbol whose trades
 * reach the bus, the configured bar specs, each closed bar published on
 * `bars.<venue>.<symbol>.<spec>` and kept for `GET /api/v1/bars`. Time bars of quiet symbols are
 * closed on the market's clock (the latest trade time seen on any symbol), so a replay at any
 * speed closes them as the live market would. Indicators over the bars are still to come.
 */
export class FeaturesEngine implements Engine {
  readonly name = 'features';
  readonly port = FEATURES_PORT;
  readonly reads = [allMarketData('trade')];
  readonly writes = [allBars()];
  private readonly options: FeaturesEngineOptions;
  private readonly specs: readonly { name: string; spec: BarSpec }[];
  private readonly symbols = new Map<string, SymbolBars>();
  private readonly tick = new Tick();
  private bus: MessageBus | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt: number | undefined;
  /** The latest trade time seen, ms: the market's clock. */
  private marketTime = 0;

  constructor(options: Partial<FeaturesEngineOptions> = {}) {
    this.options = { ...FEATURES_ENGINE_DEFAULTS, ...options };
    // Parsed up front: a bad spec is a configuration error, not a runtime one.
    this.specs = this.options.bars.map((text) => {
      const spec = parseBarSpec(text);
      return { name: barSpecName(spec), spec };
    });
  }

  async start(bus: MessageBus): Promise<void> {
    this.bus = bus;
    this.unsubscribe = bus.subscribe(this.reads[0]!, (payload, topic) => this.onTrades(payload, topic));
    this.timer = setInterval(() => {
      for (const entry of this.symbols.values())
        for (const builder of entry.builders) builder.closeUntil(this.marketTime);
    }, CLOSE_EVERY_MS);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  health(): EngineHealth {
    const connected = this.bus?.health().state === 'connected';
    return {
      status: connected ? 'ok' : 'degraded',
      messagebusConnected: connected,
      lastMessageAgeMs: this.lastMessageAt === undefined ? null : Date.now() - this.lastMessageAt,
      ...(connected ? {} : { reason: 'the bus is not connected' }),
    };
  }

  /** The last bars of a symbol, oldest first. */
  bars(venue: string, symbol: string, spec: string): BarMessage[] | undefined {
    const index = this.specs.findIndex((entry) => entry.name === spec);
    return index < 0 ? undefined : this.symbols.get(`${venue}.${symbol}`)?.kept[index];
  }

  routes(): Partial<Record<RouteKey, RouteHandler>> {
    return {
      'GET /api/v1/bars': (request, response) => {
        const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
        const venue = query.get('venue') ?? 'SIM';
        const symbol = query.get('symbol') ?? '';
        const spec = query.get('spec') ?? this.specs[0]!.name;
        const limit = Number(query.get('limit') ?? BARS_LIMIT.default);
        if (!(Number.isInteger(limit) && limit >= 1 && limit <= this.options.keep))
          return sendError(
            response,
            400,
            'BAD_REQUEST',
            `limit must be a whole number 1..${this.options.keep}`,
          );
        if (!this.specs.some((entry) => entry.name === spec))
          return sendError(
            response,
            404,
            'UNKNOWN_BAR_SPEC',
            `bars are built for ${this.specs.map((entry) => entry.name).join(', ')}`,
          );
        const bars = this.bars(venue, symbol, spec);
        if (bars === undefined)
          return sendError(response, 404, 'UNKNOWN_SYMBOL', `no trades of ${venue} ${symbol} seen yet`);
        sendJson(response, 200, { venue, symbol, spec, bars: bars.slice(-limit) });
      },
    };
  }

  private onTrades(payload: unknown, topic: string): void {
    if (!(payload instanceof Uint8Array)) return;
    this.lastMessageAt = Date.now();
    const entry = this.symbols.get(topic.slice(topic.indexOf('.', 3) + 1)) ?? this.addSymbol(topic);
    const tick = this.tick;
    for (let offset = 0; offset + TICK_BYTES <= payload.length; offset += TICK_BYTES) {
      tick.wrap(payload, offset);
      const time = tick.exchangeMs;
      if (time > this.marketTime) this.marketTime = time;
      const price = fromFixedPoint(tick.price, tick.priceScale);
      const size = fromFixedPoint(tick.size, tick.sizeScale);
      for (const builder of entry.builders) builder.trade(time, price, size);
    }
  }

  /** `md.trade.<venue>.<symbol>`: its builders, publishing on its bars topics. */
  private addSymbol(topic: string): SymbolBars {
    const [, , venue, symbol] = topic.split('.') as [string, string, string, string];
    const kept = this.specs.map(() => [] as BarMessage[]);
    const entry: SymbolBars = {
      venue,
      symbol,
      kept,
      builders: this.specs.map(({ name, spec }, index) => {
        const bars = barsTopic(venue, symbol, name);
        return new BarBuilder(spec, (bar) => {
          const message: BarMessage = { type: 'bar', venue, symbol, spec: name, ...bar };
          const window = kept[index]!;
          window.push(message);
          // Trimmed in batches: amortized O(1) per bar.
          if (window.length >= 2 * this.options.keep) window.splice(0, window.length - this.options.keep);
          this.bus?.publish(bars, message);
        });
      }),
    };
    this.symbols.set(`${venue}.${symbol}`, entry);
    return entry;
  }
}
