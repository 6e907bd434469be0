import { BAR, BOOK, FLAG, QUOTE, type Tick, TRADE } from '../wire/index.ts';
import { isCrossedQuote } from './crossed-book.ts';
import type { QualityOptions } from './pipeline-options.ts';
import { SequenceChecker } from './sequence-check.ts';
import { SpikeDetector } from './spike-detector.ts';
import { StaleTracker } from './stale-tracker.ts';
import { FIGURE_INDEX } from './worker-protocol.ts';

/** Spike streams per symbol: trade prices and quote mid prices move differently. */
const PRICE_STREAMS = 2;

/**
 * Every per-symbol check a worker runs on a tick, returning the flags the tick earns:
 * - sequence (per symbol and type, by the type's own rule): `gap`, `duplicate`, `outOfOrder`
 *   (SequenceChecker);
 * - a quote whose bid is at or above its ask: `crossed`;
 * - a trade price or quote mid price beyond the spike limit: `spike` (SpikeDetector);
 * - a tick received more than staleAfterMs after its exchange time: `stale` (bars excepted: their
 *   exchange time is the bar's open time);
 * and stamps the symbol as live for the staleness sweep (StaleTracker).
 * Allocation-free per tick.
 */
export class TickQuality {
  readonly sequence = new SequenceChecker();
  readonly spikes: SpikeDetector;
  readonly staleness: StaleTracker;
  crossed = 0;
  staleTicks = 0;
  private readonly staleAfterMs: number;

  constructor(options: QualityOptions) {
    this.spikes = new SpikeDetector(options);
    this.staleness = new StaleTracker(options.staleAfterMs);
    this.staleAfterMs = options.staleAfterMs;
  }

  /** The quality flags for `tick`, received in a batch read at `nowMs` (worker clock). */
  inspect(tick: Tick, nowMs: number): number {
    const symbolId = tick.symbolId;
    const type = tick.type;
    let flags =
      type === BOOK
        ? this.sequence.check(symbolId, type, tick.sequence, tick.flags, tick.firstUpdateId)
        : this.sequence.check(symbolId, type, tick.sequence);
    this.staleness.seen(symbolId, nowMs);
    if (type === TRADE) {
      if (this.spikes.check(symbolId * PRICE_STREAMS, tick.price)) flags |= FLAG.spike;
    } else if (type === QUOTE) {
      const bid = tick.bidPrice;
      const ask = tick.askPrice;
      if (isCrossedQuote(bid, tick.bidSize, ask, tick.askSize)) {
        this.crossed++;
        flags |= FLAG.crossed;
      } else if (bid > 0 && ask > 0 && this.spikes.check(symbolId * PRICE_STREAMS + 1, bid + ask)) {
        // bid + ask is twice the mid: the factor cancels out of the log return.
        flags |= FLAG.spike;
      }
    }
    if (type !== BAR && tick.receiveMs - tick.exchangeMs > this.staleAfterMs) {
      this.staleTicks++;
      flags |= FLAG.stale;
    }
    return flags;
  }

  /** Forgets a symbol's state, e.g. after its book was resynced from a snapshot. */
  reset(symbolId: number): void {
    this.sequence.reset(symbolId);
    this.spikes.reset(symbolId * PRICE_STREAMS);
    this.spikes.reset(symbolId * PRICE_STREAMS + 1);
  }

  /** Writes the totals into a worker's figures (layout WORKER_FIGURES). */
  writeCounters(figures: Float64Array): void {
    const sequence = this.sequence.counts;
    figures[FIGURE_INDEX.processed] = sequence.checked;
    figures[FIGURE_INDEX.gaps] = sequence.gaps;
    figures[FIGURE_INDEX.missing] = sequence.missing;
    figures[FIGURE_INDEX.outOfOrder] = sequence.outOfOrder;
    figures[FIGURE_INDEX.duplicates] = sequence.duplicates;
    figures[FIGURE_INDEX.crossed] = this.crossed;
    figures[FIGURE_INDEX.spikes] = this.spikes.counts.spikes;
    figures[FIGURE_INDEX.levelShifts] = this.spikes.counts.levelShifts;
    figures[FIGURE_INDEX.staleTicks] = this.staleTicks;
    figures[FIGURE_INDEX.wentStale] = this.staleness.counts.wentStale;
    figures[FIGURE_INDEX.revived] = this.staleness.counts.revived;
    figures[FIGURE_INDEX.staleSymbols] = this.staleness.staleCount;
  }
}
