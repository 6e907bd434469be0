import { wallClockMs } from '../../wire/index.ts';
import type { Balance } from '../accounts/ledger.ts';
import { formatEight, formatUnits } from '../matching/amounts.ts';
import type { Execution, OrderList } from '../matching/order.ts';
import type { SymbolSpec } from '../matching/symbol-rules.ts';

/**
 * The user-data events, field for field as Binance's "User Data Streams" documents them. Order
 * of keys follows the docs' examples; `N` is null when there was no commission.
 *
 * Times are in milliseconds, or in microseconds for a connection that asked for them with
 * `timeUnit=MICROSECOND` (as Binance's streams take it): then the event time `E` is the
 * microsecond clock when the event is written, and the other times are the milliseconds × 1000.
 */

export const TIME_UNITS = ['MILLISECOND', 'MICROSECOND'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** `timeUnit` of a stream URL (either case); absent or unknown: milliseconds. */
export function parseTimeUnit(text: string | null): TimeUnit {
  return text?.toUpperCase() === 'MICROSECOND' ? 'MICROSECOND' : 'MILLISECOND';
}

/** The wall clock in whole microseconds since the epoch. */
export function nowMicros(): number {
  return Math.floor(wallClockMs() * 1000);
}

/** An event's `E` and the factor for its other times, in `unit`. */
function clock(unit: TimeUnit, eventTimeMs: number): { E: number; scale: number } {
  return unit === 'MICROSECOND' ? { E: nowMicros(), scale: 1000 } : { E: eventTimeMs, scale: 1 };
}

export function executionReportJson(
  execution: Execution,
  spec: SymbolSpec,
  eventTime: number,
  unit: TimeUnit = 'MILLISECOND',
): string {
  const { order, fill } = execution;
  const { E, scale } = clock(unit, eventTime);
  const canceled = execution.type === 'CANCELED';
  const lastQuote = fill?.quote ?? 0n;
  return JSON.stringify({
    e: 'executionReport',
    E,
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
    T: execution.time * scale,
    t: fill?.tradeId ?? -1,
    I: order.executions,
    w: isWorkingStatus(execution),
    m: fill?.maker ?? false,
    M: false,
    O: order.time * scale,
    Z: formatUnits(execution.cumulativeQuote),
    Y: formatUnits(lastQuote),
    Q: formatUnits(order.origQuoteOrderQty),
    W: order.workingTime * scale,
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
  unit: TimeUnit = 'MILLISECOND',
): string {
  const { E, scale } = clock(unit, eventTime);
  return JSON.stringify({
    e: 'outboundAccountPosition',
    E,
    u: eventTime * scale,
    B: balances.map(([asset, balance]) => ({
      a: asset,
      f: formatUnits(balance.free),
      l: formatUnits(balance.locked),
    })),
  });
}

export function balanceUpdateJson(
  asset: string,
  delta: bigint,
  eventTime: number,
  unit: TimeUnit = 'MILLISECOND',
): string {
  const { E, scale } = clock(unit, eventTime);
  return JSON.stringify({ e: 'balanceUpdate', E, a: asset, d: formatUnits(delta), T: eventTime * scale });
}

/** `listStatus`: an OCO list started (EXEC_STARTED / EXECUTING) or ended (ALL_DONE). */
/** `listenKeyExpired`, sent to the key's connections when it ends. */
export function listenKeyExpiredJson(listenKey: string, now: number, unit: TimeUnit): string {
  return JSON.stringify({ e: 'listenKeyExpired', E: clock(unit, now).E, listenKey });
}

export function listStatusJson(
  list: OrderList,
  spec: SymbolSpec,
  eventTime: number,
  unit: TimeUnit = 'MILLISECOND',
): string {
  const { E, scale } = clock(unit, eventTime);
  return JSON.stringify({
    e: 'listStatus',
    E,
    s: spec.symbol,
    g: list.orderListId,
    c: 'OCO',
    l: list.done ? 'ALL_DONE' : 'EXEC_STARTED',
    L: list.done ? 'ALL_DONE' : 'EXECUTING',
    r: 'NONE',
    C: list.listClientOrderId,
    T: (list.done ? list.updateTime : list.transactionTime) * scale,
    O: list.orders.map((order) => ({ s: spec.symbol, i: order.orderId, c: order.clientOrderId })),
  });
}
