/**
 * Trading (docs/TRADING.md): what Tickwire knows of its accounts' orders, fills and positions,
 * from the exchange's execution reports.
 */
export { decimal, units } from './amounts.ts';
export { type ExecutionUpdate, parseExecutionReport } from './execution-report.ts';
export {
  type ApplyOutcome,
  isTerminal,
  ORDER_STATES,
  type OrderState,
  REFUSALS,
  type Refusal,
  TrackedOrder,
  type TradeFill,
} from './order-tracker.ts';
export { Position } from './positions.ts';
export { AccountBook, type AssetsOf } from './account-book.ts';
export {
  CONNECTION_STATES,
  type ConnectionState,
  ExchangeConnection,
  type ExchangeConnectionHandlers,
  type ExchangeConnectionOptions,
} from './exchange-connection.ts';
export { ExchangeError, SignedRest } from './signed-rest.ts';
export { type AccountEvents, TradingAccount } from './trading-account.ts';
export { PostgresStore } from './storage/postgres-store.ts';
export { SqliteStore } from './storage/sqlite-store.ts';
export { MIGRATIONS, type StoredFill, type StoredOrder, type TradingStore } from './storage/trading-store.ts';
export { TradingPublisher } from './trading-publisher.ts';
