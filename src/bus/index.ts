import { TickwireError } from '../errors.ts';
import { MemoryBus } from './memory-bus.ts';
import type { BusOptions, MessageBus } from './message-bus.ts';

export { MemoryBus, type MemoryBusStats, RESOLVED_CACHE_LIMIT } from './memory-bus.ts';
export {
  type BusOptions,
  type BusStats,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type Handler,
  type JsonValue,
  type MessageBus,
  type Payload,
  type RequestOptions,
  type Responder,
  type Unsubscribe,
} from './message-bus.ts';
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
  type AlertTopic,
  allAlerts,
  allBots,
  allFills,
  allMarketData,
  allMonitor,
  allOrders,
  botsTopic,
  fillsTopic,
  MARKET_DATA_KINDS,
  type MarketDataKind,
  MONITOR_TOPICS,
  type MonitorTopic,
  marketDataTopic,
  ordersTopic,
  symbolMarketData,
  TRADING_TOPICS,
  type TradingTopic,
} from './topics.ts';

/** Bus implementations available in this build. Redis and NATS URLs arrive with the scale-out work. */
export const BUS_KINDS = ['memory'] as const;
export type BusKind = (typeof BUS_KINDS)[number];

/** Builds the configured bus. Only 'memory' exists in this build; Redis and NATS come later. */
export function createBus(kind: BusKind, options: BusOptions = {}): MessageBus {
  switch (kind) {
    case 'memory':
      return new MemoryBus(options);
    default:
      throw new TickwireError(
        'BAD_CONFIG',
        `bus kind ${JSON.stringify(kind)} is not one of ${BUS_KINDS.join(', ')}`,
      );
  }
}
