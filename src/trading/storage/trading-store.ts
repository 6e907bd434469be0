import type { OrderState, TradeFill } from '../order-tracker.ts';

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
  /** Stores a fill; false when it was stored already (then it must not be published again). */
  recordFill(fill: StoredFill): Promise<boolean>;
  /** The fill was handed on (published): a restart does not hand it on again. */
  markPublished(account: string, symbol: string, tradeId: number): Promise<void>;
  /** Fills stored but not yet marked published (the process died between the two). */
  unpublishedFills(account: string): Promise<StoredFill[]>;
  /** Inserts or updates an order by (account, symbol, client order id). */
  recordOrder(order: StoredOrder): Promise<void>;
  orders(account: string): Promise<StoredOrder[]>;
  fills(account: string, symbol?: string): Promise<StoredFill[]>;
  /** The highest stored trade id of the account on the symbol (where reconciliation resumes). */
  lastTradeId(account: string, symbol: string): Promise<number | undefined>;
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
];

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
