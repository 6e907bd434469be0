export { BrokerBus, type BrokerBusStats, RTT_INTERVAL_MS } from './broker/broker-bus.ts';
export { BUS_SCHEMES, type BusSpec, parseBusSpec } from './bus-spec.ts';
export { createBus } from './create-bus.ts';
export { MemoryBus, type MemoryBusStats, RESOLVED_CACHE_LIMIT } from './memory-bus.ts';
export {
  BUS_KINDS,
  BUS_STATES,
  type BusHealth,
  type BusKind,
  type BusOptions,
  type BusState,
  type BusStats,
  DEFAULT_BUS_PREFIX,
  DEFAULT_MAX_PENDING_PUBLISHES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type Handler,
  type JsonValue,
  type MessageBus,
  type Payload,
  type RequestOptions,
  type Responder,
  type Unsubscribe,
} from './message-bus.ts';
export { brokerNames } from './broker/naming.ts';
export { assertPayload, TICK_BYTES } from './payload.ts';
export {
  hasWildcard,
  isPattern,
  isTopic,
  MAX_TOPIC_LENGTH,
  MAX_TOPIC_SEGMENTS,
  type Pattern,
  parsePattern,
  parseTopic,
  type Topic,
  topicProblem,
} from './topic-grammar.ts';
export { topicMatches } from './topic-match.ts';
export {
  ALERT_TOPICS,
  alertsTopic,
  type AlertTopic,
  allAlerts,
  allBots,
  allFills,
  allMarketData,
  allMonitor,
  allOrders,
  allBars,
  barsTopic,
  botsTopic,
  CLUSTER_TOPICS,
  clusterNodeTopic,
  clusterReplyTopic,
  fillsTopic,
  MARKET_DATA_KINDS,
  type MarketDataKind,
  MONITOR_TOPICS,
  STATUS_TOPICS,
  type StatusTopic,
  type MonitorTopic,
  marketDataTopic,
  ordersTopic,
  symbolMarketData,
  TRADING_TOPICS,
  type TradingTopic,
} from './topics.ts';
