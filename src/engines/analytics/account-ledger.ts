/**
 * One account's P&L bookkeeping for the analytics engine (docs/ANALYTICS.md, "The engine"):
 * average-cost positions per symbol, realized P&L, fees, attribution per symbol, per bot and per
 * side, closed trades, and the equity curve sampled at period ends. O(1) per fill; what depends
 * on marks (unrealized P&L, equity) is computed when asked, in O(open positions).
 *
 * Amounts are doubles in the quote asset, except base quantities, which are whole numbers of
 * 10^-8 units (the fills' 8-decimal strings), so a position closed in several parts comes back
 * to exactly 0 rather than to dust. The trading module's positions (src/trading/positions.ts)
 * are the exact books of record; these are analytics.
 */

/** Base-quantity units per whole unit: fills carry 8-decimal strings. */
export const QUANTITY_UNITS = 100_000_000;

/** The bot name of fills that carry no `botId` (orders placed by hand). */
export const MANUAL_BOT = 'manual';

/** A fill as the ledger applies it: parsed, validated, its fee valued in the quote asset. */
export interface LedgerFill {
  readonly account: string;
  readonly symbol: string;
  /** `botId`, or MANUAL_BOT. */
  readonly bot: string;
  readonly buy: boolean;
  /** Base quantity in 10^-8 units, a positive whole number. */
  readonly units: number;
  readonly price: number;
  /** Quote amount traded (the fill's `quote`). */
  readonly quote: number;
  /** Fee in the quote asset: a quote-asset commission, or a base-asset one × price. */
  readonly fee: number;
  /** The fill's commission asset. */
  readonly commissionAsset: string;
  /** A commission in a third asset (BNB), not converted: its asset, or '' without one. */
  readonly otherAsset: string;
  readonly otherFee: number;
  /** The fill's transaction time, ms. */
  readonly time: number;
}

/** Prices positions are valued at. */
export type MarkOf = (symbol: string) => number | undefined;

/** Realized and unrealized P&L, fees, and their net (realized + unrealized − fees), quote asset. */
export type PnlFigures = {
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  netPnl: number;
};

/** P&L of long positions or of short ones: realized on closing them, unrealized of the open ones. */
export type SidePnl = { realizedPnl: number; unrealizedPnl: number };

/** An open position. `mark` is null (and unrealized 0) until a price of the symbol is known. */
export type PositionSnapshot = {
  symbol: string;
  baseAsset: string | null;
  quoteAsset: string | null;
  /** Base quantity, negative for a short. */
  quantity: number;
  averagePrice: number;
  mark: number | null;
  unrealizedPnl: number;
};

/** One account's P&L at a moment, on `analytics.<account>` (a type, not an interface: a bus payload). */
export type AnalyticsSnapshot = {
  type: 'analytics_snapshot';
  account: string;
  /** The market's clock when it was taken, ms. */
  time: number;
  fills: number;
  /** Quote assets of the symbols traded: totals add them up as they are (one asset in practice). */
  quoteAssets: string[];
  realizedPnl: number;
  unrealizedPnl: number;
  /** Fees in the quote asset (quote-asset commissions, base-asset ones at the fill price). */
  fees: number;
  /** Commissions in other assets (BNB), by asset: not converted, not in the equity. */
  otherFees: Record<string, number>;
  /** realized + unrealized − fees. */
  equity: number;
  positions: PositionSnapshot[];
  attribution: {
    bySymbol: Record<string, PnlFigures>;
    byBot: Record<string, PnlFigures>;
    bySide: { long: SidePnl; short: SidePnl };
  };
};

/** A point of the equity curve: the equity at the end of a period and that period's returns. */
export type EquityPoint = { time: number; equity: number; return: number; benchmarkReturn: number };

/** How a symbol's name splits into assets (docs/ANALYTICS.md, "Assets and fees"). */
export interface SymbolAssets {
  readonly baseAsset: string | null;
  readonly quoteAsset: string | null;
}

/**
 * A position by average cost. A trade that adds to it (or opens it) adds its quote to the cost;
 * one that reduces it realizes proceeds − the closed share of the cost; one that flips it closes
 * the whole position and opens the rest the other way at the trade's price.
 */
export class AverageCostPosition {
  /** Signed base quantity in 10^-8 units, a whole number. */
  units = 0;
  /** Quote paid for the open quantity; negative for a short (quote received). */
  cost = 0;
  realized = 0;
  fees = 0;
  /** Units the last trade closed (0 when it only opened or added). */
  closedUnits = 0;

  /** Applies a trade of `delta` units (> 0 bought) for `quote`; returns the P&L it realized. */
  trade(delta: number, quote: number): number {
    const held = this.units;
    const cash = delta > 0 ? -quote : quote;
    if (held === 0 || held > 0 === delta > 0) {
      this.units = held + delta;
      this.cost -= cash;
      this.closedUnits = 0;
      return 0;
    }
    const size = Math.abs(delta);
    const open = Math.abs(held);
    const closing = Math.min(size, open);
    // Signed like the cash and the cost: for a short both flip, and so does the difference.
    const proceeds = closing === size ? cash : cash * (closing / size);
    const released = closing === open ? this.cost : this.cost * (closing / open);
    const realized = proceeds - released;
    this.realized += realized;
    this.closedUnits = closing;
    if (closing < open) {
      this.units = held + delta;
      this.cost -= released;
    } else if (closing < size) {
      this.units = delta > 0 ? size - closing : closing - size;
      this.cost = proceeds - cash;
    } else {
      this.units = 0;
      this.cost = 0;
    }
    return realized;
  }

  unrealized(mark: number | undefined): number {
    return this.units === 0 || mark === undefined ? 0 : (this.units / QUANTITY_UNITS) * mark - this.cost;
  }

  averagePrice(): number {
    return this.units === 0 ? 0 : this.cost / (this.units / QUANTITY_UNITS);
  }
}

/** One bot's own positions, as if it were an account of its own (docs: "Attribution"). */
class BotBook {
  readonly positions = new Map<string, AverageCostPosition>();
  realized = 0;
  fees = 0;
}

export interface LedgerLimits {
  /** Notional capital returns are measured against. */
  readonly capital: number;
  /** Equity points kept. */
  readonly keepPeriods: number;
  /** Closed trades kept for the trade statistics. */
  readonly keepTrades: number;
}

/** The P&L state of one account. */
export class AccountLedger {
  readonly positions = new Map<string, AverageCostPosition>();
  private readonly bots = new Map<string, BotBook>();
  private readonly otherFees = new Map<string, number>();
  fills = 0;
  realized = 0;
  fees = 0;
  longRealized = 0;
  shortRealized = 0;
  /** Net P&L of each closed trade, oldest first (trimmed in batches to keepTrades). */
  private trades: number[] = [];
  private curve: EquityPoint[] = [];
  /** Equity at the last period end (0 before the first: the curve starts at 0). */
  private lastEquity = 0;

  constructor(
    readonly account: string,
    private readonly limits: LedgerLimits,
  ) {}

  apply(fill: LedgerFill): void {
    const delta = fill.buy ? fill.units : -fill.units;
    const position = this.positionOf(this.positions, fill.symbol);
    const wasLong = position.units > 0;
    const realized = position.trade(delta, fill.quote);
    position.fees += fill.fee;
    if (position.closedUnits > 0) {
      if (wasLong) this.longRealized += realized;
      else this.shortRealized += realized;
      // A closed trade carries the share of the fill's fee that the closed quantity paid.
      this.trades.push(realized - fill.fee * (position.closedUnits / fill.units));
      if (this.trades.length >= 2 * this.limits.keepTrades)
        this.trades = this.trades.slice(-this.limits.keepTrades);
    }
    this.realized += realized;
    this.fees += fill.fee;
    if (fill.otherFee > 0)
      this.otherFees.set(fill.otherAsset, (this.otherFees.get(fill.otherAsset) ?? 0) + fill.otherFee);
    let bot = this.bots.get(fill.bot);
    if (bot === undefined) {
      bot = new BotBook();
      this.bots.set(fill.bot, bot);
    }
    bot.realized += this.positionOf(bot.positions, fill.symbol).trade(delta, fill.quote);
    bot.fees += fill.fee;
    this.fills++;
  }

  unrealized(markOf: MarkOf): number {
    let total = 0;
    for (const [symbol, position] of this.positions) total += position.unrealized(markOf(symbol));
    return total;
  }

  equity(markOf: MarkOf): number {
    return this.realized + this.unrealized(markOf) - this.fees;
  }

  /**
   * Closes a period at `time`: its equity and return against the notional capital, with the
   * benchmark's return over the same period; then `flat` more periods without an event (equity
   * unchanged, returns 0).
   */
  sample(time: number, equity: number, benchmarkReturn: number, flat: number, periodMs: number): void {
    const base = this.limits.capital + this.lastEquity;
    // Once the equity has lost the whole notional capital, a return means nothing: 0 (documented).
    const periodReturn = base > 0 ? (equity - this.lastEquity) / base : 0;
    this.curve.push({ time, equity, return: periodReturn, benchmarkReturn });
    for (let i = 1; i <= flat; i++)
      this.curve.push({ time: time + i * periodMs, equity, return: 0, benchmarkReturn: 0 });
    this.lastEquity = equity;
    if (this.curve.length >= 2 * this.limits.keepPeriods)
      this.curve = this.curve.slice(-this.limits.keepPeriods);
  }

  /** The last `limit` points of the equity curve (all kept ones by default), oldest first. */
  equityCurve(limit = this.limits.keepPeriods): EquityPoint[] {
    return this.curve.slice(-Math.min(limit, this.limits.keepPeriods));
  }

  /** The kept periods' returns and the benchmark's, oldest first. */
  returns(): { returns: number[]; benchmark: number[] } {
    const points = this.equityCurve();
    return { returns: points.map((p) => p.return), benchmark: points.map((p) => p.benchmarkReturn) };
  }

  /** Net P&L of the kept closed trades, oldest first. */
  closedTrades(): number[] {
    return this.trades.slice(-this.limits.keepTrades);
  }

  snapshot(time: number, markOf: MarkOf, assetsOf: (symbol: string) => SymbolAssets): AnalyticsSnapshot {
    const bySymbol: Record<string, PnlFigures> = {};
    const positions: PositionSnapshot[] = [];
    const quoteAssets = new Set<string>();
    const long: SidePnl = { realizedPnl: this.longRealized, unrealizedPnl: 0 };
    const short: SidePnl = { realizedPnl: this.shortRealized, unrealizedPnl: 0 };
    let unrealized = 0;
    for (const [symbol, position] of this.positions) {
      const mark = markOf(symbol);
      const open = position.unrealized(mark);
      unrealized += open;
      if (position.units > 0) long.unrealizedPnl += open;
      else if (position.units < 0) short.unrealizedPnl += open;
      bySymbol[symbol] = figures(position.realized, open, position.fees);
      const assets = assetsOf(symbol);
      if (assets.quoteAsset !== null) quoteAssets.add(assets.quoteAsset);
      if (position.units !== 0)
        positions.push({
          symbol,
          ...assets,
          quantity: position.units / QUANTITY_UNITS,
          averagePrice: position.averagePrice(),
          mark: mark ?? null,
          unrealizedPnl: open,
        });
    }
    const byBot: Record<string, PnlFigures> = {};
    for (const [name, bot] of this.bots) {
      let open = 0;
      for (const [symbol, position] of bot.positions) open += position.unrealized(markOf(symbol));
      byBot[name] = figures(bot.realized, open, bot.fees);
    }
    return {
      type: 'analytics_snapshot',
      account: this.account,
      time,
      fills: this.fills,
      quoteAssets: [...quoteAssets],
      realizedPnl: this.realized,
      unrealizedPnl: unrealized,
      fees: this.fees,
      otherFees: Object.fromEntries(this.otherFees),
      equity: this.realized + unrealized - this.fees,
      positions,
      attribution: { bySymbol, byBot, bySide: { long, short } },
    };
  }

  private positionOf(positions: Map<string, AverageCostPosition>, symbol: string): AverageCostPosition {
    let position = positions.get(symbol);
    if (position === undefined) {
      position = new AverageCostPosition();
      positions.set(symbol, position);
    }
    return position;
  }
}

function figures(realizedPnl: number, unrealizedPnl: number, fees: number): PnlFigures {
  return { realizedPnl, unrealizedPnl, fees, netPnl: realizedPnl + unrealizedPnl - fees };
}
