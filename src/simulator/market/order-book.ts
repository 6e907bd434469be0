/** Book sides: 0 bids (best = highest), 1 asks (best = lowest). */
export const BID = 0;
export const ASK = 1;
export type BookSide = typeof BID | typeof ASK;

/** Told of every level change, with the level's new absolute quantity (0 = removed). */
export interface LevelChangeListener {
  levelChanged(side: BookSide, price: number, quantity: number): void;
}

/**
 * One symbol's price levels: per side a short sorted array of integer prices and quantities
 * (a few dozen levels, so splice beats a tree and uses a fraction of a Map's memory, which
 * matters at 100,000 symbols). Every change goes through `set`, which tells the listeners, so a
 * diff stream sees exactly the changes the book went through.
 */
export class OrderBook {
  readonly prices: [number[], number[]] = [[], []];
  readonly quantities: [number[], number[]] = [[], []];
  readonly listeners: LevelChangeListener[] = [];

  /** Sets a level's quantity; 0 removes it. A no-op when nothing changes. */
  set(side: BookSide, price: number, quantity: number): void {
    const prices = this.prices[side];
    const quantities = this.quantities[side];
    const index = this.indexOf(side, price);
    if (index < prices.length && prices[index] === price) {
      if (quantities[index] === quantity) return;
      if (quantity === 0) {
        prices.splice(index, 1);
        quantities.splice(index, 1);
      } else {
        quantities[index] = quantity;
      }
    } else {
      if (quantity === 0) return;
      prices.splice(index, 0, price);
      quantities.splice(index, 0, quantity);
    }
    for (let i = 0; i < this.listeners.length; i++) this.listeners[i]!.levelChanged(side, price, quantity);
  }

  /** Best price of a side, or undefined when the side is empty. */
  best(side: BookSide): number | undefined {
    return this.prices[side][0];
  }

  /** Quantity at `price` on a side, 0 when it is not a level. */
  quantityAt(side: BookSide, price: number): number {
    const index = this.indexOf(side, price);
    return this.prices[side][index] === price ? this.quantities[side][index]! : 0;
  }

  bestQuantity(side: BookSide): number {
    return this.quantities[side][0] ?? 0;
  }

  depth(side: BookSide): number {
    return this.prices[side].length;
  }

  /** Removes the levels better than `price` (bids above it, asks below it). */
  removeBetterThan(side: BookSide, price: number): void {
    const prices = this.prices[side];
    while (prices.length > 0 && (side === BID ? prices[0]! > price : prices[0]! < price)) {
      this.set(side, prices[0]!, 0);
    }
  }

  /** Removes levels beyond the first `keep` of a side. */
  trim(side: BookSide, keep: number): void {
    const prices = this.prices[side];
    while (prices.length > keep) this.set(side, prices[prices.length - 1]!, 0);
  }

  /** Position of `price` in the side's order (binary search). */
  private indexOf(side: BookSide, price: number): number {
    const prices = this.prices[side];
    let low = 0;
    let high = prices.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const better = side === BID ? prices[middle]! > price : prices[middle]! < price;
      if (better) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
