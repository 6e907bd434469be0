import { SeededRandom } from './random.ts';
import type { SimulatedSymbol } from './universe.ts';

/**
 * Volatility regimes of the random walk. The mid's standard deviation is given per square root of
 * a second (1 bp/√s is about 60% a year, a calm crypto market), and each regime lasts
 * `meanSeconds` on average. Stating both per unit of time, not per event, keeps the market the
 * same whatever the event rate: at 100,000 events/s a book moves as much in 100 ms as at 1,000
 * events/s, it is only updated more finely, so depth diffs stay the size a real venue sends.
 */
const REGIMES = [
  { name: 'calm', sigmaBpsPerSqrtSecond: 1, meanSeconds: 300, extraSpreadTicks: 1 },
  { name: 'volatile', sigmaBpsPerSqrtSecond: 5, meanSeconds: 60, extraSpreadTicks: 4 },
] as const;

/** Jumps per second per symbol (one every ten minutes on average), and their size range in basis points. */
const JUMPS_PER_SECOND = 1 / 600;
const JUMP_MIN_BPS = 20;
const JUMP_MAX_BPS = 100;
/** Share of events that are trades; the rest are top-of-book changes. */
const TRADE_SHARE = 0.5;
/** Typical notional of one trade or one quoted level, in quote currency. */
const TYPICAL_NOTIONAL = 200;

export type MarketEventKind = 'trade' | 'quote';

/**
 * One symbol's simulated market: a random walk of the mid price with volatility regimes and jumps,
 * and a top of book around it. The mid is kept exactly (a float) so that moves smaller than a tick
 * add up; quoted prices and sizes are integer mantissas at the symbol's scales, so quotes stay on
 * the tick grid. A trade always prints at the touch it hits, so the book stays consistent with
 * trades. The latest event is left in the public fields (no object per event); `step()` says
 * which kind it was.
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
  /** The jump the last step injected, in basis points of the mid (0: none): the label a quality check is scored against. */
  jumpBps = 0;

  private readonly random: SeededRandom;
  /** Mid price in ticks (price mantissa units), not rounded. */
  private mid: number;
  private regime = 0;
  private readonly unitsPerNotional: number;

  constructor(
    readonly symbol: SimulatedSymbol,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.mid = Math.max(2, symbol.price * 10 ** symbol.priceScale);
    this.unitsPerNotional = (TYPICAL_NOTIONAL / symbol.price) * 10 ** symbol.sizeScale;
    this.quoteAround();
  }

  /** Advances the market by one event, `seconds` of market time after the previous one, and returns its kind. */
  step(seconds: number): MarketEventKind {
    this.walk(seconds);
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

  private walk(seconds: number): void {
    const regime = REGIMES[this.regime]!;
    // Poisson arrivals: the chance of at least one regime change or jump within `seconds`.
    if (this.random.next() < -Math.expm1(-seconds / regime.meanSeconds)) this.regime = 1 - this.regime;
    let moveBps = regime.sigmaBpsPerSqrtSecond * Math.sqrt(seconds) * this.random.gaussian();
    this.jumpBps = 0;
    if (this.random.next() < -Math.expm1(-seconds * JUMPS_PER_SECOND)) {
      const size = JUMP_MIN_BPS + (JUMP_MAX_BPS - JUMP_MIN_BPS) * this.random.next();
      this.jumpBps = this.random.next() < 0.5 ? -size : size;
      moveBps += this.jumpBps;
    }
    this.mid = Math.max(2, this.mid * (1 + moveBps / 10_000));
    this.quoteAround();
  }

  private quoteAround(): void {
    const regime = REGIMES[this.regime]!;
    const spread = 1 + this.random.int(0, regime.extraSpreadTicks);
    this.bidPrice = Math.max(1, Math.round(this.mid) - Math.floor(spread / 2));
    this.askPrice = this.bidPrice + spread;
    this.bidSize = this.lotSize();
    this.askSize = this.lotSize();
  }

  /** A log-normal lot around the typical notional, at least one step. */
  private lotSize(): number {
    return Math.max(1, Math.round(this.unitsPerNotional * Math.exp(this.random.gaussian() - 0.5)));
  }
}
