import { wallClockMs } from '../wire/index.ts';
import { AccountBook, type AssetsOf } from './account-book.ts';
import { type ExecutionUpdate, fillUpdate, stateUpdate } from './execution-report.ts';
import type { OrderOrigin, OrderSnapshot, TradeFill, TrackedOrder } from './order-tracker.ts';
import type { StoredFill, StoredOrder, TradingStore } from './storage/trading-store.ts';

/**
 * Where an order's new state comes from: the exchange (a report, or reconciliation) or Tickwire's
 * own request (sent and pending, refused before or by the exchange).
 */
export type StateSource = 'exchange' | 'request';

/**
 * What a TradingAccount tells its listeners (the publisher, the bots), after the store has it:
 * the order as it was right after the change. `eventTime` is the exchange's (`E`) for what it
 * reported, Tickwire's clock for a request.
 */
export interface AccountEvents {
  fill(order: OrderSnapshot, fill: TradeFill, eventTime: number): void;
  order(order: OrderSnapshot, eventTime: number, source: StateSource): void;
  /** A write failed: the book was rebuilt from the store, and what it lost must come again. */
  storeFailed?(error: unknown): void;
}

/** An order Tickwire is about to send: written (PENDING_NEW) before it leaves. */
export interface OrderIntent {
  symbol: string;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  orderType: string;
  quantity: bigint;
  /** The limit price (none for a market order). */
  price?: bigint;
  origin: OrderOrigin;
}

type PendingEvent =
  | { kind: 'fill'; order: OrderSnapshot; fill: StoredFill; eventTime: number; index: number }
  | { kind: 'order'; order: OrderSnapshot; eventTime: number };

/**
 * One account's trading state, durable: updates are applied to the account book, their new fills
 * and the orders' new states written to the store, and only then handed to `events` (to be
 * published). Updates are taken in arrival order; those that arrive while a write is in flight are
 * written together in the next one (a group commit: a burst of fills costs a few commits, not one
 * per fill). A fill the store already had (a restart replays what was stored but maybe not
 * published, or the exchange repeats it) is not handed on again; `restore` rebuilds the book from
 * the store after a restart, and reconciliation resumes after the last stored trade.
 */
export class TradingAccount {
  readonly book: AccountBook;
  private queue: Promise<void> = Promise.resolve();
  private readonly incoming: ExecutionUpdate[] = [];
  /** Writes that failed (the store is down): the book is rebuilt and what was lost comes again. */
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
    this.book.clear();
    const orders = new Map(
      (await this.store.orders(this.account)).map((order) => [order.clientOrderId, order]),
    );
    for (const fill of await this.store.fills(this.account)) {
      const order = orders.get(fill.clientOrderId);
      if (order !== undefined) this.book.expect({ ...order, origin: order });
      const facts = {
        symbol: fill.symbol,
        orderId: fill.orderId,
        clientOrderId: fill.clientOrderId,
        side: fill.side,
        orderType: order?.orderType ?? 'UNKNOWN',
        quantity: order?.quantity ?? 0n,
      };
      this.book.apply(fillUpdate(facts, fill, fill.time));
    }
    for (const order of orders.values()) {
      // Sent, never acknowledged: reconciliation asks the exchange what became of it.
      if (order.orderId === undefined || order.state === 'PENDING_NEW') {
        this.book.expect({ ...order, origin: order });
        continue;
      }
      const status = order.state === 'PENDING_CANCEL' ? 'NEW' : order.state;
      const facts = { ...order, orderId: order.orderId };
      this.book.apply(stateUpdate(facts, status, order.filledQuantity, order.filledQuote, order.updatedAt));
    }
    const unpublished = await this.store.unpublishedFills(this.account);
    for (const fill of unpublished) {
      const order = this.book.order(fill.orderId)!;
      this.events.fill(order.snapshot(), order.fills.get(fill.tradeId)!, fill.time);
    }
    await this.store.markPublished(this.account, unpublished);
  }

  /** Takes an update from the exchange connection; resolves once it is stored and handed on. */
  ingest(update: ExecutionUpdate): Promise<void> {
    this.incoming.push(update);
    return this.serially(() => this.storeIncoming());
  }

  /**
   * An order about to be sent: PENDING_NEW in the book and the store before it leaves, so that a
   * process killed while it is in flight finds it at restart and asks the exchange about it.
   */
  async expect(intent: OrderIntent): Promise<TrackedOrder> {
    let order: TrackedOrder | undefined;
    await this.serially(async () => {
      order = this.book.expect(intent);
      await this.request(order, intent.orderType);
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

  /** Resolves once every update taken so far is stored and handed on (before the store closes). */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The account's stored fills (of one symbol, or all). */
  fills(symbol?: string): Promise<StoredFill[]> {
    return this.store.fills(this.account, symbol);
  }

  /** The highest trade id known for a symbol, for the connection's reconciliation. */
  lastTradeId(symbol: string): number | undefined {
    return this.book.lastTradeId.get(symbol);
  }

  private transition(clientOrderId: string, change: (order: TrackedOrder) => unknown): Promise<void> {
    return this.serially(async () => {
      const order = this.book.byClientOrderId(clientOrderId);
      if (order === undefined) return;
      const before = order.state;
      change(order);
      if (order.state !== before) await this.request(order, order.orderType);
    }, true);
  }

  /** Stores and tells a change Tickwire made itself (a request sent, refused, canceled). */
  private async request(order: TrackedOrder, orderType: string): Promise<void> {
    const now = wallClockMs();
    await this.store.commit({ fills: [], orders: [this.row(order, orderType, Math.floor(now))] });
    this.events.order(order.snapshot(), now, 'request');
  }

  /**
   * Runs one step after those before it. A step that fails (the store is down) is counted, and the
   * book is rebuilt from the store so that what was not written is not taken as known: the
   * listener then has the connection fetch it again. A request's failure also reaches its caller.
   */
  private serially(step: () => Promise<void>, rethrow = false): Promise<void> {
    const run = this.queue.then(step);
    this.queue = run.catch(async (error: unknown) => {
      this.failures++;
      await this.restore().catch(() => undefined);
      this.events.storeFailed?.(error);
    });
    return rethrow ? run : this.queue;
  }

  /** Applies, writes (one transaction) and hands on every update that arrived since the last write. */
  private async storeIncoming(): Promise<void> {
    if (this.incoming.length === 0) return;
    const updates = this.incoming.splice(0);
    const fills: StoredFill[] = [];
    const orders = new Map<string, StoredOrder>();
    const events: PendingEvent[] = [];
    for (const update of updates) {
      const outcome = this.book.apply(update);
      const order = this.book.order(update.orderId);
      if (order === undefined || outcome.refused !== undefined) continue;
      if (outcome.fill !== undefined) {
        const fill: StoredFill = {
          ...outcome.fill,
          account: this.account,
          symbol: update.symbol,
          orderId: update.orderId,
          clientOrderId: order.clientOrderId,
          side: order.side,
        };
        events.push({
          kind: 'fill',
          order: order.snapshot(),
          fill,
          eventTime: update.eventTime,
          index: fills.length,
        });
        fills.push(fill);
      }
      if (outcome.changed || outcome.fill !== undefined) {
        const updatedAt = Math.floor(Math.max(update.eventTime, order.lastEventTime));
        orders.set(order.clientOrderId, this.row(order, update.orderType, updatedAt));
      }
      if (outcome.changed)
        events.push({ kind: 'order', order: order.snapshot(), eventTime: update.eventTime });
    }
    if (fills.length === 0 && orders.size === 0) return;
    const fresh = await this.store.commit({ fills, orders: [...orders.values()] });
    const published: StoredFill[] = [];
    for (const event of events) {
      if (event.kind === 'order') this.events.order(event.order, event.eventTime, 'exchange');
      else if (fresh[event.index]) {
        this.events.fill(event.order, event.fill, event.eventTime);
        published.push(event.fill);
      }
    }
    await this.store.markPublished(this.account, published);
  }

  private row(order: TrackedOrder, orderType: string, updatedAt: number): StoredOrder {
    order.orderType = orderType;
    return {
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
    };
  }
}
