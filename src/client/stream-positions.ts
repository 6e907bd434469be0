/** A message's place in a recoverable topic's stream (docs/PROTOCOL.md, "Positions"). */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

/**
 * What to do with a message at a position:
 * - `deliver`: the next one, or the first seen on its topic;
 * - `duplicate`: already delivered (a recovery overlapping what arrived live): drop it;
 * - `gap`: offsets jumped (the server lost messages between a broker and itself), or the epoch
 *   changed under a live subscription: deliver it, and tell the application to resync.
 */
export type PositionVerdict = 'deliver' | 'duplicate' | 'gap';

/**
 * The last position delivered to the application on each recoverable topic: what makes each
 * trading event reach it exactly once and in order across reconnects. A reconnect subscribes with
 * these positions as `since`; the server replays what came after, and anything replayed twice or
 * already seen live is dropped here.
 */
export class StreamPositions {
  private readonly last = new Map<string, StreamPosition>();

  /** Judges a message at `position` on `topic` and, unless it is a duplicate, moves the topic to it. */
  judge(topic: string, position: StreamPosition): PositionVerdict {
    const last = this.last.get(topic);
    if (last !== undefined && last.epoch === position.epoch && position.offset <= last.offset)
      return 'duplicate';
    this.last.set(topic, { epoch: position.epoch, offset: position.offset });
    if (last === undefined || (last.epoch === position.epoch && position.offset === last.offset + 1))
      return 'deliver';
    return 'gap';
  }

  /**
   * The stream's position as a `subscribed` reply gives it, for a topic subscribed without `since`:
   * taken unless a message of the same epoch already moved the topic further.
   */
  adopt(topic: string, position: StreamPosition): void {
    const last = this.last.get(topic);
    if (last !== undefined && last.epoch === position.epoch && last.offset >= position.offset) return;
    this.last.set(topic, { epoch: position.epoch, offset: position.offset });
  }

  /** After a failed recovery: the application resyncs, and the stream continues from `position`. */
  reset(topic: string, position: StreamPosition): void {
    this.last.set(topic, { epoch: position.epoch, offset: position.offset });
  }

  /** The `since` of a subscribe: the positions held for `topics` (exact recoverable topics only). */
  since(topics: Iterable<string>): Record<string, StreamPosition> | undefined {
    let since: Record<string, StreamPosition> | undefined;
    for (const topic of topics) {
      const position = this.last.get(topic);
      if (position !== undefined) (since ??= {})[topic] = { ...position };
    }
    return since;
  }

  get(topic: string): StreamPosition | undefined {
    return this.last.get(topic);
  }

  forget(topic: string): void {
    this.last.delete(topic);
  }
}
