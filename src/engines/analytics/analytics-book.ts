import {
  AccountLedger,
  type AnalyticsSnapshot,
  type EquityPoint,
  type LedgerLimits,
  type SymbolAssets,
} from './account-ledger.ts';
import { assetsFromFill, parseFill } from './fill-parser.ts';
import {
  type PerformanceStatistics,
  summarize,
  summarizeTrades,
  type TradeStatistics,
} from './statistics.ts';

/** A year of periods: crypto markets trade every day of the year. */
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export interface AnalyticsBookOptions extends LedgerLimits {
  /** Length of a period of the equity curve, ms. */
  readonly periodMs: number;
  /** Periods in a year, for annualizing; YEAR_MS / periodMs when absent. */
  readonly periodsPerYear?: number | undefined;
  /** The symbol whose returns are the benchmark (alpha, beta, information ratio). */
  readonly benchmarkSymbol: string;
}

/** A market price of a symbol at a time: the last trade on the mark venue. */
export type MarkEvent = { symbol: string; price: number; time: number };

/** An interface's fields as a plain object type (what a bus payload's type must be). */
type Plain<T> = { [K in keyof T]: T[K] };

/** An account's performance at the end of a period, on `analytics.<account>`. */
export type AnalyticsStatistics = {
  type: 'analytics_statistics';
  account: string;
  /** End of the last period closed, ms (null before the first). */
  time: number | null;
  periodMs: number;
  capital: number;
  benchmarkSymbol: string;
  /** Equity at the end of the last period closed. */
  equity: number;
  /** Of the kept periods' returns (against the capital), with the benchmark's when it has traded. */
  returns: Plain<PerformanceStatistics>;
  /** Of the kept closed trades' net P&Ls. */
  trades: Plain<TradeStatistics>;
};

/**
 * Every account's P&L from fills and marks, and the equity curves on the market's clock: the
 * state the analytics engine keeps, and what `recompute` rebuilds from a list of events. Pure:
 * no bus, no timers, no wall clock; the same events in the same order give the same state.
 *
 * The market's clock is the latest fill or mark time seen. Periods are the multiples of
 * `periodMs` since the epoch; an event at or past the end of the current period first closes it
 * (and any empty ones after it) with the state before the event, so a period's equity is the
 * equity after its last event.
 */
export class AnalyticsBook {
  readonly accounts = new Map<string, AccountLedger>();
  readonly periodsPerYear: number;
  /** Fill payloads refused (and skipped). */
  malformed = 0;
  /** Why the last one was refused. */
  lastMalformed: string | undefined;
  fillsApplied = 0;
  marksApplied = 0;
  /** The latest event time, ms: the market's clock (0 before the first event). */
  clock = 0;
  /** Told after periods closed, with the end of the last one. */
  onPeriodClose: ((periodEnd: number) => void) | undefined;
  private readonly marks = new Map<string, number>();
  /** A symbol's last fill price: its mark until the market's first trade of it. */
  private readonly fillPrices = new Map<string, number>();
  private readonly assets = new Map<string, SymbolAssets & { definite: boolean }>();
  /** End of the current period, ms (0 before the first event). */
  private periodEnd = 0;
  /** The benchmark's price at the start of the current period (undefined before its first trade). */
  private benchmarkOpen: number | undefined;
  private readonly markOf = (symbol: string): number | undefined =>
    this.marks.get(symbol) ?? this.fillPrices.get(symbol);
  private readonly assetsOf = (symbol: string): SymbolAssets => {
    const assets = this.assets.get(symbol);
    return { baseAsset: assets?.baseAsset ?? null, quoteAsset: assets?.quoteAsset ?? null };
  };

  constructor(readonly options: AnalyticsBookOptions) {
    this.periodsPerYear = options.periodsPerYear ?? YEAR_MS / options.periodMs;
  }

  /**
   * Applies a `fills.<account>` payload; returns the account's ledger, or undefined for a
   * malformed payload (counted in `malformed`, skipped, never thrown).
   */
  applyFill(payload: unknown, account: string): AccountLedger | undefined {
    const fill = parseFill(payload, account);
    if (typeof fill === 'string') {
      this.malformed++;
      this.lastMalformed = fill;
      return undefined;
    }
    this.advance(fill.time);
    let ledger = this.accounts.get(account);
    if (ledger === undefined) {
      ledger = new AccountLedger(account, this.options);
      this.accounts.set(account, ledger);
    }
    ledger.apply(fill);
    this.fillPrices.set(fill.symbol, fill.price);
    const known = this.assets.get(fill.symbol);
    if (known === undefined || !known.definite) {
      const assets = assetsFromFill(fill.symbol, fill.commissionAsset);
      if (known === undefined || assets.definite) this.assets.set(fill.symbol, assets);
    }
    this.fillsApplied++;
    return ledger;
  }

  /** Applies a market trade of `symbol` at `price` (its mark from now on); a price ≤ 0 is ignored. */
  applyMark(symbol: string, price: number, time: number): void {
    if (!(price > 0 && price < Infinity)) return;
    this.advance(time);
    this.marks.set(symbol, price);
    if (symbol === this.options.benchmarkSymbol && this.benchmarkOpen === undefined)
      this.benchmarkOpen = price;
    this.marksApplied++;
  }

  /** An account's P&L now; undefined before its first fill. */
  snapshot(account: string): AnalyticsSnapshot | undefined {
    return this.accounts.get(account)?.snapshot(this.clock, this.markOf, this.assetsOf);
  }

  /** An account's equity curve (the last `limit` points); undefined before its first fill. */
  equityCurve(account: string, limit?: number): EquityPoint[] | undefined {
    return this.accounts.get(account)?.equityCurve(limit);
  }

  /**
   * An account's statistics over its kept periods and closed trades (O(kept periods × log) and
   * O(kept trades): computed when asked, not per fill); undefined before its first fill.
   */
  statistics(account: string): AnalyticsStatistics | undefined {
    const ledger = this.accounts.get(account);
    if (ledger === undefined) return undefined;
    const curve = ledger.equityCurve();
    const { returns, benchmark } = ledger.returns();
    const last = curve.at(-1);
    return {
      type: 'analytics_statistics',
      account,
      time: last?.time ?? null,
      periodMs: this.options.periodMs,
      capital: this.options.capital,
      benchmarkSymbol: this.options.benchmarkSymbol,
      equity: last?.equity ?? 0,
      returns: summarize(returns, {
        periodsPerYear: this.periodsPerYear,
        ...(this.marks.has(this.options.benchmarkSymbol) ? { benchmark } : {}),
      }),
      trades: summarizeTrades(ledger.closedTrades()),
    };
  }

  /** Moves the market's clock to `time`, closing the periods that ended before it. */
  private advance(time: number): void {
    const periodMs = this.options.periodMs;
    if (this.periodEnd === 0) this.periodEnd = (Math.floor(time / periodMs) + 1) * periodMs;
    else if (time >= this.periodEnd) {
      const periods = Math.floor((time - this.periodEnd) / periodMs) + 1;
      const close = this.marks.get(this.options.benchmarkSymbol);
      const benchmarkReturn =
        this.benchmarkOpen !== undefined && close !== undefined ? close / this.benchmarkOpen - 1 : 0;
      this.benchmarkOpen = close;
      // Empty periods after the first repeat its equity; more than the curve keeps would be trimmed.
      const flat = Math.min(periods - 1, this.options.keepPeriods);
      const firstEnd = this.periodEnd;
      for (const ledger of this.accounts.values())
        ledger.sample(firstEnd, ledger.equity(this.markOf), benchmarkReturn, flat, periodMs);
      this.periodEnd += periods * periodMs;
      this.onPeriodClose?.(this.periodEnd - periodMs);
    }
    if (time > this.clock) this.clock = time;
  }
}

/**
 * Applies fills (OrderFillNotification payloads, in the order they happened) and marks (in the
 * order they happened) to `book`, merged by time: a mark before a fill of the same ms.
 * `afterFill` is told after each fill applied.
 */
export function replay(
  book: AnalyticsBook,
  fills: Iterable<unknown>,
  marks: Iterable<MarkEvent>,
  afterFill?: (account: AccountLedger) => void,
): void {
  const fillIterator = fills[Symbol.iterator]();
  const markIterator = marks[Symbol.iterator]();
  let fill = fillIterator.next();
  let mark = markIterator.next();
  while (!fill.done || !mark.done) {
    if (!mark.done && (fill.done || mark.value.time <= fillTime(fill.value))) {
      book.applyMark(mark.value.symbol, mark.value.price, mark.value.time);
      mark = markIterator.next();
    } else if (!fill.done) {
      const ledger = book.applyFill(fill.value, fillAccount(fill.value));
      if (ledger !== undefined) afterFill?.(ledger);
      fill = fillIterator.next();
    }
  }
}

/**
 * The whole state rebuilt from a list of events (see `replay` for their order): what the engine
 * holds after reading the same fills and marks. Pure.
 */
export function recompute(
  fills: Iterable<unknown>,
  marks: Iterable<MarkEvent>,
  options: AnalyticsBookOptions,
): AnalyticsBook {
  const book = new AnalyticsBook(options);
  replay(book, fills, marks);
  return book;
}

/** A fill payload's time for the merge (−Infinity when it has none: it goes first, and is refused). */
function fillTime(payload: unknown): number {
  const time = (payload as { transactionTime?: unknown } | null)?.transactionTime;
  return typeof time === 'number' ? time : -Infinity;
}

/** The account a fill payload names (it came on `fills.<account>`). */
function fillAccount(payload: unknown): string {
  const account = (payload as { account?: unknown } | null)?.account;
  return typeof account === 'string' ? account : '';
}
