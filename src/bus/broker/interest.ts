/**
 * Reference counts per key (a pattern, or a broker subject): the broker hears about a key when
 * its first user arrives and again when its last one leaves, never in between.
 */
export class Interest {
  private readonly counts = new Map<string, number>();

  /** Adds one user of `key`; true when it is the first (subscribe on the broker now). */
  acquire(key: string): boolean {
    const count = this.counts.get(key) ?? 0;
    this.counts.set(key, count + 1);
    return count === 0;
  }

  /** Removes one user of `key`; true when it was the last (unsubscribe on the broker now). */
  release(key: string): boolean {
    const count = this.counts.get(key);
    if (count === undefined) return false;
    if (count > 1) {
      this.counts.set(key, count - 1);
      return false;
    }
    this.counts.delete(key);
    return true;
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }

  keys(): IterableIterator<string> {
    return this.counts.keys();
  }

  get size(): number {
    return this.counts.size;
  }
}
