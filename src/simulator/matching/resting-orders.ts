import { ASK, BID, type BookSide, type LevelChangeListener } from '../market/order-book.ts';
import type { Order } from './order.ts';

/** The book side an order rests on: bids for BUY, asks for SELL. */
export function restingSide(order: Order): BookSide {
  return order.side === 'BUY' ? BID : ASK;
}

/**
 * True when a level at `price` on `bookSide` is within a taker's `limit`: asks at or below a
 * buyer's limit, bids at or above a seller's.
 */
export function reaches(bookSide: BookSide, price: number, limit: number): boolean {
  return bookSide === ASK ? price <= limit : price >= limit;
}

/**
 * The accounts' resting orders of one symbol: per side, price levels best first, each a FIFO
 * queue (price-time priority). Each order also carries `ahead`, the simulated market's quantity
 * queued before it at its price (docs/SIMULATOR.md, "Queue position"): the resting set listens to
 * the market's book, and when a level shrinks (orders cancelled or taken), no order keeps more
 * ahead of it than the level still holds.
 */
export class RestingOrders implements LevelChangeListener {
  private readonly prices: [number[], number[]] = [[], []];
  private readonly levels: [Map<number, Order[]>, Map<number, Order[]>] = [new Map(), new Map()];
  count = 0;

  best(side: BookSide): number | undefined {
    return this.prices[side][0];
  }

  /** Prices of a side, best first (read-only view). */
  sidePrices(side: BookSide): readonly number[] {
    return this.prices[side];
  }

  /** The queue at a price, oldest first, or undefined when none rests there. */
  level(side: BookSide, price: number): Order[] | undefined {
    return this.levels[side].get(price);
  }

  add(order: Order): void {
    const side = restingSide(order);
    let queue = this.levels[side].get(order.price);
    if (queue === undefined) {
      queue = [];
      this.levels[side].set(order.price, queue);
      const prices = this.prices[side];
      let at = 0;
      while (at < prices.length && (side === BID ? prices[at]! > order.price : prices[at]! < order.price))
        at++;
      prices.splice(at, 0, order.price);
    }
    queue.push(order);
    this.count++;
  }

  remove(order: Order): void {
    const side = restingSide(order);
    const queue = this.levels[side].get(order.price);
    if (queue === undefined) return;
    const at = queue.indexOf(order);
    if (at < 0) return;
    queue.splice(at, 1);
    this.count--;
    if (queue.length === 0) {
      this.levels[side].delete(order.price);
      const prices = this.prices[side];
      prices.splice(prices.indexOf(order.price), 1);
    }
  }

  levelChanged(side: BookSide, price: number, quantity: number): void {
    const queue = this.levels[side].get(price);
    if (queue === undefined) return;
    for (let i = 0; i < queue.length; i++) if (queue[i]!.ahead > quantity) queue[i]!.ahead = quantity;
  }
}

/** Market quantity consumed at a level: every order queued there has that much less ahead of it. */
export function consumeAhead(queue: readonly Order[] | undefined, quantity: number): void {
  if (queue === undefined) return;
  for (let i = 0; i < queue.length; i++) {
    const order = queue[i]!;
    order.ahead = order.ahead > quantity ? order.ahead - quantity : 0;
  }
}
