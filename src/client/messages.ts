import type { AlertEvent, HardwareMessage, LatencyMessage, PerformanceMessage } from '../monitor/views.ts';
import type { BotEvent, OrderEvent, OrderFillNotification } from '../trading/views.ts';
import type { TickJson } from '../wire/index.ts';
import type { StreamPosition } from './stream-positions.ts';

/**
 * The payload type of a topic, by its family (the first segment) or its name. The shapes are the
 * server's own (src/trading/views.ts, src/monitor/views.ts); other topics' data is `unknown`.
 */
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
          : Topic extends 'monitor.hardware'
            ? HardwareMessage
            : Topic extends 'monitor.performance'
              ? PerformanceMessage
              : Topic extends 'trading.latency'
                ? LatencyMessage
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
