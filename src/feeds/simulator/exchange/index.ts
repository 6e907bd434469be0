export { type ControlRequest, parseControlMessage } from './control-protocol.ts';
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
} from './market-event-source.ts';
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
} from './recorded-market-source.ts';
export {
  RECORDED_SOURCE_DEFAULTS,
  type RecordedMarketSourceOptions,
  resolveRecordedSourceOptions,
} from './recorded-source-options.ts';
export { REST_ERRORS } from './rest-api.ts';
export { type ExchangeSimulator, type ExchangeSimulatorStats, startExchangeSimulator } from './server.ts';
export { LIMIT_VIOLATIONS, type LimitViolation, SIM_CLOSE } from './sim-connection.ts';
export { KLINE_INTERVALS, type KlineInterval, parseStreamName, STREAM_KINDS } from './stream-names.ts';
