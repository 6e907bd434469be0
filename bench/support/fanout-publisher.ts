import { TICK_DRAIN_TURN_MS } from '../../src/pipeline/index.ts';
import { SIDE, Tick } from '../../src/wire/index.ts';
import { wallClockMs } from './fanout-protocol.ts';

/**
 * A simulated feed: messages at a set rate, round-robin over the symbols, each stamped with the
 * time it was due on the feed's clock. Each turn publishes what is due by then: a message due
 * while the server is busy waits for the server's current turn to end, and that wait is part of
 * its latency measured from its due time (so is the timer's resolution, up to ~1 ms, when the
 * server is idle). One turn publishes at most `maxBurstMs` worth of messages (and, with `turnMs`,
 * stops after that long as the node's tick drain does), so a server that
 * cannot keep up falls behind the clock (and the step says so) instead of taking ever bigger
 * bursts. With `conflate`, a publisher that is behind skips to the newest messages due instead,
 * as the node's tick pipeline does under its `conflate` input policy: round-robin over the
 * symbols, the last `symbolCount` messages due are the latest of each symbol (`conflated` counts
 * the skipped ones).
 */

/** The default most messages of one turn, in ms of the rate: big bursts amortize the server's per-turn cost. */
const DEFAULT_MAX_BURST_MS = 50;
/** Messages published between two looks at the clock. */
const CLOCK_CHECK = 16;
/**
 * A step is on schedule when its last message went out within this fraction of its duration
 * plus SCHEDULE_SLACK_MS: one garbage collection or descheduling (tens of ms) must not fail a short
 * step, while a server 5% too slow fails any step.
 */
const SCHEDULE_SLACK = 0.05;
const SCHEDULE_SLACK_MS = 20;

export interface PublishStep {
  published: number[];
  /** Messages skipped by a conflating publisher that was behind. */
  conflated: number;
  elapsedMs: number;
  onSchedule: boolean;
  maxBurst: number;
}

/** Publishes message `symbolIndex`, which was due at `dueMs` (wallClockMs). */
export type PublishOne = (symbolIndex: number, dueMs: number) => void;

export interface PublisherOptions {
  /** The most messages of one turn, in ms of the rate. */
  maxBurstMs?: number;
  /** Behind by more than a burst: skip to the newest messages due instead of falling behind. */
  conflate?: boolean;
  /**
   * End each turn after this long, as the node's tick drain does (TICK_DRAIN_TURN_MS), for a
   * Tickwire node's feed; the baselines publish their whole burst in one turn, as suits them best.
   */
  turnMs?: number;
}

/** The turn a publisher standing in for the node's tick drain takes. */
export const NODE_TURN_MS = TICK_DRAIN_TURN_MS;

export class RatePublisher {
  private next = 0;
  private readonly maxBurstMs: number;
  private readonly conflate: boolean;
  private readonly turnMs: number;

  constructor(
    private readonly symbolCount: number,
    private readonly publishOne: PublishOne,
    options: PublisherOptions = {},
  ) {
    this.maxBurstMs = options.maxBurstMs ?? DEFAULT_MAX_BURST_MS;
    this.conflate = options.conflate ?? false;
    this.turnMs = options.turnMs ?? Infinity;
  }

  run(rate: number, durationMs: number): Promise<PublishStep> {
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    const published = new Array<number>(this.symbolCount).fill(0);
    const maxBurst = Math.max(1, Math.round((rate * this.maxBurstMs) / 1000));
    const intervalMs = 1000 / rate;
    // Past this the step stops even if behind: it has failed anyway and must end by itself.
    const deadlineMs = durationMs * 2 + 100;
    const start = performance.now();
    const startWall = wallClockMs();
    let sent = 0;
    let conflated = 0;
    let largestBurst = 0;
    return new Promise((resolve) => {
      const turn = () => {
        const elapsed = performance.now() - start;
        const due = Math.min(total, Math.floor(elapsed / intervalMs) + 1);
        if (this.conflate && due - sent > maxBurst) {
          const skipped = due - sent - maxBurst;
          this.next = (this.next + skipped) % this.symbolCount;
          sent += skipped;
          conflated += skipped;
        }
        const turnEnd = performance.now() + this.turnMs;
        let burst = Math.min(due - sent, maxBurst);
        for (let i = 0; i < burst; i++) {
          const symbol = this.next;
          this.next = symbol + 1 === this.symbolCount ? 0 : symbol + 1;
          published[symbol]!++;
          this.publishOne(symbol, startWall + (sent + i) * intervalMs);
          // The node's tick drain ends its turn after TICK_DRAIN_TURN_MS whatever its backlog: so can this.
          if (i % CLOCK_CHECK === CLOCK_CHECK - 1 && performance.now() >= turnEnd) burst = i + 1;
        }
        if (burst > 0) sent += burst;
        if (burst > largestBurst) largestBurst = burst;
        if (sent < total && elapsed < deadlineMs) {
          // Behind: go again right after this turn's I/O, as a feed socket with data waiting
          // would be read. On time: sleep until the next message is due (timers have a 1 ms
          // resolution; spinning instead would take the CPU the clients need on 2 cores).
          const untilNextMs = sent * intervalMs - (performance.now() - start);
          if (untilNextMs <= 0) setImmediate(turn);
          else setTimeout(turn, Math.max(1, Math.floor(untilNextMs)));
          return;
        }
        const elapsedMs = performance.now() - start;
        resolve({
          published,
          conflated,
          elapsedMs,
          onSchedule: sent === total && elapsedMs <= durationMs * (1 + SCHEDULE_SLACK) + SCHEDULE_SLACK_MS,
          maxBurst: largestBurst,
        });
      };
      setImmediate(turn);
    });
  }
}

const writer = new Tick();

/**
 * A new 64-byte trade tick carrying the two times clients measure latency from: exchange time =
 * when it was due on the feed's clock, receive time = when it was handed to the server (`publishMs`).
 */
export function tradeTick(
  venueId: number,
  symbolId: number,
  sequence: number,
  dueMs: number,
  publishMs: number,
  scales: { priceScale: number; sizeScale: number },
): Uint8Array {
  const bytes = new Uint8Array(64);
  const dueWhole = Math.floor(dueMs);
  const publishWhole = Math.floor(publishMs);
  writer
    .wrap(bytes)
    .writeTrade(
      venueId,
      symbolId,
      scales.priceScale,
      scales.sizeScale,
      sequence,
      SIDE.buy,
      dueWhole,
      nanosOfMs(dueMs - dueWhole),
      publishWhole,
      nanosOfMs(publishMs - publishWhole),
      6_712_345 + (sequence % 1000),
      12_345,
      sequence,
    );
  return bytes;
}

function nanosOfMs(fraction: number): number {
  return Math.min(999_999, Math.round(fraction * 1e6));
}
