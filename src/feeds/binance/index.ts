/**
 * The Binance Spot adapter: mapper (frames → ticks), local order books, connections with
 * reconnect and rotation, the subscription manager and the feed that ties them together.
 */

export {
  type DelayFunction,
  BACKOFF_DEFAULTS,
  type BackoffOptions,
  fullJitterBackoff,
} from '../../retry/index.ts';
export {
  BinanceConnection,
  type BinanceConnectionOptions,
  CONNECTION_DEFAULTS,
  CONNECTION_STATES,
  type ConnectionHealth,
  type ConnectionHooks,
  type ConnectionState,
  MAX_STREAMS_PER_CONNECTION,
} from './binance-connection.ts';
export {
  BINANCE_DATA_URLS,
  BINANCE_FEED_DEFAULTS,
  BINANCE_TESTNET_URLS,
  BINANCE_URLS,
  BinanceFeed,
  type BinanceFeedHealth,
  type BinanceFeedInit,
  type BinanceFeedOptions,
  type BookTotals,
  FEED_STATES,
  type FeedMapperHealth,
  type FeedState,
} from './binance-feed.ts';
export { normalizeFrame, normalizePayload, normalizeRouted } from './binance-mapper.ts';
export {
  type BinanceAggTrade,
  type BinanceBookTicker,
  type BinanceCombinedFrame,
  type BinanceDepthDiff,
  type BinanceDepthSnapshot,
  type BinanceExchangeInfo,
  type BinanceKline,
  type BinanceKlineRow,
  type BinanceLevel,
  type BinanceStreamPayload,
  type BinanceSymbolInfo,
  type BinanceTrade,
} from './binance-payloads.ts';
export { MapperContext, type MapperCounters } from './mapper-context.ts';
export {
  createRoute,
  type DepthDiffHandler,
  isReplyOrNotice,
  streamOfFrame,
  type StreamRoute,
} from './stream-routes.ts';
export { decimalsOf, registerSymbol, scalesOf } from './symbol-scales.ts';
export {
  BINANCE_NORMALIZER_NAME,
  type BinanceControl,
  type BinanceNormalizerConfig,
  type BinanceNormalizerMessage,
  binanceNormalizer,
  type BookView,
  NORMALIZER_FIGURES,
  NORMALIZER_GAUGES,
  NORMALIZER_TOTALS,
  packStreamInfo,
  type StreamFacts,
  unpackStreamInfo,
} from './binance-normalizer-protocol.ts';
export { BinanceRest, depthWeight, REST_DEFAULTS } from './binance-rest.ts';
export { BinanceNormalizer, createNormalizer } from './binance-worker-normalizer.ts';
export { SOCKET_LIMITS, type SocketLimits } from './binance-socket.ts';
export {
  BOOK_STATES,
  type BookState,
  OrderBook,
  type OrderBookCounters,
  ORDER_BOOK_DEFAULTS,
} from './order-book.ts';
export { PriceLevels } from './price-levels.ts';
export { SlidingWindow } from './sliding-window.ts';
export { NOT_A_STREAM_FRAME, StreamTable, UNKNOWN_STREAM } from './stream-table.ts';
export {
  DEPTH_SPEEDS,
  type DepthSpeed,
  ROUTE_KINDS,
  type RouteKind,
  BINANCE_STREAM_KINDS,
  type BinanceStreamKind,
  streamName,
} from './stream-names.ts';
export {
  DialLimiter,
  planAssignment,
  SUBSCRIPTION_MANAGER_DEFAULTS,
  SubscriptionManager,
  type SubscriptionHealth,
  type SubscriptionManagerOptions,
  type SubscriptionTotals,
} from './subscription-manager.ts';
