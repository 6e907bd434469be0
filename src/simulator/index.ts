/** The Binance Spot compatible exchange simulator (docs/SIMULATOR.md). */

export { type MarketEventKind, PriceProcess } from './market/price-process.ts';
export { SeededRandom } from './market/random.ts';
export { OrderBook } from './market/order-book.ts';
export { Ledger } from './accounts/ledger.ts';
export type { AccountSpec } from './accounts/accounts.ts';
export { type ExecutionListener, type MarketAccess, MatchingEngine } from './matching/matching-engine.ts';
export type { OrderRequest } from './matching/order.ts';
export type { SymbolSpec } from './matching/symbol-rules.ts';
export { type SimulatedSymbol, simulatedUniverse } from './market/universe.ts';
export { type ControlRequest, parseControlMessage } from './streams/control-protocol.ts';
export {
  type ExchangeFaults,
  FAULT_KINDS,
  type FaultKind,
  type FaultRequest,
  faultRequestSchema,
} from './faults.ts';
export {
  AT_TOUCH,
  emptyMarketEvent,
  GeneratedMarketSource,
  type MarketEvent,
  type MarketEventSource,
  type MarketSourceStats,
} from './market/market-event-source.ts';
export { type MarketLabel } from './market/market-labels.ts';
export {
  EXCHANGE_SIMULATOR_DEFAULTS,
  type ExchangeSimulatorOptions,
  MAX_EXCHANGE_SYMBOLS,
  resolveSimulatorOptions,
  SIMULATOR_FLAGS,
  type SimulatorOptionsInput,
  simulatorOptionsSchema,
  symbolsOption,
} from './options.ts';
export {
  RecordedMarketSource,
  type RecordedSourceStats,
  REPLAY_SKIP_REASONS,
  REPLAY_STATES,
  type ReplaySkipReason,
  type ReplayState,
} from './market/recorded-market-source.ts';
export {
  RECORDED_SOURCE_DEFAULTS,
  type RecordedMarketSourceOptions,
  resolveRecordedSourceOptions,
} from './market/recorded-source-options.ts';
export { REST_ERRORS } from './rest/market-rest.ts';
export { TradingOperations } from './api/trading-operations.ts';
export { type ExchangeSimulator, type ExchangeSimulatorStats, startExchangeSimulator } from './server.ts';
export { LIMIT_VIOLATIONS, type LimitViolation, SIM_CLOSE } from './streams/sim-connection.ts';
export {
  KLINE_INTERVALS,
  type KlineInterval,
  parseStreamName,
  STREAM_KINDS,
} from './streams/stream-names.ts';
