/**
 * The `exchange` benchmark's baseline for `match_ns`: a textbook price-time priority book (per
 * side a sorted array of prices, best last so that taking it is a pop, and a FIFO queue per price; an incoming order takes the best
 * levels up to its limit, the rest rests or is cancelled), with nothing else: no balances, fees,
 * order states, reports or self-trade checks. What the simulator's MatchingEngine costs beyond
 * this is what its exchange semantics cost.
 */

interface RestingOrder {
  id: number;
  quantity: number;
}

export class ReferenceBook {
  private readonly prices: [number[], number[]] = [[], []];
  private readonly queues: [Map<number, RestingOrder[]>, Map<number, RestingOrder[]>] = [
    new Map(),
    new Map(),
  ];
  private nextId = 1;
  fills = 0;

  /** side 0 buys (takes asks), 1 sells (takes bids). Returns the quantity filled. */
  place(side: 0 | 1, price: number, quantity: number, immediateOrCancel: boolean): number {
    const opposite = side === 0 ? 1 : 0;
    const prices = this.prices[opposite];
    let left = quantity;
    while (left > 0 && prices.length > 0) {
      const best = prices[prices.length - 1]!;
      if (side === 0 ? best > price : best < price) break;
      const queue = this.queues[opposite].get(best)!;
      while (left > 0 && queue.length > 0) {
        const maker = queue[0]!;
        const traded = Math.min(left, maker.quantity);
        maker.quantity -= traded;
        left -= traded;
        this.fills++;
        if (maker.quantity === 0) queue.shift();
      }
      // The empty queue stays in the map (see RestingOrders.levels for why), found empty next time.
      if (queue.length === 0) prices.pop();
    }
    if (left > 0 && !immediateOrCancel) this.rest(side, price, left);
    return quantity - left;
  }

  private rest(side: 0 | 1, price: number, quantity: number): void {
    let queue = this.queues[side].get(price);
    if (queue === undefined) {
      queue = [];
      this.queues[side].set(price, queue);
    }
    if (queue.length === 0) {
      const prices = this.prices[side];
      let low = 0;
      let high = prices.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (side === 0 ? prices[middle]! > price : prices[middle]! < price) high = middle;
        else low = middle + 1;
      }
      prices.splice(low, 0, price);
    }
    queue.push({ id: this.nextId++, quantity });
  }
}
