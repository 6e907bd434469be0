import { ASK, BID, type BookSide, type LevelChangeListener } from '../market/order-book.ts';
import type { Order } from './order.ts';

/** Empty levels kept per side before they are swept (see RestingOrders.levels). */
const EMPTY_LEVELS_KEPT = 64;

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
 * The accounts' resting orders of one symbol: per side, price levels (kept worst first, so the
 * best is the last element and taking it is a pop, not a shift of the whole side), each a FIFO
 * queue (price-time priority). Each order also carries `ahead`, the simulated market's quantity
 * queued before it at its price (docs/SIMULATOR.md, "Queue position"): the resting set listens to
 * the market's book, and when a level shrinks (orders cancelled or taken), no order keeps more
 * ahead of it than the level still holds.
 */
export class RestingOrders implements LevelChangeListener {
  private readonly prices: [number[], number[]] = [[], []];
  /**
   * Queues by price. A level that empties keeps its (empty) entry until the map holds many of
   * them: deleting and re-adding a key in a V8 Map of 1,000 entries costs ~1.4 µs (the table is
   * compacted over and over), which a book whose best level empties and refills on every trade
   * would pay twice per order.
   */
  private readonly levels: [Map<number, Order[]>, Map<number, Order[]>] = [new Map(), new Map()];
  count = 0;

  best(side: BookSide): number | undefined {
    const prices = this.prices[side];
    return prices[prices.length - 1];
  }

  /** Prices of a side, worst first (read-only view). */
  sidePrices(side: BookSide): readonly number[] {
    return this.prices[side];
  }

  /** The queue at a price, oldest first (empty or undefined when none rests there). */
  level(side: BookSide, price: number): Order[] | undefined {
    return this.levels[side].get(price);
  }

  add(order: Order): void {
    const side = restingSide(order);
    let queue = this.levels[side].get(order.price);
    if (queue === undefined) {
      queue = [];
      this.levels[side].set(order.price, queue);
    }
    if (queue.length === 0) {
      const prices = this.prices[side];
      // Binary search for the first price better than the order's; insert before it.
      let low = 0;
      let high = prices.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (side === BID ? prices[middle]! > order.price : prices[middle]! < order.price) high = middle;
        else low = middle + 1;
      }
      prices.splice(low, 0, order.price);
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
      const prices = this.prices[side];
      if (prices[prices.length - 1] === order.price) prices.pop();
      else prices.splice(prices.lastIndexOf(order.price), 1);
      const levels = this.levels[side];
      if (levels.size > 2 * prices.length + EMPTY_LEVELS_KEPT) {
        for (const [price, waiting] of levels) if (waiting.length === 0) levels.delete(price);
      }
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
