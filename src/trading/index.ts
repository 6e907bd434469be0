/**
 * Trading (docs/TRADING.md): what Tickwire knows of its accounts' orders, fills and positions,
 * from the exchange's execution reports.
 */
export { decimal, units } from './amounts.ts';
export { type ExecutionUpdate, parseExecutionReport } from './execution-report.ts';
export {
  type ApplyOutcome,
  isTerminal,
  MANUAL,
  type OrderOrigin,
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
export { type AccountEvents, type StateSource, TradingAccount } from './trading-account.ts';
export { PostgresStore } from './storage/postgres-store.ts';
export { SqliteStore } from './storage/sqlite-store.ts';
export {
  MIGRATIONS,
  type StoredBot,
  type StoredFill,
  type StoredOrder,
  type TradingStore,
} from './storage/trading-store.ts';
export { orderView, TradingPublisher } from './trading-publisher.ts';
export * from './views.ts';
export { type DcaConfig, type DcaConfigInput, dcaConfigSchema } from './bots/dca-config.ts';
export { type SafetyLevel, safetyLevels, stopLossHit, takeProfitPrice } from './bots/dca-plan.ts';
export { DcaBot } from './bots/dca-bot.ts';
export { MarketReference, type SymbolRules } from './market-reference.ts';
export { type NewOrder, OrderEntry } from './order-entry.ts';
export {
  PRE_TRADE_REJECTIONS,
  PreTradeChecks,
  PreTradeError,
  type PreTradeLimits,
} from './pre-trade-checks.ts';
export { type TradingConfig, tradingConfigSchema } from './trading-config.ts';
export { TRADING_EVENT_TARGETS_MS, type TradingEventType } from './trading-events.ts';
export { openTradingStore, TradingService } from './trading-service.ts';
export { tradingRoutes } from './trading-routes.ts';
export { type OrderChannel, restOrderChannel, wsApiOrderChannel } from './order-channel.ts';
export { NotSentError, WsApiOrders } from './ws-api-orders.ts';
