import { z } from 'zod';
import { units } from './amounts.ts';

/**
 * Binance's `executionReport` user-data event (field names as Binance's docs), checked and turned
 * into an ExecutionUpdate. The fill's price is `L` (last executed price) and its quantity `l`;
 * `p` is the order's limit price, 0 for a market order, and is never read as a fill price.
 */
const executionReportSchema = z.object({
  e: z.literal('executionReport'),
  E: z.number().int(),
  s: z.string().min(1),
  c: z.string(),
  S: z.enum(['BUY', 'SELL']),
  o: z.string(),
  f: z.string(),
  q: z.string(),
  p: z.string(),
  C: z.string(),
  x: z.enum(['NEW', 'CANCELED', 'REPLACED', 'REJECTED', 'TRADE', 'EXPIRED', 'TRADE_PREVENTION']),
  X: z.enum([
    'NEW',
    'PARTIALLY_FILLED',
    'FILLED',
    'CANCELED',
    'PENDING_CANCEL',
    'REJECTED',
    'EXPIRED',
    'EXPIRED_IN_MATCH',
  ]),
  r: z.string(),
  i: z.number().int(),
  l: z.string(),
  z: z.string(),
  L: z.string(),
  n: z.string(),
  N: z.string().nullable(),
  T: z.number().int(),
  t: z.number().int(),
  m: z.boolean(),
  Z: z.string(),
  Y: z.string(),
});

export type ExchangeStatus = z.infer<typeof executionReportSchema>['X'];

/** One change of an order as the exchange reported it; amounts in units of 10^-8. */
export interface ExecutionUpdate {
  symbol: string;
  orderId: number;
  /** The order's own client id (for a cancel, the original one Binance sends in `C`). */
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  orderType: string;
  executionType: z.infer<typeof executionReportSchema>['x'];
  status: ExchangeStatus;
  rejectReason: string;
  quantity: bigint;
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

/** Parses an executionReport payload (already JSON-decoded); throws a ZodError or RangeError when malformed. */
export function parseExecutionReport(payload: unknown): ExecutionUpdate {
  const report = executionReportSchema.parse(payload);
  const canceled = report.x === 'CANCELED' && report.C !== '';
  return {
    symbol: report.s,
    orderId: report.i,
    clientOrderId: canceled ? report.C : report.c,
    side: report.S,
    orderType: report.o,
    executionType: report.x,
    status: report.X,
    rejectReason: report.r,
    quantity: units(report.q),
    cumulativeQuantity: units(report.z),
    cumulativeQuote: units(report.Z),
    fill:
      report.x === 'TRADE'
        ? {
            tradeId: report.t,
            price: units(report.L),
            quantity: units(report.l),
            quote: units(report.Y),
            commission: units(report.n),
            commissionAsset: report.N ?? '',
            maker: report.m,
          }
        : undefined,
    eventTime: milliseconds(report.E),
    transactionTime: Math.floor(milliseconds(report.T)),
  };
}

/** What an update says of its order, whatever its source. */
export type OrderFacts = Pick<
  ExecutionUpdate,
  'symbol' | 'orderId' | 'clientOrderId' | 'side' | 'orderType' | 'quantity'
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
