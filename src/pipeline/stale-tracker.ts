export interface StaleCounts {
  /** Symbols found silent by a sweep. */
  wentStale: number;
  /** Stale symbols that ticked again. */
  revived: number;
}

/** Marks a symbol this tracker has not seen tick yet. */
const NEVER = -1;

/**
 * Finds symbols that stopped ticking. Each tick stamps its symbol with the time of the batch it came
 * in (one clock read per batch, not per tick); a periodic sweep marks every symbol silent for longer
 * than `staleAfterMs` as stale, and the next tick of a stale symbol makes it live again. Only
 * symbols that ticked at least once are tracked: one that never did is unknown, not stale.
 */
export class StaleTracker {
  readonly counts: StaleCounts = { wentStale: 0, revived: 0 };
  /** Symbols stale right now. */
  staleCount = 0;
  private lastSeen = new Float64Array(0);
  private stale = new Uint8Array(0);

  constructor(readonly staleAfterMs: number) {}

  /** Records a tick of `symbolId` at `nowMs`; true when that revived a stale symbol. */
  seen(symbolId: number, nowMs: number): boolean {
    if (symbolId >= this.lastSeen.length) this.grow(symbolId);
    this.lastSeen[symbolId] = nowMs;
    if (this.stale[symbolId] === 0) return false;
    this.stale[symbolId] = 0;
    this.staleCount--;
    this.counts.revived++;
    return true;
  }

  /**
   * Marks the symbols silent since before `nowMs - staleAfterMs` as stale. When `list` is given,
   * writes the stale symbols' ids into it from index 1, as many as fit, and their count into
   * index 0. Returns how many symbols are stale now. One pass over the tracked ids.
   */
  sweep(nowMs: number, list?: Int32Array): number {
    const cutoff = nowMs - this.staleAfterMs;
    const lastSeen = this.lastSeen;
    const stale = this.stale;
    let listed = 0;
    for (let id = 0; id < lastSeen.length; id++) {
      const seenAt = lastSeen[id]!;
      if (seenAt === NEVER) continue;
      if (stale[id] === 0) {
        if (seenAt >= cutoff) continue;
        stale[id] = 1;
        this.staleCount++;
        this.counts.wentStale++;
      }
      if (list !== undefined && listed + 1 < list.length) list[1 + listed++] = id;
    }
    if (list !== undefined) list[0] = this.staleCount;
    return this.staleCount;
  }

  isStale(symbolId: number): boolean {
    return this.stale[symbolId] === 1;
  }

  private grow(symbolId: number): void {
    const length = Math.max(symbolId + 1, this.lastSeen.length * 2, 1024);
    const lastSeen = new Float64Array(length).fill(NEVER);
    lastSeen.set(this.lastSeen);
    const stale = new Uint8Array(length);
    stale.set(this.stale);
    this.lastSeen = lastSeen;
    this.stale = stale;
  }
}
