import {
  allAnalytics,
  allFills,
  allMarketData,
  analyticsTopic,
  type MessageBus,
  type Pattern,
  type Unsubscribe,
} from '../../bus/index.ts';
import type { RouteHandler, RouteKey } from '../../gateway/index.ts';
import { fromFixedPoint, MESSAGE_TYPES, TICK_BYTES, Tick } from '../../wire/index.ts';
import type { AccountAccess, Engine, EngineHealth } from '../engine.ts';
import { defaultsOf, type OptionValues, optionValues } from '../engine-options.ts';
import type { EnginePartition } from '../partition.ts';
import { ANALYTICS_OPTIONS } from './analytics-options.ts';
import { AnalyticsBook } from './analytics-book.ts';
import { analyticsRoutes } from './analytics-routes.ts';

/** The engine's options: ANALYTICS_OPTIONS says each one's default and rules. */
export type AnalyticsEngineOptions = OptionValues<typeof ANALYTICS_OPTIONS>;

export const ANALYTICS_ENGINE_DEFAULTS: AnalyticsEngineOptions = defaultsOf(ANALYTICS_OPTIONS);
/** The original platform's analytics engine port. */
const ANALYTICS_PORT = 8100;
/** An account's snapshots are published at most this often (wall time), the latest state each time. */
export const SNAPSHOT_EVERY_MS = 100;

/** What the engine has read, for `stats()`. */
export interface AnalyticsEngineStats {
  accounts: number;
  fills: number;
  marks: number;
  /** Fill payloads refused and skipped; `lastMalformed` says why the last one was. */
  malformed: number;
  lastMalformed: string | null;
  snapshotsPublished: number;
  statisticsPublished: number;
}

interface Throttle {
  lastAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The analytics engine (docs/ANALYTICS.md, "The engine"): per account, from its fills
 * (`fills.<account>`) and the mark venue's trades, positions by average cost, realized and
 * unrealized P&L, fees, their attribution per symbol, bot and side, an equity curve sampled on
 * the market's clock and its performance statistics. Publishes each account's P&L snapshot on
 * `analytics.<account>` after its fills (coalesced to one per SNAPSHOT_EVERY_MS) and its
 * statistics at each period's end; serves both over REST.
 */
export class AnalyticsEngine implements Engine {
  readonly name = 'analytics';
  readonly port = ANALYTICS_PORT;
  readonly reads: readonly Pattern[];
  readonly writes = [allAnalytics()];
  /** The state: every account's ledger, the marks, the clock. */
  readonly book: AnalyticsBook;
  private readonly options: AnalyticsEngineOptions;
  /** `md.trade.<markVenue>.*`. */
  private readonly marksPattern: Pattern;
  private readonly tick = new Tick();
  private readonly throttles = new Map<string, Throttle>();
  private bus: MessageBus | undefined;
  private subscriptions: Unsubscribe[] = [];
  private lastMessageAt: number | undefined;
  private snapshotsPublished = 0;
  private statisticsPublished = 0;

  /**
   * With a `partition` (a scaled-out instance, docs/ENGINES.md "Scaling out"), every instance keeps
   * every account's ledger (cheap per fill; any instance answers REST), and publishes snapshots and
   * statistics only for the accounts the partition gives it.
   */
  constructor(
    options: Partial<AnalyticsEngineOptions> = {},
    private readonly partition?: EnginePartition,
  ) {
    this.options = optionValues(ANALYTICS_OPTIONS, options);
    const { periodMs, periodsPerYear, keepPeriods, keepTrades, capital, markVenue, benchmarkSymbol } =
      this.options;
    this.marksPattern = allMarketData('trade', markVenue);
    this.reads = [allFills(), this.marksPattern];
    this.book = new AnalyticsBook({
      periodMs,
      periodsPerYear,
      keepPeriods,
      keepTrades,
      capital,
      benchmarkSymbol,
    });
    this.book.onPeriodClose = () => this.publishStatistics();
  }

  async start(bus: MessageBus): Promise<void> {
    this.bus = bus;
    this.partition?.start(bus);
    this.subscriptions = [
      bus.subscribe(allFills(), (payload, topic) => this.onFill(payload, topic)),
      bus.subscribe(this.marksPattern, (payload, topic) => this.onTrades(payload, topic)),
    ];
  }

  async stop(): Promise<void> {
    this.partition?.stop();
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions = [];
    for (const throttle of this.throttles.values()) clearTimeout(throttle.timer);
    this.throttles.clear();
  }

  health(): EngineHealth {
    const connected = this.bus?.health().state === 'connected';
    const malformed = this.book.malformed;
    const reasons = [
      ...(connected ? [] : ['the bus is not connected']),
      // A skipped fill leaves its account's P&L without it: not ok until someone looks.
      ...(malformed === 0
        ? []
        : [`${malformed} malformed fill(s) skipped, the last: ${this.book.lastMalformed}`]),
    ];
    return {
      status: reasons.length === 0 ? 'ok' : 'degraded',
      messagebusConnected: connected,
      lastMessageAgeMs: this.lastMessageAt === undefined ? null : Date.now() - this.lastMessageAt,
      published: this.snapshotsPublished + this.statisticsPublished,
      ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
    };
  }

  stats(): AnalyticsEngineStats {
    return {
      accounts: this.book.accounts.size,
      fills: this.book.fillsApplied,
      marks: this.book.marksApplied,
      malformed: this.book.malformed,
      lastMalformed: this.book.lastMalformed ?? null,
      snapshotsPublished: this.snapshotsPublished,
      statisticsPublished: this.statisticsPublished,
    };
  }

  routes(access: AccountAccess): Partial<Record<RouteKey, RouteHandler>> {
    return analyticsRoutes(this.book, access);
  }

  /** A fill on `fills.<account>`. */
  private onFill(payload: unknown, topic: string): void {
    this.lastMessageAt = Date.now();
    const account = topic.slice(topic.indexOf('.') + 1);
    if (this.book.applyFill(payload, account) !== undefined) this.scheduleSnapshot(account);
  }

  /** The mark venue's trades of one symbol, from `md.trade.<venue>.<symbol>`. */
  private onTrades(payload: unknown, topic: string): void {
    if (!(payload instanceof Uint8Array)) return;
    this.lastMessageAt = Date.now();
    const symbol = topic.slice(topic.lastIndexOf('.') + 1);
    const tick = this.tick;
    for (let offset = 0; offset + TICK_BYTES <= payload.length; offset += TICK_BYTES) {
      tick.wrap(payload, offset);
      if (MESSAGE_TYPES[tick.type - 1] !== 'trade') continue;
      this.book.applyMark(symbol, fromFixedPoint(tick.price, tick.priceScale), tick.exchangeMs);
    }
    this.partition?.noteMarketTime(this.book.clock);
  }

  /** Publishes the account's snapshot now, or once SNAPSHOT_EVERY_MS after the last one. */
  private scheduleSnapshot(account: string): void {
    let throttle = this.throttles.get(account);
    if (throttle === undefined) {
      throttle = { lastAt: -Infinity, timer: undefined };
      this.throttles.set(account, throttle);
    }
    if (throttle.timer !== undefined) return; // the pending one will carry this fill too
    const wait = throttle.lastAt + SNAPSHOT_EVERY_MS - Date.now();
    if (wait <= 0) this.publishSnapshot(account, throttle);
    else throttle.timer = setTimeout(() => this.publishSnapshot(account, throttle), wait);
  }

  private publishSnapshot(account: string, throttle: Throttle): void {
    throttle.timer = undefined;
    throttle.lastAt = Date.now();
    if (!this.owns(account)) return;
    const snapshot = this.book.snapshot(account);
    if (snapshot === undefined || this.bus === undefined) return;
    this.snapshotsPublished++;
    this.bus.publish(analyticsTopic(account), snapshot);
  }

  private owns(account: string): boolean {
    return this.partition === undefined || this.partition.owns(account, this.book.clock);
  }

  /** Each account's statistics, after a period closed. */
  private publishStatistics(): void {
    const bus = this.bus;
    if (bus === undefined) return;
    for (const account of this.book.accounts.keys()) {
      if (!this.owns(account)) continue;
      const statistics = this.book.statistics(account);
      if (statistics === undefined) continue;
      this.statisticsPublished++;
      bus.publish(analyticsTopic(account), statistics);
    }
  }
}
