/**
 * Orders on the simulated exchange, with Binance Spot's enums spelled as its API spells them
 * ("Enum Definitions" of the Spot API docs).
 */

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];

export const ORDER_TYPES = [
  'LIMIT',
  'MARKET',
  'LIMIT_MAKER',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIME_IN_FORCE = ['GTC', 'IOC', 'FOK'] as const;
export type TimeInForce = (typeof TIME_IN_FORCE)[number];

export const ORDER_STATUSES = [
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const STP_MODES = ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'] as const;
export type StpMode = (typeof STP_MODES)[number];

export const EXECUTION_TYPES = [
  'NEW',
  'CANCELED',
  'REPLACED',
  'TRADE',
  'EXPIRED',
  'TRADE_PREVENTION',
] as const;
export type ExecutionType = (typeof EXECUTION_TYPES)[number];

/** The mode an order gets when it names none (what exchangeInfo lists as the default). */
export const DEFAULT_STP_MODE: StpMode = 'EXPIRE_MAKER';

/** What a client asks for, already parsed: prices and quantities as mantissas at the symbol's scales. */
export interface OrderRequest {
  accountId: number;
  symbolIndex: number;
  side: OrderSide;
  type: OrderType;
  timeInForce?: TimeInForce;
  /** Base quantity; absent only for a MARKET order by `quoteOrderQty`. */
  quantity?: number;
  /** MARKET only: spend this much quote (units of 10^-8) instead of a base quantity. */
  quoteOrderQty?: bigint;
  price?: number;
  stopPrice?: number;
  clientOrderId?: string;
  stpMode?: StpMode;
}

/** A stop or take-profit order waiting for its trigger. */
export function isConditional(type: OrderType): boolean {
  return (
    type === 'STOP_LOSS' ||
    type === 'STOP_LOSS_LIMIT' ||
    type === 'TAKE_PROFIT' ||
    type === 'TAKE_PROFIT_LIMIT'
  );
}

/** The order type a triggered conditional order becomes. */
export function triggeredType(type: OrderType): 'MARKET' | 'LIMIT' {
  return type === 'STOP_LOSS' || type === 'TAKE_PROFIT' ? 'MARKET' : 'LIMIT';
}

export interface Order {
  readonly orderId: number;
  /** The order list (OCO) the order is a leg of, or -1. */
  readonly orderListId: number;
  readonly accountId: number;
  readonly symbolIndex: number;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce | undefined;
  /** Limit price mantissa; 0 for MARKET and STOP_LOSS / TAKE_PROFIT. */
  readonly price: number;
  /** Trigger price mantissa; 0 when the type has none. */
  readonly stopPrice: number;
  /** Base quantity mantissa; 0 for a MARKET order by quote amount. */
  readonly origQty: number;
  /** Quote amount of a MARKET order by `quoteOrderQty` (units), else 0n. */
  readonly origQuoteOrderQty: bigint;
  readonly stpMode: StpMode;
  readonly time: number;
  executedQty: number;
  /** Sum of the fills' quote amounts (units). */
  cumulativeQuote: bigint;
  status: OrderStatus;
  updateTime: number;
  /** False while a conditional order waits for its trigger. */
  isWorking: boolean;
  /** When the order started working (placed, or triggered); -1 while waiting. */
  workingTime: number;
  /**
   * The amount still locked for this order (of the quote asset for a BUY, the base for a SELL).
   * The legs of an OCO share one lock: the first leg holds it until the other starts executing.
   */
  locked: bigint;
  /** Market quantity ahead of this order in its price level's queue, while it rests. */
  ahead: number;
  /** Sequence of the order's executions (the user-data events' order). */
  executions: number;
}

export interface Fill {
  tradeId: number;
  price: number;
  quantity: number;
  /** price × quantity, units of the quote asset. */
  quote: bigint;
  commission: bigint;
  commissionAsset: string;
  /** True when this order was the resting (maker) side. */
  maker: boolean;
  time: number;
}

/** One change of an order, in the order it happened: what a user-data executionReport carries. */
export interface Execution {
  readonly order: Order;
  readonly type: ExecutionType;
  /** The order's status right after this execution (the order itself may have moved on since). */
  readonly status: OrderStatus;
  readonly executedQty: number;
  readonly cumulativeQuote: bigint;
  readonly fill: Fill | undefined;
  readonly time: number;
}

/**
 * An order list of the One-Cancels-the-Other kind: when a leg starts executing (a fill, or its
 * trigger), the others expire; cancelling one leg cancels the list.
 */
export interface OrderList {
  readonly orderListId: number;
  readonly listClientOrderId: string;
  readonly accountId: number;
  readonly symbolIndex: number;
  readonly orders: readonly Order[];
  readonly transactionTime: number;
  /** `EXEC_STARTED` then `ALL_DONE` (listStatusType); `EXECUTING` then `ALL_DONE` (listOrderStatus). */
  done: boolean;
  updateTime: number;
}

/** How an order matches once working: at its limit, or at any price. */
export function workingType(order: Pick<Order, 'type'>): 'MARKET' | 'LIMIT' {
  if (isConditional(order.type)) return triggeredType(order.type);
  return order.type === 'MARKET' ? 'MARKET' : 'LIMIT';
}

/** True when a conditional order's trigger is reached at `lastPrice`. */
export function triggersAt(order: Order, lastPrice: number): boolean {
  const stopLoss = order.type === 'STOP_LOSS' || order.type === 'STOP_LOSS_LIMIT';
  // A buy stop-loss triggers on a rise, a sell stop-loss on a fall; take-profits the other way.
  const onRise = stopLoss === (order.side === 'BUY');
  return onRise ? lastPrice >= order.stopPrice : lastPrice <= order.stopPrice;
}

export function remaining(order: Order): number {
  return order.origQty - order.executedQty;
}

export function isOpen(order: Order): boolean {
  return order.status === 'NEW' || order.status === 'PARTIALLY_FILLED';
}
