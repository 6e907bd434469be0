import { fillsTopic, type MessageBus, ordersTopic } from '../bus/index.ts';
import { decimal, divide } from './amounts.ts';
import type { OrderSnapshot, TradeFill } from './order-tracker.ts';
import type { AccountEvents, StateSource } from './trading-account.ts';
import type { FillFigures, OrderEvent, OrderFillNotification, OrderView } from './views.ts';

/**
 * Publishes a durable account's events to its owner's private topics, built by the bus's topics
 * module: each fill on `fills.<account>` (the gateway's critical lane), each state change on
 * `orders.<account>` (high): `order_status_update` for what the exchange reported,
 * `order_update` for Tickwire's own requests (sent and pending, cancel pending, refused before the
 * exchange acknowledged). Amounts are the exchange's 8-decimal strings; `eventTime` is the
 * exchange's (`E`), from which the latency targets are measured.
 */
export class TradingPublisher implements AccountEvents {
  constructor(
    private readonly bus: MessageBus,
    private readonly account: string,
  ) {}

  fill(order: OrderSnapshot, fill: TradeFill, eventTime: number): void {
    this.bus.publish(fillsTopic(this.account), {
      type: 'order_fill_notification',
      account: this.account,
      symbol: order.symbol,
      orderId: order.orderId ?? -1,
      clientOrderId: order.clientOrderId,
      side: order.side,
      orderType: order.origin.purpose,
      ...(order.origin.botId === undefined ? {} : { botId: order.origin.botId }),
      ...fillView(fill),
      filledQuantity: decimal(order.filledQuantity),
      averagePrice: decimal(divide(order.filledQuote, order.filledQuantity)),
      state: order.state,
      eventTime,
      transactionTime: fill.time,
    } satisfies OrderFillNotification);
  }

  order(order: OrderSnapshot, eventTime: number, source: StateSource): void {
    this.bus.publish(ordersTopic(this.account), {
      type: source === 'exchange' ? 'order_status_update' : 'order_update',
      ...orderView(order),
      account: this.account,
      eventTime,
    } satisfies OrderEvent);
  }
}

/** A fill's own figures as the orders API and fill notifications show them. */
export function fillView(fill: TradeFill): FillFigures {
  return {
    tradeId: fill.tradeId,
    price: decimal(fill.price),
    quantity: decimal(fill.quantity),
    quote: decimal(fill.quote),
    commission: decimal(fill.commission),
    commissionAsset: fill.commissionAsset,
    maker: fill.maker,
  };
}

/**
 * An order as the orders API and its events show it: `orderType` is what the order is for (manual,
 * base_order, safety_order, take_profit, stop_loss), as in fill notifications; `kind` is the
 * exchange's order type (LIMIT, MARKET).
 */
export function orderView(order: OrderSnapshot): OrderView {
  return {
    symbol: order.symbol,
    orderId: order.orderId ?? null,
    clientOrderId: order.clientOrderId,
    side: order.side,
    kind: order.orderType,
    orderType: order.origin.purpose,
    ...(order.origin.botId === undefined ? {} : { botId: order.origin.botId }),
    state: order.state,
    quantity: decimal(order.quantity),
    ...(order.limitPrice > 0n ? { price: decimal(order.limitPrice) } : {}),
    filledQuantity: decimal(order.filledQuantity),
    averagePrice: decimal(divide(order.filledQuote, order.filledQuantity)),
    ...(order.rejectReason === undefined ? {} : { rejectReason: order.rejectReason }),
  };
}
