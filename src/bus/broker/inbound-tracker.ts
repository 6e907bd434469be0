/** Tracked (origin, topic) pairs before the tracker starts over; bounds memory as nodes come and go. */
export const TRACKING_LIMIT = 1_000_000;

/** What `accept` found: a new message (with how many were missed before it), or a repeat. */
export const DUPLICATE = -1;

interface OriginTopics {
  readonly high: number;
  readonly topics: Map<string, number>;
}

/**
 * The last sequence seen per (origin, topic), to tell repeats from gaps. Sequences are compared in
 * 32-bit serial arithmetic, so wrapping past 2^32 is neither a gap nor a repeat: a step forward of
 * less than 2^31 is new (the step minus one is how many were missed), anything else is a repeat or
 * an older copy.
 *
 * Origins are looked up by the low 32 bits of their id, then the high 32 bits, so a message costs
 * two Map lookups and no string building.
 */
export class InboundTracker {
  private readonly origins = new Map<number, OriginTopics[]>();
  private tracked = 0;

  /** DUPLICATE for a repeat, otherwise the number of messages missed before this one (0 = in order). */
  accept(originLow: number, originHigh: number, topic: string, sequence: number): number {
    const topics = this.topicsOf(originLow, originHigh);
    const last = topics.get(topic);
    topics.set(topic, sequence);
    if (last === undefined) {
      if (++this.tracked > TRACKING_LIMIT) this.reset();
      return 0;
    }
    const step = (sequence - last) >>> 0;
    if (step === 0 || step >= 0x8000_0000) {
      topics.set(topic, last);
      return DUPLICATE;
    }
    return step - 1;
  }

  /**
   * Forgets every topic `covered` says a new broker subscription now brings: whatever arrived
   * before the subscription lapsed says nothing about what comes next, and keeping it would report
   * the messages published meanwhile as lost.
   */
  forget(covered: (topic: string) => boolean): void {
    for (const list of this.origins.values()) {
      for (const origin of list) {
        for (const topic of origin.topics.keys()) {
          if (covered(topic)) {
            origin.topics.delete(topic);
            this.tracked--;
          }
        }
      }
    }
  }

  get size(): number {
    return this.tracked;
  }

  private reset(): void {
    this.origins.clear();
    this.tracked = 0;
  }

  private topicsOf(low: number, high: number): Map<string, number> {
    let list = this.origins.get(low);
    if (list === undefined) {
      list = [];
      this.origins.set(low, list);
    }
    for (let i = 0; i < list.length; i++) if (list[i]!.high === high) return list[i]!.topics;
    const origin: OriginTopics = { high, topics: new Map() };
    list.push(origin);
    return origin.topics;
  }
}
