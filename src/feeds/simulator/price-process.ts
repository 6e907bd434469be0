import { SeededRandom } from './random.ts';
import type { SimulatedSymbol } from './universe.ts';

/** Volatility regimes of the random walk: per-event standard deviation of the mid, in basis points. */
const REGIMES = [
  { name: 'calm', sigmaBps: 1, leaveProbability: 0.002, extraSpreadTicks: 1 },
  { name: 'volatile', sigmaBps: 5, leaveProbability: 0.01, extraSpreadTicks: 4 },
] as const;

/** Chance per event of a jump, and its size range in basis points. */
const JUMP_PROBABILITY = 0.0005;
const JUMP_MIN_BPS = 20;
const JUMP_MAX_BPS = 100;
/** Share of events that are trades; the rest are top-of-book changes. */
const TRADE_SHARE = 0.5;
/** Typical notional of one trade or one quoted level, in quote currency. */
const TYPICAL_NOTIONAL = 200;

export type MarketEventKind = 'trade' | 'quote';

/**
 * One symbol's simulated market: a random walk of the mid price with volatility regimes and jumps,
 * and a top of book around it. All prices and sizes are integer mantissas at the symbol's scales,
 * so the walk never drifts off the tick grid. A trade always prints at the touch it hits, so the
 * book stays consistent with trades. The latest event is left in the public fields (no object per
 * event); `step()` says which kind it was.
 */
export class PriceProcess {
  bidPrice = 0;
  askPrice = 0;
  bidSize = 0;
  askSize = 0;
  tradePrice = 0;
  tradeSize = 0;
  /** 1 when the buyer was the aggressor (trade at the ask), 2 when the seller was. */
  tradeSide: 1 | 2 = 1;
  tradeId = 0;
  /** Per-symbol update counter, as an exchange's book update id. */
  updateId = 0;

  private readonly random: SeededRandom;
  private midTicks: number;
  private regime = 0;
  private readonly unitsPerNotional: number;

  constructor(
    readonly symbol: SimulatedSymbol,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.midTicks = Math.max(2, Math.round(symbol.price * 10 ** symbol.priceScale));
    this.unitsPerNotional = (TYPICAL_NOTIONAL / symbol.price) * 10 ** symbol.sizeScale;
    this.quoteAround();
  }

  /** Advances the market by one event and returns its kind. */
  step(): MarketEventKind {
    this.walk();
    this.updateId++;
    if (this.random.next() < TRADE_SHARE) {
      this.tradeId++;
      this.tradeSide = this.random.next() < 0.5 ? 1 : 2;
      this.tradePrice = this.tradeSide === 1 ? this.askPrice : this.bidPrice;
      this.tradeSize = this.lotSize();
      return 'trade';
    }
    return 'quote';
  }

  private walk(): void {
    const regime = REGIMES[this.regime]!;
    if (this.random.next() < regime.leaveProbability) this.regime = 1 - this.regime;
    let moveBps = regime.sigmaBps * this.random.gaussian();
    if (this.random.next() < JUMP_PROBABILITY) {
      const size = JUMP_MIN_BPS + (JUMP_MAX_BPS - JUMP_MIN_BPS) * this.random.next();
      moveBps += this.random.next() < 0.5 ? -size : size;
    }
    this.midTicks = Math.max(2, Math.round(this.midTicks * (1 + moveBps / 10_000)));
    this.quoteAround();
  }

  private quoteAround(): void {
    const regime = REGIMES[this.regime]!;
    const spread = 1 + this.random.int(0, regime.extraSpreadTicks);
    this.bidPrice = Math.max(1, this.midTicks - Math.floor(spread / 2));
    this.askPrice = this.bidPrice + spread;
    this.bidSize = this.lotSize();
    this.askSize = this.lotSize();
  }

  /** A log-normal lot around the typical notional, at least one step. */
  private lotSize(): number {
    return Math.max(1, Math.round(this.unitsPerNotional * Math.exp(this.random.gaussian() - 0.5)));
  }
}
