import type { TradeFill } from '../order-tracker.ts';
import type { OrderPurpose, OrderState } from '../views.ts';

/** An order as stored: enough to rebuild it after a restart and to answer queries. */
export interface StoredOrder {
  account: string;
  symbol: string;
  clientOrderId: string;
  orderId: number | undefined;
  side: 'BUY' | 'SELL';
  orderType: string;
  quantity: bigint;
  state: OrderState;
  filledQuantity: bigint;
  filledQuote: bigint;
  updatedAt: number;
  /** Set when the order is first stored; later writes of the same order keep it. */
  purpose: OrderPurpose;
  botId: string | undefined;
  /** Why the exchange or the pre-trade checks refused it, when REJECTED. */
  rejectReason?: string | undefined;
}

/** A bot as stored: its configuration and its running state, both JSON (docs/TRADING.md, "Bots"). */
export interface StoredBot {
  account: string;
  botId: string;
  config: string;
  status: string;
  state: string;
  createdAt: number;
  updatedAt: number;
}

export interface StoredFill extends TradeFill {
  account: string;
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
}

/**
 * Where trading state lives (docs/TRADING.md, "Storage"): SQLite embedded by default, PostgreSQL
 * when nodes share it. A fill is keyed by (account, symbol, trade id): storing one twice is a
 * no-op that says so, and a fill is marked published once handed on: a fill is written before it
 * is published, and a restart publishes what was written but not marked (at least once; the trade
 * id lets a consumer drop the rare repeat of a fill published just before the process died).
 */
export interface TradingStore {
  /**
   * Writes a batch in one transaction: the fills (a fill stored already is left as it is) and the
   * orders (inserted or updated by account, symbol and client order id). Resolves with, per fill,
   * whether it is new: only a new fill is published. One transaction per batch is the group commit
   * that lets a burst of fills cost one commit, not one per fill.
   */
  commit(batch: { fills: readonly StoredFill[]; orders: readonly StoredOrder[] }): Promise<boolean[]>;
  /** The fills were handed on (published): a restart does not hand them on again. */
  markPublished(account: string, fills: readonly { symbol: string; tradeId: number }[]): Promise<void>;
  /** Fills stored but not yet marked published (the process died between the two). */
  unpublishedFills(account: string): Promise<StoredFill[]>;
  orders(account: string): Promise<StoredOrder[]>;
  fills(account: string, symbol?: string): Promise<StoredFill[]>;
  /** The highest stored trade id of the account on the symbol (where reconciliation resumes). */
  lastTradeId(account: string, symbol: string): Promise<number | undefined>;
  /** Inserts or replaces a bot by (account, bot id). */
  saveBot(bot: StoredBot): Promise<void>;
  bots(account: string): Promise<StoredBot[]>;
  deleteBot(account: string, botId: string): Promise<void>;
  /**
   * Forgets an account's orders, fills and bots: for an exchange that itself starts empty on
   * every run (the embedded simulator), whose ids would otherwise collide with the last run's.
   */
  forgetAccount(account: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The schema, one statement per migration, in order; a store applies those it has not and records
 * each in `tickwire_migrations`. Amounts are integers of 10^-8 (64-bit), times ms since the epoch.
 * Both dialects read these statements (BIGINT and TEXT mean the same to SQLite).
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE trading_orders (
    account TEXT NOT NULL,
    symbol TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    order_id BIGINT,
    side TEXT NOT NULL,
    order_type TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    state TEXT NOT NULL,
    filled_quantity BIGINT NOT NULL,
    filled_quote BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, symbol, client_order_id)
  )`,
  `CREATE TABLE trading_fills (
    account TEXT NOT NULL,
    symbol TEXT NOT NULL,
    trade_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    client_order_id TEXT NOT NULL,
    side TEXT NOT NULL,
    price BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    quote BIGINT NOT NULL,
    commission BIGINT NOT NULL,
    commission_asset TEXT NOT NULL,
    maker BOOLEAN NOT NULL,
    time BIGINT NOT NULL,
    published BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (account, symbol, trade_id)
  )`,
  `ALTER TABLE trading_orders ADD COLUMN purpose TEXT NOT NULL DEFAULT 'manual'`,
  `ALTER TABLE trading_orders ADD COLUMN bot_id TEXT`,
  `ALTER TABLE trading_orders ADD COLUMN reject_reason TEXT`,
  `CREATE TABLE trading_bots (
    account TEXT NOT NULL,
    bot_id TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account, bot_id)
  )`,
];

/** The fill insert of both dialects (`?` placeholders): a fill stored already is left as it is. */
export const INSERT_FILL = `INSERT INTO trading_fills (account, symbol, trade_id, order_id, client_order_id, side, price,
    quantity, quote, commission, commission_asset, maker, time)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account, symbol, trade_id) DO NOTHING`;

/** A fill's values in INSERT_FILL's order; `maker` as the dialect stores a boolean. */
export function fillValues(fill: StoredFill, maker: unknown): unknown[] {
  return [
    fill.account,
    fill.symbol,
    fill.tradeId,
    fill.orderId,
    fill.clientOrderId,
    fill.side,
    fill.price.toString(),
    fill.quantity.toString(),
    fill.quote.toString(),
    fill.commission.toString(),
    fill.commissionAsset,
    maker,
    fill.time,
  ];
}

/**
 * The order upsert of both dialects (`?` placeholders; PostgreSQL's store numbers them): the
 * origin is written once, with the order's first row, and never changed by later reports.
 */
export const UPSERT_ORDER = `INSERT INTO trading_orders (account, symbol, client_order_id, order_id, side, order_type,
    quantity, state, filled_quantity, filled_quote, updated_at, purpose, bot_id, reject_reason)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account, symbol, client_order_id) DO UPDATE SET order_id = COALESCE(excluded.order_id,
    trading_orders.order_id), order_type = excluded.order_type, quantity = excluded.quantity,
    state = excluded.state, filled_quantity = excluded.filled_quantity, filled_quote = excluded.filled_quote,
    updated_at = excluded.updated_at, reject_reason = COALESCE(excluded.reject_reason, trading_orders.reject_reason)`;

/** An order's values in UPSERT_ORDER's order (amounts as decimal strings, which both drivers take). */
export function orderValues(order: StoredOrder): unknown[] {
  return [
    order.account,
    order.symbol,
    order.clientOrderId,
    order.orderId ?? null,
    order.side,
    order.orderType,
    order.quantity.toString(),
    order.state,
    order.filledQuantity.toString(),
    order.filledQuote.toString(),
    order.updatedAt,
    order.purpose,
    order.botId ?? null,
    order.rejectReason ?? null,
  ];
}

export const UPSERT_BOT = `INSERT INTO trading_bots (account, bot_id, config, status, state, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (account, bot_id) DO UPDATE SET config = excluded.config, status = excluded.status,
    state = excluded.state, updated_at = excluded.updated_at`;

export function botValues(bot: StoredBot): unknown[] {
  return [bot.account, bot.botId, bot.config, bot.status, bot.state, bot.createdAt, bot.updatedAt];
}

export function botFromRow(row: Record<string, unknown>): StoredBot {
  return {
    account: String(row.account),
    botId: String(row.bot_id),
    config: String(row.config),
    status: String(row.status),
    state: String(row.state),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A row of either dialect back into a StoredOrder (BIGINT columns come as bigint or string). */
export function orderFromRow(row: Record<string, unknown>): StoredOrder {
  return {
    account: String(row.account),
    symbol: String(row.symbol),
    clientOrderId: String(row.client_order_id),
    orderId: row.order_id === null ? undefined : Number(row.order_id),
    side: row.side as 'BUY' | 'SELL',
    orderType: String(row.order_type),
    quantity: BigInt(row.quantity as bigint | string),
    state: row.state as OrderState,
    filledQuantity: BigInt(row.filled_quantity as bigint | string),
    filledQuote: BigInt(row.filled_quote as bigint | string),
    updatedAt: Number(row.updated_at),
    purpose: row.purpose as OrderPurpose,
    botId: row.bot_id === null ? undefined : String(row.bot_id),
    rejectReason: row.reject_reason === null ? undefined : String(row.reject_reason),
  };
}

export function fillFromRow(row: Record<string, unknown>): StoredFill {
  return {
    account: String(row.account),
    symbol: String(row.symbol),
    tradeId: Number(row.trade_id),
    orderId: Number(row.order_id),
    clientOrderId: String(row.client_order_id),
    side: row.side as 'BUY' | 'SELL',
    price: BigInt(row.price as bigint | string),
    quantity: BigInt(row.quantity as bigint | string),
    quote: BigInt(row.quote as bigint | string),
    commission: BigInt(row.commission as bigint | string),
    commissionAsset: String(row.commission_asset),
    maker: row.maker === true || row.maker === 1 || row.maker === 1n,
    time: Number(row.time),
  };
}
