/**
 * The Tickwire client SDK (docs/CLIENT.md): runs in browsers and on Node (pass `ws` as
 * `WebSocket` on Node 20). Nothing here imports Node's modules.
 */
export { CLIENT_ERROR_CODES, type ClientErrorCode, TickwireClientError } from './client-error.ts';
export type {
  AlertEvent,
  BotEvent,
  DataOf,
  OrderEvent,
  OrderFillNotification,
  TopicMessage,
} from './messages.ts';
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
