const NO_LEVELS = new Float64Array(0);
/** Levels a side makes room for first; it doubles from there. */
const FIRST_CAPACITY = 32;

/**
 * One side of a book: price → size, in two parallel typed arrays sorted by a key that puts the
 * best level LAST (bids by price, asks by −price). Most changes touch the top of the book, so
 * keeping it at the end makes an insert or removal there move almost nothing; a binary search
 * finds any level in log2(1000) ≈ 10 steps. Prices and sizes are fixed-point mantissas.
 */
export class PriceLevels {
  // Empty until the first level: a worker may hold 50,000 books, most of them waiting for a
  // snapshot, and a few hundred levels' arrays for each would cost it seconds and hundreds of MB.
  private keys = NO_LEVELS;
  private sizes = NO_LEVELS;
  private length = 0;
  /** +1 for bids (higher is better), −1 for asks (lower is better). */
  private readonly sign: number;

  constructor(side: 'bid' | 'ask') {
    this.sign = side === 'bid' ? 1 : -1;
  }

  get count(): number {
    return this.length;
  }

  /** The best price, or NaN when the side is empty. */
  get bestPrice(): number {
    return this.length === 0 ? Number.NaN : this.keys[this.length - 1]! * this.sign;
  }

  get bestSize(): number {
    return this.length === 0 ? Number.NaN : this.sizes[this.length - 1]!;
  }

  clear(): void {
    this.length = 0;
  }

  /** Sets a level's size; size 0 removes it (removing an absent level is normal and does nothing). */
  set(price: number, size: number): void {
    const key = price * this.sign;
    const keys = this.keys;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    const found = low < this.length && keys[low] === key;
    if (size === 0) {
      if (found) {
        keys.copyWithin(low, low + 1, this.length);
        this.sizes.copyWithin(low, low + 1, this.length);
        this.length--;
      }
      return;
    }
    if (found) {
      this.sizes[low] = size;
      return;
    }
    if (this.length === keys.length) this.grow();
    this.keys.copyWithin(low + 1, low, this.length);
    this.sizes.copyWithin(low + 1, low, this.length);
    this.keys[low] = key;
    this.sizes[low] = size;
    this.length++;
  }

  /** Size at `price`, 0 when there is no such level. */
  sizeAt(price: number): number {
    const key = price * this.sign;
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.keys[mid]! < key) low = mid + 1;
      else high = mid;
    }
    return low < this.length && this.keys[low] === key ? this.sizes[low]! : 0;
  }

  /** Levels best first, as [price, size] pairs: for inspection and tests, not the hot path. */
  toArray(limit = this.length): [number, number][] {
    const out: [number, number][] = [];
    for (let i = this.length - 1; i >= 0 && out.length < limit; i--) {
      out.push([this.keys[i]! * this.sign, this.sizes[i]!]);
    }
    return out;
  }

  private grow(): void {
    const capacity = Math.max(FIRST_CAPACITY, this.keys.length * 2);
    const keys = new Float64Array(capacity);
    const sizes = new Float64Array(capacity);
    keys.set(this.keys);
    sizes.set(this.sizes);
    this.keys = keys;
    this.sizes = sizes;
  }
}
