import { fillsTopic, type MessageBus, ordersTopic } from '../bus/index.ts';
import { decimal, divide } from './amounts.ts';
import type { ExecutionUpdate } from './execution-report.ts';
import type { TradeFill, TrackedOrder } from './order-tracker.ts';
import type { AccountEvents } from './trading-account.ts';

/**
 * Publishes a durable account's events to its owner's private topics, built by the bus's topics
 * module: each fill on `fills.<account>` (the gateway's critical lane), each state change on
 * `orders.<account>` (high). Amounts are the exchange's 8-decimal strings; `eventTime` is the
 * exchange's (`E`), from which the latency targets are measured.
 */
export class TradingPublisher implements AccountEvents {
  constructor(
    private readonly bus: MessageBus,
    private readonly account: string,
  ) {}

  fill(order: TrackedOrder, fill: TradeFill, update: ExecutionUpdate): void {
    this.bus.publish(fillsTopic(this.account), {
      type: 'order_fill_notification',
      account: this.account,
      symbol: order.symbol,
      orderId: order.orderId ?? -1,
      clientOrderId: order.clientOrderId,
      side: order.side,
      // Orders placed by a bot will say which of its orders this is (issue 14's bots).
      orderType: 'manual',
      tradeId: fill.tradeId,
      price: decimal(fill.price),
      quantity: decimal(fill.quantity),
      quote: decimal(fill.quote),
      commission: decimal(fill.commission),
      commissionAsset: fill.commissionAsset,
      maker: fill.maker,
      filledQuantity: decimal(order.filledQuantity),
      averagePrice: decimal(divide(order.filledQuote, order.filledQuantity)),
      state: order.state,
      eventTime: update.eventTime,
      transactionTime: fill.time,
    });
  }

  order(order: TrackedOrder, update: ExecutionUpdate): void {
    this.bus.publish(ordersTopic(this.account), {
      type: 'order_status_update',
      account: this.account,
      symbol: order.symbol,
      orderId: order.orderId ?? -1,
      clientOrderId: order.clientOrderId,
      side: order.side,
      state: order.state,
      quantity: decimal(order.quantity),
      filledQuantity: decimal(order.filledQuantity),
      averagePrice: decimal(divide(order.filledQuote, order.filledQuantity)),
      eventTime: update.eventTime,
    });
  }
}
