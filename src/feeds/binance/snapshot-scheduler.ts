/**
 * Which book snapshot is fetched next, and when. Books ask (by route id) when they need one; the
 * scheduler keeps at most one request per book going (queued, waiting to retry or being fetched),
 * fetches at most `concurrency` at once, and holds back books of a worker that already has
 * `perWorker` snapshots being fetched or waiting in the pipeline for room in its input ring: a worker
 * that is behind gets no more snapshots than it can take, and the rest of the REST budget goes to
 * the other workers' books.
 */

export interface SnapshotSchedulerOptions {
  /** Snapshots fetched at once. */
  concurrency: number;
  /** Most snapshots fetched or waiting in the transport for one worker. */
  perWorker: number;
  /** Least time between two fetches of one book, ms. */
  retryMs: number;
}

/** How one fetch ended. */
export type SnapshotOutcome =
  /** Handed to the transport. */
  | 'delivered'
  /** The request or its body failed: fetched again after retryMs. */
  | 'failed'
  /** Not needed any more or not deliverable (book removed, feed stopped, worker down). */
  | 'dropped';

export interface SnapshotHooks {
  /** The worker that owns the book of route `id`. */
  workerOf(id: number): number;
  /** Snapshots handed to the transport for `worker` and not yet in its input ring. */
  backlog(worker: number): number;
  /** Fetches the snapshot of route `id` and hands it to the transport. */
  fetch(id: number): Promise<SnapshotOutcome>;
}

/** `delivering`: fetched and being handed over (see handingOver); still counted as fetching. */
type BookRequest = 'retrying' | 'queued' | 'fetching' | 'delivering';

/** How long a pump held back by full workers waits before it looks again, ms. */
const HELD_BACK_RECHECK_MS = 20;

export class SnapshotScheduler {
  private readonly requests = new Map<number, BookRequest>();
  /** Books asked for again while their snapshot was being fetched or handed over. */
  private readonly askedAgain = new Set<number>();
  /** Queued books per worker, oldest first. */
  private readonly queues: Set<number>[] = [];
  private readonly fetchingByWorker: number[] = [];
  private readonly lastFetchAt = new Map<number, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private recheck: NodeJS.Timeout | undefined;
  private nextWorker = 0;
  private queuedCount = 0;
  private fetching = 0;
  private stopped = false;

  constructor(
    private readonly options: SnapshotSchedulerOptions,
    private readonly hooks: SnapshotHooks,
  ) {}

  /** Books waiting for a fetch (queued or waiting to retry). */
  get queued(): number {
    return this.requests.size - this.fetching;
  }

  get inFlight(): number {
    return this.fetching;
  }

  /** Whether the book of route `id` wants a snapshot whose request is not sent yet (queued or waiting to retry). */
  awaitsFetch(id: number): boolean {
    const request = this.requests.get(id);
    return request === 'queued' || request === 'retrying';
  }

  /**
   * The fetch hook calls this just before it hands route `id`'s snapshot to its book: a request
   * made from then on comes from a book that saw this snapshot (found it too old, say), so this
   * snapshot does not answer it and the book is fetched again. A book applying the snapshot on the
   * spot (no pipeline) asks before the fetch has even ended.
   */
  handingOver(id: number): void {
    if (this.requests.get(id) !== 'fetching') return;
    this.askedAgain.delete(id);
    this.requests.set(id, 'delivering');
  }

  /**
   * The book of route `id` wants a snapshot. Asked while one is already being fetched, it is noted:
   * that snapshot answers it unless it is not delivered, in which case the book is fetched again.
   * Asked once the snapshot is being handed over (handingOver), the book is fetched again anyway.
   */
  request(id: number): void {
    if (this.stopped) return;
    const current = this.requests.get(id);
    if (current === 'fetching' || current === 'delivering') {
      this.askedAgain.add(id);
      return;
    }
    if (current !== undefined) return;
    const last = this.lastFetchAt.get(id);
    const wait = last === undefined ? 0 : last + this.options.retryMs - performance.now();
    if (wait > 0) {
      this.requests.set(id, 'retrying');
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.requests.get(id) !== 'retrying') return;
        this.requests.delete(id);
        this.request(id);
      }, wait);
      this.timers.add(timer);
      return;
    }
    this.requests.set(id, 'queued');
    const worker = this.hooks.workerOf(id);
    (this.queues[worker] ??= new Set()).add(id);
    this.queuedCount++;
    this.pump();
  }

  /** The book of route `id` is gone: forget its request (a fetch under way is dropped when it ends). */
  forget(id: number): void {
    const current = this.requests.get(id);
    if (current === 'queued') {
      // Few queues (one per worker): no need to remember which one holds it.
      for (const queue of this.queues) if (queue?.delete(id) === true) break;
      this.queuedCount--;
    }
    if (current !== 'fetching' && current !== 'delivering') this.requests.delete(id);
    this.askedAgain.delete(id);
    this.lastFetchAt.delete(id);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    clearTimeout(this.recheck);
    this.recheck = undefined;
    this.requests.clear();
    this.askedAgain.clear();
    for (const queue of this.queues) queue?.clear();
    this.queuedCount = 0;
  }

  private pump(): void {
    while (!this.stopped && this.fetching < this.options.concurrency && this.queuedCount > 0) {
      const worker = this.nextReadyWorker();
      if (worker === undefined) {
        // Every worker with queued books is full; nothing announces room, so look again shortly.
        this.recheck ??= setTimeout(() => {
          this.recheck = undefined;
          this.pump();
        }, HELD_BACK_RECHECK_MS);
        return;
      }
      const queue = this.queues[worker]!;
      const id: number = queue.values().next().value!;
      queue.delete(id);
      this.queuedCount--;
      this.start(id, worker);
    }
  }

  /** The next worker, round robin, with queued books and room for another snapshot. */
  private nextReadyWorker(): number | undefined {
    const workers = this.queues.length;
    for (let step = 0; step < workers; step++) {
      const worker = (this.nextWorker + step) % workers;
      const queue = this.queues[worker];
      if (queue === undefined || queue.size === 0) continue;
      const taken = (this.fetchingByWorker[worker] ?? 0) + this.hooks.backlog(worker);
      if (taken >= this.options.perWorker) continue;
      this.nextWorker = worker + 1;
      return worker;
    }
    return undefined;
  }

  private start(id: number, worker: number): void {
    this.requests.set(id, 'fetching');
    this.fetching++;
    this.fetchingByWorker[worker] = (this.fetchingByWorker[worker] ?? 0) + 1;
    this.lastFetchAt.set(id, performance.now());
    void this.hooks
      .fetch(id)
      .catch((): SnapshotOutcome => 'failed')
      .then((outcome) => {
        this.fetching--;
        this.fetchingByWorker[worker]!--;
        if (this.stopped) return;
        const again = this.askedAgain.delete(id);
        const handedOver = this.requests.get(id) === 'delivering';
        this.requests.delete(id);
        // A delivered snapshot answers a request made while it was fetched, but not one made after it
        // was handed over; an undelivered one answers none.
        if (outcome === 'failed' || (again && (outcome === 'dropped' || handedOver))) this.request(id);
        this.pump();
      });
  }
}
