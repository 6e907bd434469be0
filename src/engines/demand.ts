import {
  DEMAND_TOPIC,
  isDemandPattern,
  type MessageBus,
  type Payload,
  type Unsubscribe,
} from '../bus/index.ts';

/**
 * What engines compute on demand learn from: every node announces the patterns its clients
 * subscribe to under the on-demand roots (`features.…`), the whole set each time, on DEMAND_TOPIC:
 * at once when it changes and every ANNOUNCE_EVERY_MS as a lease. An engine keeps each node's
 * last set until DEMAND_LEASE_MS passes without an announcement, so a node that dies stops
 * costing anything within seconds and an engine that restarts learns the demand again.
 */
export type DemandMessage = { type: 'demand'; node: string; patterns: string[] };

export const ANNOUNCE_EVERY_MS = 5_000;
export const DEMAND_LEASE_MS = 3 * ANNOUNCE_EVERY_MS;

/** Announces one node's demand (the platform runs one over its gateway's patterns). */
export class DemandAnnouncer {
  private timer: ReturnType<typeof setInterval> | undefined;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly bus: MessageBus,
    private readonly node: string,
    /** Every pattern this node's clients subscribe to; only the on-demand ones are announced. */
    private readonly patterns: () => Iterable<string>,
  ) {}

  start(): void {
    this.announce();
    this.timer = setInterval(() => this.announce(), ANNOUNCE_EVERY_MS);
    this.timer.unref();
  }

  /** The patterns changed: announce once the current burst of (un)subscribes is over. */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      this.announce();
    });
  }

  /** Stops announcing and withdraws this node's demand. */
  stop(): void {
    clearInterval(this.timer);
    this.stopped = true;
    this.publish([]);
  }

  private announce(): void {
    if (this.stopped) return;
    this.publish([...this.patterns()].filter(isDemandPattern).sort());
  }

  private publish(patterns: string[]): void {
    try {
      this.bus.publish(DEMAND_TOPIC, { type: 'demand', node: this.node, patterns } satisfies DemandMessage);
    } catch {
      // A closed bus at shutdown: nothing left to tell.
    }
  }
}

/** The union of every live node's demand, as an engine sees it. */
export class DemandTracker {
  private readonly byNode = new Map<string, { patterns: readonly string[]; expiresAt: number }>();
  private unsubscribe: Unsubscribe | undefined;
  /** Announcements that were not a DemandMessage. */
  malformed = 0;

  /** `onChange` is called after the union changed (a node's set changed, or a lease ran out). */
  constructor(private readonly onChange: () => void) {}

  start(bus: MessageBus): void {
    this.unsubscribe = bus.subscribe(DEMAND_TOPIC, (payload) => this.receive(payload));
  }

  stop(): void {
    this.unsubscribe?.();
    this.byNode.clear();
  }

  /** Drops the nodes whose lease ran out. */
  expire(now = Date.now()): void {
    let changed = false;
    for (const [node, entry] of this.byNode)
      if (entry.expiresAt <= now) {
        this.byNode.delete(node);
        changed = true;
      }
    if (changed) this.onChange();
  }

  /** Every pattern some live node's clients want. */
  patterns(): Set<string> {
    const union = new Set<string>();
    for (const entry of this.byNode.values()) for (const pattern of entry.patterns) union.add(pattern);
    return union;
  }

  private receive(payload: Payload): void {
    const message = payload as Partial<DemandMessage> | null;
    if (
      message === null ||
      typeof message !== 'object' ||
      typeof message.node !== 'string' ||
      !Array.isArray(message.patterns) ||
      !message.patterns.every((pattern) => typeof pattern === 'string')
    ) {
      this.malformed++;
      return;
    }
    const before = this.byNode.get(message.node)?.patterns;
    const patterns = message.patterns;
    if (patterns.length === 0) this.byNode.delete(message.node);
    else this.byNode.set(message.node, { patterns, expiresAt: Date.now() + DEMAND_LEASE_MS });
    if (before === undefined ? patterns.length > 0 : before.join('\n') !== patterns.join('\n'))
      this.onChange();
  }
}
