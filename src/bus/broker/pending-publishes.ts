/**
 * Publishes waiting for the broker, oldest first, at most `capacity` of them: a ring of
 * (subject, envelope) pairs. When full, `push` drops the oldest and says so, because the newest
 * data is worth more to a market-data consumer than the oldest. Dropped messages keep their
 * sequence numbers, so receivers see them as a gap.
 */
export class PendingPublishes {
  private readonly subjects: (string | undefined)[];
  private readonly envelopes: (Uint8Array | undefined)[];
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.subjects = new Array<string | undefined>(capacity);
    this.envelopes = new Array<Uint8Array | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Queues one publish; true when the oldest had to be dropped to make room. */
  push(subject: string, envelope: Uint8Array): boolean {
    if (this.capacity === 0) return true;
    let dropped = false;
    if (this.count === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      dropped = true;
    }
    const tail = (this.head + this.count) % this.capacity;
    this.subjects[tail] = subject;
    this.envelopes[tail] = envelope;
    this.count++;
    return dropped;
  }

  /** Hands every queued publish to `send`, oldest first, and empties the buffer. */
  drain(send: (subject: string, envelope: Uint8Array) => void): number {
    const drained = this.count;
    while (this.count > 0) {
      const index = this.head;
      const subject = this.subjects[index]!;
      const envelope = this.envelopes[index]!;
      this.subjects[index] = undefined;
      this.envelopes[index] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      send(subject, envelope);
    }
    return drained;
  }

  clear(): void {
    this.subjects.fill(undefined);
    this.envelopes.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
