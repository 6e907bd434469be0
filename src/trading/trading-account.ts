import { wallClockMs } from '../wire/index.ts';
import { AccountBook, type AssetsOf } from './account-book.ts';
import { type ExecutionUpdate, fillUpdate, stateUpdate } from './execution-report.ts';
import type { OrderOrigin, TradeFill, TrackedOrder } from './order-tracker.ts';
import type { StoredFill, TradingStore } from './storage/trading-store.ts';

/**
 * Where an order's new state comes from: the exchange (a report, or reconciliation) or Tickwire's
 * own request (sent and pending, refused before or by the exchange).
 */
export type StateSource = 'exchange' | 'request';

/**
 * What a TradingAccount tells its listeners (the publisher, the bots), after the store has it.
 * `eventTime` is the exchange's (`E`) for what it reported, Tickwire's clock for a request.
 */
export interface AccountEvents {
  fill(order: TrackedOrder, fill: TradeFill, eventTime: number): void;
  order(order: TrackedOrder, eventTime: number, source: StateSource): void;
}

/** An order Tickwire is about to send: written (PENDING_NEW) before it leaves. */
export interface OrderIntent {
  symbol: string;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  orderType: string;
  quantity: bigint;
  origin: OrderOrigin;
}

/**
 * One account's trading state, durable: each update is applied to the account book, its new fill
 * and the order's new state are written to the store, and only then handed to `events` (to be
 * published). Updates are taken one at a time in arrival order. A fill the store already had (a
 * restart replays what was stored but maybe not published, or the exchange repeats it) is not
 * handed on again; `restore` rebuilds the book from the store after a restart, and reconciliation
 * resumes after the last stored trade.
 */
export class TradingAccount {
  readonly book: AccountBook;
  private queue: Promise<void> = Promise.resolve();
  /** Writes that failed (the store is down): the update is retried by the next reconciliation. */
  failures = 0;

  constructor(
    readonly account: string,
    private readonly store: TradingStore,
    assetsOf: AssetsOf,
    private readonly events: AccountEvents,
  ) {
    this.book = new AccountBook(assetsOf);
  }

  /**
   * Rebuilds orders, fills and positions from the store (at start, before connecting), then hands
   * on the fills that were stored but not published when the process stopped.
   */
  async restore(): Promise<void> {
    const orders = new Map(
      (await this.store.orders(this.account)).map((order) => [order.clientOrderId, order]),
    );
    for (const fill of await this.store.fills(this.account)) {
      const order = orders.get(fill.clientOrderId);
      if (order !== undefined) this.book.expect({ ...order, origin: order });
      const update = fillUpdate(
        {
          symbol: fill.symbol,
          orderId: fill.orderId,
          clientOrderId: fill.clientOrderId,
          side: fill.side,
          orderType: order?.orderType ?? 'UNKNOWN',
          quantity: order?.quantity ?? 0n,
        },
        fill,
        fill.time,
      );
      this.book.apply(update);
    }
    for (const order of orders.values()) {
      // Sent, never acknowledged: reconciliation asks the exchange what became of it.
      if (order.orderId === undefined || order.state === 'PENDING_NEW') {
        this.book.expect({ ...order, origin: order });
        continue;
      }
      const status = order.state === 'PENDING_CANCEL' ? 'NEW' : order.state;
      this.book.apply(
        stateUpdate(
          {
            symbol: order.symbol,
            orderId: order.orderId,
            clientOrderId: order.clientOrderId,
            side: order.side,
            orderType: order.orderType,
            quantity: order.quantity,
          },
          status,
          order.filledQuantity,
          order.filledQuote,
          order.updatedAt,
        ),
      );
    }
    for (const fill of await this.store.unpublishedFills(this.account)) {
      const order = this.book.order(fill.orderId)!;
      this.events.fill(order, order.fills.get(fill.tradeId)!, fill.time);
      await this.store.markPublished(this.account, fill.symbol, fill.tradeId);
    }
  }

  /** Takes an update from the exchange connection; resolves once it is stored and handed on. */
  ingest(update: ExecutionUpdate): Promise<void> {
    return this.serially(() => this.store_(update));
  }

  /**
   * An order about to be sent: PENDING_NEW in the book and the store before it leaves, so that a
   * process killed while it is in flight finds it at restart and asks the exchange about it.
   */
  async expect(intent: OrderIntent): Promise<TrackedOrder> {
    let order: TrackedOrder | undefined;
    await this.serially(async () => {
      order = this.book.expect(intent);
      const now = wallClockMs();
      await this.persist(order, intent.orderType, Math.floor(now));
      this.events.order(order, now, 'request');
    }, true);
    return order!;
  }

  /** The exchange (or the network) refused an order before acknowledging it. */
  refused(clientOrderId: string, reason: string): Promise<void> {
    return this.transition(clientOrderId, (order) => order.rejected(reason));
  }

  /** A cancel is about to be sent; false when the order is not live (nothing to cancel). */
  async cancelling(clientOrderId: string): Promise<boolean> {
    let live = false;
    await this.transition(clientOrderId, (order) => (live = order.requestCancel()));
    return live;
  }

  /** The exchange refused a cancel (the order ended meanwhile): it is where its fills left it. */
  cancelRefused(clientOrderId: string): Promise<void> {
    return this.transition(clientOrderId, (order) => order.cancelRefused());
  }

  private transition(clientOrderId: string, change: (order: TrackedOrder) => unknown): Promise<void> {
    return this.serially(async () => {
      const order = this.book.byClientOrderId(clientOrderId);
      if (order === undefined) return;
      const before = order.state;
      change(order);
      if (order.state === before) return;
      const now = wallClockMs();
      await this.persist(order, order.orderType, Math.floor(now));
      this.events.order(order, now, 'request');
    }, true);
  }

  /**
   * Runs one step after those before it. A step that fails (the store is down) is counted; steps
   * of the exchange are retried by the next reconciliation, a request's failure reaches its caller.
   */
  private serially(step: () => Promise<void>, rethrow = false): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => {
      this.failures++;
    });
    return rethrow ? run : this.queue;
  }

  /** The account's stored fills (of one symbol, or all). */
  fills(symbol?: string): Promise<StoredFill[]> {
    return this.store.fills(this.account, symbol);
  }

  /** The highest trade id known for a symbol, for the connection's reconciliation. */
  lastTradeId(symbol: string): number | undefined {
    return this.book.lastTradeId.get(symbol);
  }

  private async store_(update: ExecutionUpdate): Promise<void> {
    const outcome = this.book.apply(update);
    const order = this.book.order(update.orderId);
    if (order === undefined || outcome.refused !== undefined) return;
    let fresh = false;
    if (outcome.fill !== undefined) {
      fresh = await this.store.recordFill({
        ...outcome.fill,
        account: this.account,
        symbol: update.symbol,
        orderId: update.orderId,
        clientOrderId: order.clientOrderId,
        side: order.side,
      });
    }
    if (outcome.changed || outcome.fill !== undefined)
      await this.persist(
        order,
        update.orderType,
        Math.floor(Math.max(update.eventTime, order.lastEventTime)),
      );
    if (fresh && outcome.fill !== undefined) {
      this.events.fill(order, outcome.fill, update.eventTime);
      await this.store.markPublished(this.account, update.symbol, outcome.fill.tradeId);
    }
    if (outcome.changed) this.events.order(order, update.eventTime, 'exchange');
  }

  private persist(order: TrackedOrder, orderType: string, updatedAt: number): Promise<void> {
    order.orderType = orderType;
    return this.store.recordOrder({
      account: this.account,
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      orderId: order.orderId,
      side: order.side,
      orderType,
      quantity: order.quantity,
      state: order.state,
      filledQuantity: order.filledQuantity,
      filledQuote: order.filledQuote,
      updatedAt,
      purpose: order.origin.purpose,
      botId: order.origin.botId,
      rejectReason: order.rejectReason,
    });
  }
}
