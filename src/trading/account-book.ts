import type { ExecutionUpdate } from './execution-report.ts';
import { type ApplyOutcome, type OrderOrigin, TrackedOrder } from './order-tracker.ts';
import { Position } from './positions.ts';

/** A symbol's two assets, for its position's fees. */
export type AssetsOf = (symbol: string) => { baseAsset: string; quoteAsset: string };

/**
 * One account's orders and positions, fed with ExecutionUpdates from any source (the user-data
 * stream, or reconciliation after a gap) in any order and with repeats: each order applies them
 * idempotently, and a position takes each fill once, when its order first sees it.
 */
export class AccountBook {
  private readonly byOrderId = new Map<number, TrackedOrder>();
  private readonly byClientId = new Map<string, TrackedOrder>();
  private readonly positions = new Map<string, Position>();
  /** Highest trade id seen per symbol: reconciliation asks the exchange for what came after. */
  readonly lastTradeId = new Map<string, number>();
  refused = 0;

  constructor(private readonly assetsOf: AssetsOf) {}

  /** Forgets everything (before the book is rebuilt from the store). */
  clear(): void {
    this.byOrderId.clear();
    this.byClientId.clear();
    this.positions.clear();
    this.lastTradeId.clear();
  }

  apply(update: ExecutionUpdate): ApplyOutcome {
    let order = this.byOrderId.get(update.orderId) ?? this.byClientId.get(update.clientOrderId);
    if (order === undefined) {
      order = new TrackedOrder(update.clientOrderId, update.symbol, update.side, update.quantity);
      this.byClientId.set(update.clientOrderId, order);
    }
    const outcome = order.apply(update);
    if (order.orderId !== undefined) this.byOrderId.set(order.orderId, order);
    if (outcome.refused !== undefined) this.refused++;
    if (outcome.fill !== undefined) {
      this.position(update.symbol).apply(order.side, outcome.fill);
      if (outcome.fill.tradeId > (this.lastTradeId.get(update.symbol) ?? -1))
        this.lastTradeId.set(update.symbol, outcome.fill.tradeId);
    }
    return outcome;
  }

  /** An order Tickwire places: known by its client id before the exchange gives it an id. */
  expect(intent: {
    clientOrderId: string;
    symbol: string;
    side: 'BUY' | 'SELL';
    quantity: bigint;
    price?: bigint;
    orderType: string;
    origin: OrderOrigin;
  }): TrackedOrder {
    let order = this.byClientId.get(intent.clientOrderId);
    if (order === undefined) {
      order = new TrackedOrder(intent.clientOrderId, intent.symbol, intent.side, intent.quantity, {
        purpose: intent.origin.purpose,
        botId: intent.origin.botId,
      });
      order.orderType = intent.orderType;
      order.limitPrice = intent.price ?? 0n;
      this.byClientId.set(intent.clientOrderId, order);
    }
    return order;
  }

  order(orderId: number): TrackedOrder | undefined {
    return this.byOrderId.get(orderId);
  }

  byClientOrderId(clientOrderId: string): TrackedOrder | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** Every order, acknowledged or not, in the order they became known. */
  orders(): TrackedOrder[] {
    return [...this.byClientId.values()];
  }

  /** Orders sent but never acknowledged (no exchange id yet, not refused). */
  pending(): TrackedOrder[] {
    return this.orders().filter((order) => order.orderId === undefined && order.state === 'PENDING_NEW');
  }

  /** The symbols the account has positions in. */
  symbols(): string[] {
    return [...this.positions.keys()];
  }

  position(symbol: string): Position {
    let position = this.positions.get(symbol);
    if (position === undefined) {
      const { baseAsset, quoteAsset } = this.assetsOf(symbol);
      position = new Position(baseAsset, quoteAsset);
      this.positions.set(symbol, position);
    }
    return position;
  }
}
