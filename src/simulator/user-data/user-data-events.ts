import type { Balance } from '../accounts/ledger.ts';
import { formatEight, formatUnits } from '../matching/amounts.ts';
import type { Execution, OrderList } from '../matching/order.ts';
import type { SymbolSpec } from '../matching/symbol-rules.ts';

/**
 * The user-data events, field for field as Binance's "User Data Streams" documents them. Order
 * of keys follows the docs' examples; `N` is null when there was no commission.
 */

export function executionReportJson(execution: Execution, spec: SymbolSpec, eventTime: number): string {
  const { order, fill } = execution;
  const canceled = execution.type === 'CANCELED';
  const lastQuote = fill?.quote ?? 0n;
  return JSON.stringify({
    e: 'executionReport',
    E: eventTime,
    s: spec.symbol,
    c: canceled ? `cancel${order.orderId}` : order.clientOrderId,
    S: order.side,
    o: order.type,
    f: order.timeInForce ?? 'GTC',
    q: formatEight(order.origQty, spec.sizeScale),
    p: formatEight(order.price, spec.priceScale),
    P: formatEight(order.stopPrice, spec.priceScale),
    F: '0.00000000',
    g: -1,
    C: canceled ? order.clientOrderId : '',
    x: execution.type,
    X: execution.status,
    r: 'NONE',
    i: order.orderId,
    l: formatEight(fill?.quantity ?? 0, spec.sizeScale),
    z: formatEight(execution.executedQty, spec.sizeScale),
    L: formatEight(fill?.price ?? 0, spec.priceScale),
    n: formatUnits(fill?.commission ?? 0n),
    N: fill === undefined ? null : fill.commissionAsset,
    T: execution.time,
    t: fill?.tradeId ?? -1,
    I: order.executions,
    w: isWorkingStatus(execution),
    m: fill?.maker ?? false,
    M: false,
    O: order.time,
    Z: formatUnits(execution.cumulativeQuote),
    Y: formatUnits(lastQuote),
    Q: formatUnits(order.origQuoteOrderQty),
    W: order.workingTime,
    V: order.stpMode,
  });
}

/** `w`: the order is on the book (working) after this execution. */
function isWorkingStatus(execution: Execution): boolean {
  return execution.order.isWorking && (execution.status === 'NEW' || execution.status === 'PARTIALLY_FILLED');
}

export function accountPositionJson(
  balances: ReadonlyArray<readonly [string, Readonly<Balance>]>,
  eventTime: number,
): string {
  return JSON.stringify({
    e: 'outboundAccountPosition',
    E: eventTime,
    u: eventTime,
    B: balances.map(([asset, balance]) => ({
      a: asset,
      f: formatUnits(balance.free),
      l: formatUnits(balance.locked),
    })),
  });
}

export function balanceUpdateJson(asset: string, delta: bigint, eventTime: number): string {
  return JSON.stringify({ e: 'balanceUpdate', E: eventTime, a: asset, d: formatUnits(delta), T: eventTime });
}

/** `listStatus`: an OCO list started (EXEC_STARTED / EXECUTING) or ended (ALL_DONE). */
export function listStatusJson(list: OrderList, spec: SymbolSpec, eventTime: number): string {
  return JSON.stringify({
    e: 'listStatus',
    E: eventTime,
    s: spec.symbol,
    g: list.orderListId,
    c: 'OCO',
    l: list.done ? 'ALL_DONE' : 'EXEC_STARTED',
    L: list.done ? 'ALL_DONE' : 'EXECUTING',
    r: 'NONE',
    C: list.listClientOrderId,
    T: list.done ? list.updateTime : list.transactionTime,
    O: list.orders.map((order) => ({ s: spec.symbol, i: order.orderId, c: order.clientOrderId })),
  });
}
