import type { DepthView } from '../../src/client/index.ts';

/** One level change of a book tick: a diff's update ids, the side, the price and the new size ("0": gone). */
export interface LevelChange {
  /** The diff's last update id (the tick's `sequence`). */
  lastUpdateId: number;
  /** The diff's first update id. */
  firstUpdateId: number;
  side: 'bid' | 'ask';
  price: number;
  size: string;
}

/** Level changes kept while the snapshot is on its way; beyond this the book starts over. */
const MAX_BUFFERED = 50_000;

/**
 * A symbol's book in the page, kept the way Binance says a local book must be: a snapshot
 * (`GET /api/v1/depth`) continued by the stream's level changes, each diff starting right after
 * the last one. A missed diff (a conflated frame on a slow connection, a resync of the node's own
 * book) is seen as a hole in the update ids: `apply` answers `resync` and the caller loads a new
 * snapshot, so no stale level stays on screen.
 */
export class LocalBook {
  readonly bids = new Map<number, string>();
  readonly asks = new Map<number, string>();
  /** The last update id applied; -1 while waiting for a snapshot. */
  private lastUpdateId = -1;
  /** The diff whose levels are being applied (none right after a snapshot). */
  private applying = -1;
  private buffered: LevelChange[] = [];

  get synced(): boolean {
    return this.lastUpdateId >= 0;
  }

  /** Starts over from `snapshot`, then applies the changes that came while it was loading. */
  reset(snapshot: Pick<DepthView, 'lastUpdateId' | 'bids' | 'asks'>): 'applied' | 'resync' {
    this.bids.clear();
    this.asks.clear();
    for (const [price, size] of snapshot.bids) this.bids.set(Number(price), size);
    for (const [price, size] of snapshot.asks) this.asks.set(Number(price), size);
    this.lastUpdateId = snapshot.lastUpdateId;
    this.applying = -1;
    const buffered = this.buffered;
    this.buffered = [];
    for (const change of buffered) if (this.apply(change) === 'resync') return 'resync';
    return 'applied';
  }

  /** Forgets the book until the next snapshot (buffering what comes meanwhile). */
  invalidate(): void {
    this.lastUpdateId = -1;
  }

  /**
   * Applies one level change: `ignored` when the snapshot already has it, `resync` when a diff
   * was missed (the book then waits for a new snapshot, keeping what comes).
   */
  apply(change: LevelChange): 'applied' | 'ignored' | 'resync' {
    if (this.lastUpdateId < 0) {
      if (this.buffered.length >= MAX_BUFFERED) this.buffered = [];
      this.buffered.push(change);
      return 'ignored';
    }
    // A diff's levels come as several ticks sharing its ids: the rest of the diff being applied.
    if (change.lastUpdateId !== this.applying) {
      if (change.lastUpdateId <= this.lastUpdateId) return 'ignored';
      // The next diff must start right after the last: U <= last + 1 <= u.
      if (change.firstUpdateId > this.lastUpdateId + 1) {
        this.invalidate();
        this.buffered.push(change);
        return 'resync';
      }
      this.applying = change.lastUpdateId;
    }
    const side = change.side === 'bid' ? this.bids : this.asks;
    if (Number(change.size) === 0) side.delete(change.price);
    else side.set(change.price, change.size);
    this.lastUpdateId = change.lastUpdateId;
    return 'applied';
  }

  /** The best `count` levels of a side, best first. */
  top(side: 'bid' | 'ask', count: number): [number, string][] {
    const levels = [...(side === 'bid' ? this.bids : this.asks)];
    return levels.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0])).slice(0, count);
  }
}
