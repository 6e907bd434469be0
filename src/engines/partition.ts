import { randomUUID } from 'node:crypto';
import { engineMembersTopic, type MessageBus, type Payload, type Unsubscribe } from '../bus/index.ts';
import { jumpHash } from '../pipeline/index.ts';
import { symbolHash64BigInt } from '../wire/index.ts';

/**
 * How the instances of one scaled-out engine share its work (docs/ENGINES.md, "Scaling out"): each
 * key (a symbol, an account) belongs to one instance, chosen by jump consistent hash over the live
 * instances sorted by name. Membership is kept on the bus: every instance sends a heartbeat
 * carrying its market time (the latest trade time it saw) on `engine.members.<engine>`.
 *
 * Who owns a key is decided for a market time, not for a moment of the wall clock, so that every
 * instance, looking at the same heartbeats, decides the same: an instance is a member at market
 * time t when it joined at least `joinGraceMs` of market time before t (time to build complete
 * bars) and, unless it left, sent a heartbeat no more than LAPSE_MS of market time before t. A
 * clean stop announces the leave at once; a dead instance's keys move after LAPSE_MS, and the work
 * that fell in that lapse is for the new owner to catch up.
 */
export type MemberMessage = {
  type: 'member';
  instance: string;
  /** Differs at each start of the instance: a restarted instance joins afresh (its bars start over). */
  session: string;
  /**
   * The market time of its first heartbeat: carried in every one, so that an instance that starts
   * later learns when the others joined and decides as they do.
   */
  joined: number;
  marketTime: number;
  leaving?: boolean;
};

/** An instance silent for this much market time is no longer a member. */
export const LAPSE_MS = 3_000;
/** Heartbeats go out at least this often, in wall time and in market time. */
export const HEARTBEAT_MS = 1_000;

interface Member {
  session: string;
  /** Market time of its first heartbeat. */
  joined: number;
  /** Market time of its latest heartbeat. */
  last: number;
  /** Market time it said it was leaving. */
  left?: number;
}

export class EnginePartition {
  private readonly members = new Map<string, Member>();
  private unsubscribe: Unsubscribe | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private bus: MessageBus | undefined;
  private marketTime = 0;
  private lastBeat = 0;
  /** The market time of this instance's first heartbeat. */
  private joined = 0;
  private readonly session = randomUUID();
  /** The member list of the last `membersAt` call and the owners computed under it. */
  private cached: { signature: string; owners: Map<string, string | undefined> } = {
    signature: '',
    owners: new Map(),
  };

  constructor(
    readonly engine: string,
    readonly instance: string,
    /** Market time a new instance waits before it owns anything (its engine's `joinGraceMs`). */
    private readonly joinGraceMs: () => number,
  ) {}

  start(bus: MessageBus): void {
    this.bus = bus;
    this.unsubscribe = bus.subscribe(engineMembersTopic(this.engine), (payload) => this.receive(payload));
    this.timer = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Announces the leave, so that the others take this instance's keys over at once. */
  stop(): void {
    clearInterval(this.timer);
    if (this.marketTime > 0) this.send(true);
    this.unsubscribe?.();
  }

  /** The engine's market clock moved: heartbeat when it moved HEARTBEAT_MS since the last one. */
  noteMarketTime(time: number): void {
    if (time <= this.marketTime) return;
    this.marketTime = time;
    if (time - this.lastBeat >= HEARTBEAT_MS) this.beat();
  }

  /** The members at market time `t`, sorted. */
  membersAt(t: number): string[] {
    const live: string[] = [];
    for (const [instance, member] of this.members) {
      if (member.joined + this.joinGraceMs() > t) continue;
      if (member.left !== undefined ? t >= member.left : t > member.last + LAPSE_MS) continue;
      live.push(instance);
    }
    return live.sort();
  }

  /** The instance that owns `key` at market time `t` (undefined when no instance is a member yet). */
  ownerAt(key: string, t: number): string | undefined {
    const members = this.membersAt(t);
    const signature = members.join('\n');
    if (signature !== this.cached.signature) this.cached = { signature, owners: new Map() };
    let owner = this.cached.owners.get(key);
    if (owner === undefined && members.length > 0) {
      owner = members[jumpHash(symbolHash64BigInt(key), members.length)];
      this.cached.owners.set(key, owner);
    }
    return owner;
  }

  owns(key: string, t: number): boolean {
    return this.ownerAt(key, t) === this.instance;
  }

  private beat(): void {
    // Nothing to say before the first trade: a member's clock starts with the market's.
    if (this.marketTime === 0) return;
    if (this.joined === 0) this.joined = this.marketTime;
    this.lastBeat = this.marketTime;
    this.send(false);
  }

  private send(leaving: boolean): void {
    const message: MemberMessage = {
      type: 'member',
      instance: this.instance,
      session: this.session,
      joined: this.joined,
      marketTime: this.marketTime,
      ...(leaving ? { leaving } : {}),
    };
    try {
      this.bus?.publish(engineMembersTopic(this.engine), message);
    } catch {
      // A closed bus at shutdown.
    }
  }

  private receive(payload: Payload): void {
    const message = payload as Partial<MemberMessage> | null;
    if (message === null || typeof message !== 'object') return;
    const { instance, session, joined, marketTime } = message;
    if (typeof instance !== 'string' || typeof session !== 'string') return;
    if (typeof marketTime !== 'number' || !(marketTime > 0) || typeof joined !== 'number') return;
    const member = this.members.get(instance);
    if (member === undefined || member.session !== session) {
      if (message.leaving !== true) this.members.set(instance, { session, joined, last: marketTime });
      return;
    }
    member.last = Math.max(member.last, marketTime);
    if (message.leaving === true) member.left = marketTime;
  }
}
