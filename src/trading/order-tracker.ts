import type { ExchangeStatus, ExecutionUpdate } from './execution-report.ts';
import type { OrderPurpose, OrderState } from './views.ts';

const TERMINAL: ReadonlySet<OrderState> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);
/** How far along a live order is; a report never moves it back. */
const RANK: Record<OrderState, number> = {
  PENDING_NEW: 0,
  NEW: 1,
  PARTIALLY_FILLED: 2,
  PENDING_CANCEL: 2,
  FILLED: 3,
  CANCELED: 3,
  REJECTED: 3,
  EXPIRED: 3,
};
const FROM_EXCHANGE: Record<ExchangeStatus, OrderState> = {
  NEW: 'NEW',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELED',
  PENDING_CANCEL: 'PENDING_CANCEL',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
  EXPIRED_IN_MATCH: 'EXPIRED',
};

export function isTerminal(state: OrderState): boolean {
  return TERMINAL.has(state);
}

export interface TradeFill {
  tradeId: number;
  price: bigint;
  quantity: bigint;
  quote: bigint;
  commission: bigint;
  commissionAsset: string;
  maker: boolean;
  time: number;
}

/** Who placed an order and why; set when Tickwire places it, kept in the store with it. */
export interface OrderOrigin {
  purpose: OrderPurpose;
  botId: string | undefined;
}

export const MANUAL: OrderOrigin = { purpose: 'manual', botId: undefined };

/** An order as it was at one moment: what an event about it carries. */
export type OrderSnapshot = Pick<
  TrackedOrder,
  | 'symbol'
  | 'orderId'
  | 'clientOrderId'
  | 'side'
  | 'orderType'
  | 'limitPrice'
  | 'origin'
  | 'state'
  | 'quantity'
  | 'filledQuantity'
  | 'filledQuote'
  | 'rejectReason'
>;

/** Why a report was refused (counted, never applied). */
export const REFUSALS = ['IMPOSSIBLE_TRANSITION', 'OVERFILL', 'OTHER_ORDER'] as const;
export type Refusal = (typeof REFUSALS)[number];

export interface ApplyOutcome {
  /** The state moved (to `state`). */
  changed: boolean;
  state: OrderState;
  /** A fill not seen before, to record and publish. */
  fill: TradeFill | undefined;
  /** The report told nothing new (a duplicate, or older than what was applied). */
  stale: boolean;
  refused: Refusal | undefined;
}

/**
 * One order as Tickwire knows it: the state machine over the exchange's reports, and its fills by
 * trade id. Applying the same reports in any order, any number of times, ends in the same state
 * with the same fills: a fill counts once per trade id, a state only moves forward (a late NEW
 * after FILLED changes nothing), and an impossible move (a FILLED order reported CANCELED, fills
 * past the order's quantity) is refused, not applied.
 */
export class TrackedOrder {
  state: OrderState = 'PENDING_NEW';
  orderId: number | undefined;
  filledQuantity = 0n;
  filledQuote = 0n;
  /** The largest cumulative filled quantity the exchange reported: above filledQuantity, fills are missing. */
  reportedQuantity = 0n;
  lastEventTime = 0;
  /** The exchange's order type (LIMIT, MARKET…), from the request or the first report. */
  orderType = 'UNKNOWN';
  /** The limit price, 0n for a market order or until known. */
  limitPrice = 0n;
  /** Why it was refused, when REJECTED (the exchange's message or a pre-trade check's code). */
  rejectReason: string | undefined;
  readonly fills = new Map<number, TradeFill>();
  /** The state before a cancel was requested, to return to if the exchange refuses the cancel. */
  private beforeCancel: OrderState | undefined;

  constructor(
    readonly clientOrderId: string,
    readonly symbol: string,
    readonly side: 'BUY' | 'SELL',
    /** Base quantity ordered; 0n when unknown until the first report (a market order by quote amount). */
    public quantity: bigint,
    public origin: OrderOrigin = MANUAL,
  ) {}

  /** A copy of what an event about the order shows, as it is now. */
  snapshot(): OrderSnapshot {
    return {
      symbol: this.symbol,
      orderId: this.orderId,
      clientOrderId: this.clientOrderId,
      side: this.side,
      orderType: this.orderType,
      limitPrice: this.limitPrice,
      origin: this.origin,
      state: this.state,
      quantity: this.quantity,
      filledQuantity: this.filledQuantity,
      filledQuote: this.filledQuote,
      rejectReason: this.rejectReason,
    };
  }

  /** Not ended: acknowledged or pending, so it holds balance and counts as open. */
  get isOpen(): boolean {
    return !isTerminal(this.state);
  }

  /** Fills the exchange reported that this order has not received yet (quantity). */
  get missingQuantity(): bigint {
    return this.reportedQuantity - this.filledQuantity;
  }

  /** A cancel was sent: PENDING_CANCEL until the exchange answers. False when the order is not live. */
  requestCancel(): boolean {
    if (isTerminal(this.state) || this.state === 'PENDING_CANCEL') return false;
    this.beforeCancel = this.state;
    this.state = 'PENDING_CANCEL';
    return true;
  }

  /** The exchange refused the cancel (the order had already ended, or is unknown to it). */
  cancelRefused(): void {
    // Fills may have come while the cancel was in flight: the order is where they left it.
    if (this.state === 'PENDING_CANCEL' && this.beforeCancel !== undefined)
      this.state = this.filledQuantity > 0n ? 'PARTIALLY_FILLED' : this.beforeCancel;
    this.beforeCancel = undefined;
  }

  /** The exchange refused the order itself. */
  rejected(reason?: string): void {
    if (isTerminal(this.state)) return;
    this.state = 'REJECTED';
    this.rejectReason = reason;
  }

  apply(update: ExecutionUpdate): ApplyOutcome {
    const outcome: ApplyOutcome = {
      changed: false,
      state: this.state,
      fill: undefined,
      stale: true,
      refused: undefined,
    };
    if (this.orderId !== undefined && update.orderId !== this.orderId) {
      outcome.refused = 'OTHER_ORDER';
      return outcome;
    }
    if (this.quantity === 0n) this.quantity = update.quantity;
    if (this.orderType === 'UNKNOWN') this.orderType = update.orderType;
    if (this.limitPrice === 0n && update.price !== undefined) this.limitPrice = update.price;
    if (update.status === 'REJECTED' && update.rejectReason !== 'NONE')
      this.rejectReason = update.rejectReason;
    const next = FROM_EXCHANGE[update.status];
    if (isTerminal(this.state) && isTerminal(next) && next !== this.state) {
      outcome.refused = 'IMPOSSIBLE_TRANSITION';
      return outcome;
    }
    const fill = update.fill;
    if (fill !== undefined && !this.fills.has(fill.tradeId)) {
      if (this.quantity > 0n && this.filledQuantity + fill.quantity > this.quantity) {
        outcome.refused = 'OVERFILL';
        return outcome;
      }
      const recorded: TradeFill = { ...fill, time: update.transactionTime };
      this.fills.set(fill.tradeId, recorded);
      this.filledQuantity += fill.quantity;
      this.filledQuote += fill.quote;
      outcome.fill = recorded;
      outcome.stale = false;
    }
    this.orderId ??= update.orderId;
    if (update.cumulativeQuantity > this.reportedQuantity) this.reportedQuantity = update.cumulativeQuantity;
    if (update.eventTime > this.lastEventTime) this.lastEventTime = update.eventTime;
    const target = this.state === 'PENDING_CANCEL' && !isTerminal(next) ? 'PENDING_CANCEL' : next;
    if (target !== this.state && RANK[target] >= RANK[this.state] && !isTerminal(this.state)) {
      this.state = target;
      outcome.changed = true;
      outcome.stale = false;
      if (isTerminal(target)) this.beforeCancel = undefined;
    }
    outcome.state = this.state;
    return outcome;
  }
}
