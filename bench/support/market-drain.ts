import { connect } from 'node:net';
import type { MessageBus } from '../../src/bus/index.ts';
import { TICK_DRAIN_TURN_MS } from '../../src/pipeline/index.ts';
import { TICK_BYTES, Tick } from '../../src/wire/index.ts';

/**
 * A node's feed connection in a benchmark's server process: 64-byte ticks read from a TCP
 * market source, published on the bus as the node's tick drain publishes what its rings hold, in
 * turns that end after TICK_DRAIN_TURN_MS, the next one after a turn of the event loop.
 */
export class MarketDrain {
  published = 0;
  private readonly waiting: Buffer[] = [];
  private waitingAt = 0;
  private leftover: Buffer = Buffer.alloc(0);
  private draining = false;
  private readonly reader = new Tick();

  constructor(
    private readonly bus: MessageBus,
    /** The topic of each symbol id the source sends. */
    private readonly topicOf: ReadonlyMap<number, string>,
  ) {}

  /** Connects to the market source's TCP port and drains what it sends. */
  async connect(port: number): Promise<void> {
    const feed = connect({ port, host: '127.0.0.1' }, () => feed.setNoDelay(true));
    feed.on('data', this.onData);
    await new Promise((resolve, reject) => {
      feed.once('connect', resolve);
      feed.once('error', reject);
    });
  }

  /** Takes a chunk read from the socket (ticks may be split across chunks). */
  readonly onData = (chunk: Buffer): void => {
    const bytes = this.leftover.length > 0 ? Buffer.concat([this.leftover, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % TICK_BYTES);
    if (whole > 0) this.waiting.push(bytes.subarray(0, whole));
    this.leftover = bytes.subarray(whole);
    if (!this.draining) {
      this.draining = true;
      setImmediate(this.drain);
    }
  };

  private readonly drain = (): void => {
    const turnEnd = performance.now() + TICK_DRAIN_TURN_MS;
    while (this.waiting.length > 0) {
      const bytes = this.waiting[0]!;
      for (; this.waitingAt < bytes.length; this.waitingAt += TICK_BYTES) {
        const tick = bytes.subarray(this.waitingAt, this.waitingAt + TICK_BYTES);
        const topic = this.topicOf.get(this.reader.wrap(tick).symbolId);
        if (topic === undefined) throw new Error(`unknown symbol id ${this.reader.symbolId}`);
        this.bus.publish(topic, tick);
        this.published++;
        if (this.published % 32 === 0 && performance.now() >= turnEnd) {
          this.waitingAt += TICK_BYTES;
          setImmediate(this.drain);
          return;
        }
      }
      this.waiting.shift();
      this.waitingAt = 0;
    }
    this.draining = false;
  };
}
