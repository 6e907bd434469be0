import { units } from './amounts.ts';

export const EXECUTION_TYPES = [
  'NEW',
  'CANCELED',
  'REPLACED',
  'REJECTED',
  'TRADE',
  'EXPIRED',
  'TRADE_PREVENTION',
] as const;
export type ExecutionType = (typeof EXECUTION_TYPES)[number];
export const EXCHANGE_STATUSES = [
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'PENDING_CANCEL',
  'REJECTED',
  'EXPIRED',
  'EXPIRED_IN_MATCH',
] as const;
export type ExchangeStatus = (typeof EXCHANGE_STATUSES)[number];

const EXECUTION_TYPE_SET: ReadonlySet<string> = new Set(EXECUTION_TYPES);
const STATUS_SET: ReadonlySet<string> = new Set(EXCHANGE_STATUSES);

/** One change of an order as the exchange reported it; amounts in units of 10^-8. */
export interface ExecutionUpdate {
  symbol: string;
  orderId: number;
  /** The order's own client id (for a cancel, the original one Binance sends in `C`). */
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  orderType: string;
  executionType: ExecutionType;
  status: ExchangeStatus;
  rejectReason: string;
  quantity: bigint;
  /** The order's limit price (`p`; 0 for a market order), when the source gives it. */
  price?: bigint;
  /** Cumulative filled quantity and quote after this update (`z`, `Z`). */
  cumulativeQuantity: bigint;
  cumulativeQuote: bigint;
  /** The fill this update carries, when it is a TRADE. */
  fill:
    | {
        tradeId: number;
        price: bigint;
        quantity: bigint;
        quote: bigint;
        commission: bigint;
        commissionAsset: string;
        maker: boolean;
      }
    | undefined;
  /**
   * Exchange event time (`E`), ms since the epoch, fractional when the stream gives microseconds;
   * transaction time (`T`), whole ms.
   */
  eventTime: number;
  transactionTime: number;
}

/**
 * A time of the stream as ms since the epoch. Tickwire asks for microseconds (`timeUnit=MICROSECOND`,
 * so that latency from the event time is measured finer than a millisecond); an exchange that
 * ignores the request sends milliseconds. The magnitude tells them apart: microseconds since 1970
 * passed 10^14 in 1973, milliseconds will not reach it before the year 5138.
 */
function milliseconds(time: number): number {
  return time > 1e14 ? time / 1000 : time;
}

/**
 * Binance's `executionReport` user-data event (field names as Binance's docs), checked and turned
 * into an ExecutionUpdate. The fill's price is `L` (last executed price) and its quantity `l`;
 * `p` is the order's limit price, 0 for a market order, and is never read as a fill price.
 *
 * Checked by hand rather than with a schema: every fill crosses this, and a zod parse was most of
 * its cost (bench `trading`, fills_per_s). Throws a RangeError naming the first bad field.
 */
export function parseExecutionReport(payload: unknown): ExecutionUpdate {
  if (payload === null || typeof payload !== 'object')
    throw new RangeError('an executionReport must be an object');
  const report = payload as Record<string, unknown>;
  if (report.e !== 'executionReport') throw new RangeError('e must be "executionReport"');
  const executionType = oneOf(report, 'x', EXECUTION_TYPE_SET) as ExecutionType;
  const status = oneOf(report, 'X', STATUS_SET) as ExchangeStatus;
  const side = oneOf(report, 'S', SIDES) as 'BUY' | 'SELL';
  const original = text(report, 'C');
  const canceled = executionType === 'CANCELED' && original !== '';
  const commissionAsset = report.N;
  if (commissionAsset !== null && typeof commissionAsset !== 'string')
    throw new RangeError('N must be a string or null');
  return {
    symbol: text(report, 's', 1),
    orderId: integer(report, 'i'),
    clientOrderId: canceled ? original : text(report, 'c'),
    side,
    orderType: text(report, 'o'),
    executionType,
    status,
    rejectReason: text(report, 'r'),
    quantity: amount(report, 'q'),
    price: amount(report, 'p'),
    cumulativeQuantity: amount(report, 'z'),
    cumulativeQuote: amount(report, 'Z'),
    fill:
      executionType === 'TRADE'
        ? {
            tradeId: integer(report, 't'),
            price: amount(report, 'L'),
            quantity: amount(report, 'l'),
            quote: amount(report, 'Y'),
            commission: amount(report, 'n'),
            commissionAsset: commissionAsset ?? '',
            maker: flag(report, 'm'),
          }
        : undefined,
    eventTime: milliseconds(integer(report, 'E')),
    transactionTime: Math.floor(milliseconds(integer(report, 'T'))),
  };
}

const SIDES: ReadonlySet<string> = new Set(['BUY', 'SELL']);

function text(report: Record<string, unknown>, field: string, minLength = 0): string {
  const value = report[field];
  if (typeof value !== 'string' || value.length < minLength)
    throw new RangeError(`${field} must be a string`);
  return value;
}

function oneOf(report: Record<string, unknown>, field: string, allowed: ReadonlySet<string>): string {
  const value = report[field];
  if (typeof value !== 'string' || !allowed.has(value))
    throw new RangeError(`${field} must be one of ${[...allowed].join(', ')}`);
  return value;
}

function integer(report: Record<string, unknown>, field: string): number {
  const value = report[field];
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field} must be an integer`);
  return value as number;
}

function flag(report: Record<string, unknown>, field: string): boolean {
  const value = report[field];
  if (typeof value !== 'boolean') throw new RangeError(`${field} must be a boolean`);
  return value;
}

/** A decimal string as units of 10^-8 (units() throws a RangeError for a bad one). */
function amount(report: Record<string, unknown>, field: string): bigint {
  return units(text(report, field));
}

/** What an update says of its order, whatever its source. */
export type OrderFacts = Pick<
  ExecutionUpdate,
  'symbol' | 'orderId' | 'clientOrderId' | 'side' | 'orderType' | 'quantity' | 'price'
>;

/**
 * An order's state learnt outside the stream (fetched over REST, or read back from the store), as
 * an update without a fill.
 */
export function stateUpdate(
  order: OrderFacts,
  status: ExchangeStatus,
  cumulativeQuantity: bigint,
  cumulativeQuote: bigint,
  time: number,
): ExecutionUpdate {
  return {
    ...order,
    executionType: 'NEW',
    status,
    rejectReason: 'NONE',
    cumulativeQuantity,
    cumulativeQuote,
    fill: undefined,
    eventTime: time,
    transactionTime: time,
  };
}

/**
 * A fill learnt outside the stream, as an update. A fill alone moves its order no further than
 * partly filled; the order's own state, applied separately, says the rest.
 */
export function fillUpdate(
  order: OrderFacts,
  fill: NonNullable<ExecutionUpdate['fill']>,
  time: number,
): ExecutionUpdate {
  return { ...stateUpdate(order, 'PARTIALLY_FILLED', 0n, 0n, time), executionType: 'TRADE', fill };
}
