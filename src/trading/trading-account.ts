import { AccountBook, type AssetsOf } from './account-book.ts';
import { type ExecutionUpdate, fillUpdate, stateUpdate } from './execution-report.ts';
import type { TradeFill, TrackedOrder } from './order-tracker.ts';
import type { TradingStore } from './storage/trading-store.ts';

/** What a TradingAccount tells its publisher, after the store has it. */
export interface AccountEvents {
  fill(order: TrackedOrder, fill: TradeFill, update: ExecutionUpdate): void;
  order(order: TrackedOrder, update: ExecutionUpdate): void;
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
    const restored = new Map<string, ExecutionUpdate>();
    for (const fill of await this.store.fills(this.account)) {
      const order = orders.get(fill.clientOrderId);
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
      restored.set(`${fill.symbol}:${fill.tradeId}`, update);
    }
    for (const order of orders.values()) {
      if (order.orderId === undefined || order.state === 'PENDING_NEW') continue;
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
      this.events.fill(
        order,
        order.fills.get(fill.tradeId)!,
        restored.get(`${fill.symbol}:${fill.tradeId}`)!,
      );
      await this.store.markPublished(this.account, fill.symbol, fill.tradeId);
    }
  }

  /** Takes an update from the exchange connection; resolves once it is stored and handed on. */
  ingest(update: ExecutionUpdate): Promise<void> {
    this.queue = this.queue
      .then(() => this.store_(update))
      .catch(() => {
        this.failures++;
      });
    return this.queue;
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
    if (outcome.changed || outcome.fill !== undefined) {
      await this.store.recordOrder({
        account: this.account,
        symbol: update.symbol,
        clientOrderId: order.clientOrderId,
        orderId: order.orderId,
        side: order.side,
        orderType: update.orderType,
        quantity: order.quantity,
        state: order.state,
        filledQuantity: order.filledQuantity,
        filledQuote: order.filledQuote,
        updatedAt: Math.max(update.eventTime, order.lastEventTime),
      });
    }
    if (fresh && outcome.fill !== undefined) {
      this.events.fill(order, outcome.fill, update);
      await this.store.markPublished(this.account, update.symbol, outcome.fill.tradeId);
    }
    if (outcome.changed) this.events.order(order, update);
  }
}
