import { formatEight, formatUnits } from '../matching/amounts.ts';
import type { Fill, Order, OrderList } from '../matching/order.ts';
import type { SymbolSpec } from '../matching/symbol-rules.ts';

/**
 * Orders and fills as Binance's REST and WebSocket API answer them (field names, order and types
 * as its docs' examples): amounts as 8-decimal strings, ids and times as numbers.
 */

export const RESPONSE_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

/** MARKET and LIMIT orders answer FULL by default, every other type ACK (Binance's rule). */
export function defaultResponseType(order: Order): ResponseType {
  return order.type === 'MARKET' || order.type === 'LIMIT' ? 'FULL' : 'ACK';
}

/** `timeInForce` as Binance reports it: GTC for the types that take none. */
function timeInForceOf(order: Order): string {
  return order.timeInForce ?? 'GTC';
}

/** The fields a new-order and a cancel answer list alike, in Binance's order. */
function orderState(order: Order, spec: SymbolSpec): Record<string, unknown> {
  return {
    price: formatEight(order.price, spec.priceScale),
    origQty: formatEight(order.origQty, spec.sizeScale),
    executedQty: formatEight(order.executedQty, spec.sizeScale),
    origQuoteOrderQty: formatUnits(order.origQuoteOrderQty),
    cummulativeQuoteQty: formatUnits(order.cumulativeQuote),
    status: order.status,
    timeInForce: timeInForceOf(order),
    type: order.type,
    side: order.side,
  };
}

/** The answer to a new order, in its response type. */
export function newOrderJson(
  order: Order,
  spec: SymbolSpec,
  fills: readonly Fill[],
  type: ResponseType,
): Record<string, unknown> {
  if (type === 'ACK')
    return {
      symbol: spec.symbol,
      orderId: order.orderId,
      orderListId: order.orderListId,
      clientOrderId: order.clientOrderId,
      transactTime: order.time,
    };
  const result: Record<string, unknown> = {
    symbol: spec.symbol,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    transactTime: order.time,
    ...orderState(order, spec),
    // Binance lists stopPrice after `side` for the orders that have one.
    ...(order.stopPrice > 0 ? { stopPrice: formatEight(order.stopPrice, spec.priceScale) } : {}),
    workingTime: order.workingTime,
    selfTradePreventionMode: order.stpMode,
  };
  if (type === 'FULL') {
    result.fills = fills.map((fill) => ({
      price: formatEight(fill.price, spec.priceScale),
      qty: formatEight(fill.quantity, spec.sizeScale),
      commission: formatUnits(fill.commission),
      commissionAsset: fill.commissionAsset,
      tradeId: fill.tradeId,
    }));
  }
  return result;
}

/** An order as `GET /api/v3/order`, `openOrders` and `allOrders` list it. */
export function queriedOrderJson(order: Order, spec: SymbolSpec): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: order.clientOrderId,
    price: formatEight(order.price, spec.priceScale),
    origQty: formatEight(order.origQty, spec.sizeScale),
    executedQty: formatEight(order.executedQty, spec.sizeScale),
    cummulativeQuoteQty: formatUnits(order.cumulativeQuote),
    status: order.status,
    timeInForce: timeInForceOf(order),
    type: order.type,
    side: order.side,
    stopPrice: formatEight(order.stopPrice, spec.priceScale),
    icebergQty: '0.00000000',
    time: order.time,
    updateTime: order.updateTime,
    isWorking: order.isWorking,
    workingTime: order.workingTime,
    origQuoteOrderQty: formatUnits(order.origQuoteOrderQty),
    selfTradePreventionMode: order.stpMode,
  };
}

/** The answer to a cancel: the order as it is now, with the cancel's own client id. */
export function canceledOrderJson(
  order: Order,
  spec: SymbolSpec,
  cancelClientOrderId: string,
): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    origClientOrderId: order.clientOrderId,
    orderId: order.orderId,
    orderListId: order.orderListId,
    clientOrderId: cancelClientOrderId,
    transactTime: order.updateTime,
    ...orderState(order, spec),
    selfTradePreventionMode: order.stpMode,
  };
}

/** One of the account's trades as `GET /api/v3/myTrades` lists it. */
export function tradeJson(order: Order, fill: Fill, spec: SymbolSpec): Record<string, unknown> {
  return {
    symbol: spec.symbol,
    id: fill.tradeId,
    orderId: order.orderId,
    orderListId: order.orderListId,
    price: formatEight(fill.price, spec.priceScale),
    qty: formatEight(fill.quantity, spec.sizeScale),
    quoteQty: formatUnits(fill.quote),
    commission: formatUnits(fill.commission),
    commissionAsset: fill.commissionAsset,
    time: fill.time,
    isBuyer: order.side === 'BUY',
    isMaker: fill.maker,
    isBestMatch: true,
  };
}

/**
 * An order list as Binance answers it: the list's state and its legs' ids, and with `reports`
 * each leg's order answer (`orderReports`, on placing and cancelling).
 */
export function orderListJson(
  list: OrderList,
  spec: SymbolSpec,
  reports?: readonly Record<string, unknown>[],
): Record<string, unknown> {
  return {
    orderListId: list.orderListId,
    contingencyType: 'OCO',
    listStatusType: list.done ? 'ALL_DONE' : 'EXEC_STARTED',
    listOrderStatus: list.done ? 'ALL_DONE' : 'EXECUTING',
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.done ? list.updateTime : list.transactionTime,
    symbol: spec.symbol,
    orders: list.orders.map((order) => ({
      symbol: spec.symbol,
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
    })),
    ...(reports === undefined ? {} : { orderReports: reports }),
  };
}
