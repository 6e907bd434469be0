/**
 * Decides what the gateway does next, in slices that yield to the event loop.
 *
 * The gateway's work is of two kinds: offering market data to the connections that want it (the
 * hub's backlog: a filter and a queue push per delivery, ~0.1-0.2 µs) and writing each connection's
 * queue to its socket (one writev per connection, 2-30 µs, most of it the kernel's). Done as one
 * block per event-loop turn, a turn with a thousand busy connections takes milliseconds, and a
 * fill that arrives on a socket meanwhile (from an exchange connection, the broker, another node)
 * is not even read before the block ends.
 *
 * So the work runs in slices of at most SLICE_MS, or SLICE_SOCKETS socket writes, each followed
 * by a turn of the event loop (setImmediate: timers and every socket with data are served before
 * the next slice, and a fill read there is written to its connection at once: Session.offer).
 * Each slice first writes the connections with a reply or a high-lane message queued (order
 * updates, alerts, pongs), then goes on with the market data, which alternates between two phases
 * as the gateway's turns did before they were sliced:
 *   - offer: the backlog's messages that were waiting when the phase began are offered to their
 *     subscriptions (what arrives meanwhile waits for the next offer phase), for at most as long
 *     as the last write phase took, or OFFER_PHASE_MS (a long backlog is offered in parts, with
 *     write phases in between);
 *   - write: every connection that had something queued when the phase began is written once, in
 *     the order they became dirty.
 * Finishing each phase before starting the other keeps the work in arrival order and lets the
 * batches grow with the load (a connection's writev carries everything offered to it in the last
 * offer phase), as the unsliced turns did; what slicing adds is the event-loop turn between slices.
 */

/** Longest slice, so the longest a socket with a fill waits to be read while the gateway is busy. */
export const SLICE_MS = 0.5;
/** Most socket writes in one slice. */
export const SLICE_SOCKETS = 256;
/**
 * Longest offer phase, or as long as the last write phase took if that is longer: past it the
 * connections dirtied so far are written before the rest is offered.
 */
export const OFFER_PHASE_MS = 10;

/** A connection as the scheduler sees it. */
export interface Flushable {
  /** Writes what is queued (or what the socket takes of it). */
  flush(): void;
}

/** The hub's backlog as the scheduler drives it. */
export interface OfferSource {
  /** A mark after the messages waiting now. */
  mark(): number;
  /** Offers waiting messages before `mark` until `deadline`; returns true when none is left before it. */
  offerUntil(mark: number, deadline: number): boolean;
}

export class FanoutScheduler {
  private readonly urgent = new Set<Flushable>();
  private readonly dirty = new Set<Flushable>();
  /** The write phase in progress: connections to write, and the next one. */
  private round: Flushable[] = [];
  private roundNext = 0;
  /** The offer phase in progress ends at this backlog mark; -1 when none is. */
  private offerMark = -1;
  private offerPhaseStart = 0;
  private writePhaseStart = 0;
  /** How long the last write phase took (slices and the event-loop turns between them). */
  private lastWriteMs = 0;
  private hasBacklog = false;
  private scheduled = false;
  /** Slices run so far. */
  slices = 0;

  constructor(private readonly backlog: OfferSource) {}

  /** `connection` has something queued: urgent ones are written in the next slice, others in a write phase. */
  request(connection: Flushable, urgent: boolean): void {
    (urgent ? this.urgent : this.dirty).add(connection);
    this.schedule();
  }

  /** Market data arrived in the backlog. */
  backlogged(): void {
    this.hasBacklog = true;
    this.schedule();
  }

  /** The connection is gone. */
  forget(connection: Flushable): void {
    this.urgent.delete(connection);
    this.dirty.delete(connection);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    this.slices++;
    const deadline = performance.now() + SLICE_MS;
    let writes = flushSome(this.urgent, deadline, SLICE_SOCKETS);
    while (writes < SLICE_SOCKETS && performance.now() < deadline) {
      if (this.roundNext < this.round.length) {
        this.round[this.roundNext++]!.flush();
        writes++;
        if (this.roundNext === this.round.length) this.lastWriteMs = performance.now() - this.writePhaseStart;
      } else if (this.offerMark >= 0) {
        // A long backlog (a burst, an overload) is offered in parts, with writes in between: an
        // offer phase lasts no longer than the last write phase took (or OFFER_PHASE_MS), so the
        // two share the time as they need it and neither starves the other.
        const phaseEnd = this.offerPhaseStart + Math.max(OFFER_PHASE_MS, this.lastWriteMs);
        if (this.backlog.offerUntil(this.offerMark, Math.min(deadline, phaseEnd))) this.offerMark = -1;
        else if (performance.now() >= phaseEnd) {
          this.offerMark = -1;
          this.hasBacklog = true;
        }
      } else if (this.dirty.size > 0) {
        // A write phase: every connection with something queued now, once, in the order they became dirty.
        this.round = [...this.dirty];
        this.roundNext = 0;
        this.dirty.clear();
        this.writePhaseStart = performance.now();
      } else if (this.hasBacklog) {
        // An offer phase: the market data waiting now; what arrives meanwhile waits for the next.
        this.hasBacklog = false;
        this.offerMark = this.backlog.mark();
        this.offerPhaseStart = performance.now();
      } else {
        this.round = [];
        this.roundNext = 0;
        return;
      }
    }
    this.schedule();
  };
}

/** Flushes connections of `set` in order, removing each, until the deadline or `maxWrites`; returns how many. */
function flushSome(set: Set<Flushable>, deadline: number, maxWrites: number): number {
  let written = 0;
  for (const connection of set) {
    if (written >= maxWrites) break;
    set.delete(connection);
    connection.flush();
    written++;
    if (performance.now() >= deadline) break;
  }
  return written;
}
