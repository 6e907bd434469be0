import type { TickJson } from '../wire/index.ts';
import type { StreamPosition } from './stream-positions.ts';

/** A fill on `fills.<account>` (docs/TRADING.md, "Events, lanes, targets"). Amounts are decimal strings. */
export interface OrderFillNotification {
  type: 'order_fill_notification';
  account: string;
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  /** What the order is for: manual, base_order, safety_order, take_profit, stop_loss. */
  orderType: string;
  botId?: string;
  tradeId: number;
  price: string;
  quantity: string;
  quote: string;
  commission: string;
  commissionAsset: string;
  maker: boolean;
  filledQuantity: string;
  averagePrice: string;
  state: string;
  /** The exchange's event time (ms), from which latency targets are measured. */
  eventTime: number;
  transactionTime: number;
}

/** An order's state change on `orders.<account>`: what the exchange reported, or Tickwire's own request. */
export interface OrderEvent {
  type: 'order_status_update' | 'order_update';
  account: string;
  symbol: string;
  orderId: number | null;
  clientOrderId: string;
  state: string;
  eventTime: number;
  [field: string]: unknown;
}

/** A bot's status or cycle on `bots.<account>.<botId>`. */
export interface BotEvent {
  type: 'bot_status_update' | 'bot_cycle_update';
  botId: string;
  account: string;
  symbol: string;
  cycle: number;
  eventTime: number;
  [field: string]: unknown;
}

/** An alert's transition on `alerts.<category>` (docs/MONITORING.md, "Alerts"). */
export interface AlertEvent {
  type: 'alert';
  id: string;
  rule: string;
  state: 'pending' | 'firing' | 'resolved' | 'inactive';
  severity: string;
  [field: string]: unknown;
}

/** The payload type of a topic, by its family (the first segment). */
export type DataOf<Topic extends string> = Topic extends `md.${string}`
  ? TickJson
  : Topic extends `fills.${string}`
    ? OrderFillNotification
    : Topic extends `orders.${string}`
      ? OrderEvent
      : Topic extends `bots.${string}`
        ? BotEvent
        : Topic extends `alerts.${string}`
          ? AlertEvent
          : unknown;

/** One data message as a subscription's handler gets it. */
export interface TopicMessage<Data = unknown> {
  /** The concrete topic it was published on. */
  topic: string;
  data: Data;
  /** Its place in the stream, on recoverable topics. */
  position?: StreamPosition;
  /** Replayed from the server's history after a reconnect. */
  recovered: boolean;
  /** It replaced older messages on its topic while this connection was slow. */
  conflated: boolean;
}
