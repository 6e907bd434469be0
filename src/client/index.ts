/**
 * The Tickwire client SDK (docs/CLIENT.md): runs in browsers and on Node (pass `ws` as
 * `WebSocket` on Node 20). Nothing here imports Node's modules.
 */
export { CLIENT_ERROR_CODES, type ClientErrorCode, TickwireClientError } from './client-error.ts';
export type { DataOf, TopicMessage } from './messages.ts';
export type { StreamPosition } from './stream-positions.ts';
export {
  type ClientEvents,
  type ConnectionState,
  type SubscribeOptions,
  type Subscription,
  TickwireClient,
  type TickwireClientOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './tickwire-client.ts';
export {
  type ConnectionSummary,
  type HealthReport,
  TickwireApi,
  TickwireApiError,
  type TickwireApiOptions,
} from './tickwire-api.ts';
// What the server answers and publishes, in its own types (each a module without Node imports).
export type {
  AccountFill,
  BotCycleEvent,
  BotEvent,
  BotSettings,
  BotStatus,
  BotStatusEvent,
  BotView,
  CycleSummary,
  KillSwitchState,
  NewBotRequest,
  NewOrderRequest,
  OrderEvent,
  OrderFillNotification,
  OrderPurpose,
  OrderState,
  OrderView,
  PositionView,
} from '../trading/views.ts';
export type {
  Alert,
  AlertEvent,
  AlertList,
  HardwareMessage,
  HostSnapshot,
  LatencyMessage,
  LatencyReport,
  LatencySummary,
  PerformanceMessage,
} from '../monitor/views.ts';
export type { Candle, DepthLevel, DepthView, SymbolEntry, TickerRow } from '../platform/views.ts';
