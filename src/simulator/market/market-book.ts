import { SeededRandom } from './random.ts';
import type { SimulatedSymbol } from './universe.ts';
import type { MarketEvent } from './market-event-source.ts';
import { ASK, BID, type BookSide, OrderBook } from './order-book.ts';

/** Levels kept per side: enough for @depth20 and a visible book, small enough for 100,000 symbols. */
export const BOOK_LEVELS = 25;
/** Chance per event that one level behind the touch changes size (orders joining or leaving). */
const CHURN_PROBABILITY = 0.5;
/** Typical notional of a resting level, in quote currency (as PriceProcess's lots). */
const TYPICAL_NOTIONAL = 200;
/** Ticks between refilled levels, at most. */
const MAX_LEVEL_GAP = 3;

/**
 * A symbol's full book, built when first needed (a depth or book-ticker stream, a REST depth
 * request, a crossed-book fault) around the source's top of book, and from then on kept in step
 * with every event: the touch follows the event's bid and ask, levels behind it are refilled and
 * churn, trades take quantity off the level they hit. `updateId` is the symbol's update id; the
 * exchange sets it before changing the book, so diff listeners stamp changes with it.
 */
export class MarketBook extends OrderBook {
  updateId: number;
  /** While positive, each event leaves a bid above the best ask (the crossed-book fault). */
  crossUpdates = 0;
  private readonly random: SeededRandom;
  private readonly lot: number;

  constructor(
    readonly symbol: SimulatedSymbol,
    seed: number,
    updateId: number,
    touch: MarketEvent,
  ) {
    super();
    this.updateId = updateId;
    this.random = new SeededRandom(seed);
    this.lot = Math.max(1, (TYPICAL_NOTIONAL / symbol.price) * 10 ** symbol.sizeScale);
    this.applyTouch(touch);
  }

  /** Moves the touch to the event's bid and ask, then refills, trims and churns the levels behind. */
  applyTouch(event: MarketEvent): void {
    this.removeBetterThan(BID, event.bidPrice);
    this.set(BID, event.bidPrice, event.bidSize);
    this.removeBetterThan(ASK, event.askPrice);
    this.set(ASK, event.askPrice, event.askSize);
    this.closeHole(BID);
    this.closeHole(ASK);
    this.refill(BID);
    this.refill(ASK);
    if (this.random.next() < CHURN_PROBABILITY) this.churn();
    if (this.crossUpdates > 0) {
      this.crossUpdates--;
      // One tick above the best ask: best bid >= best ask, as a broken feed would show.
      this.set(BID, event.askPrice + 1, this.lotSize());
    }
  }

  /** A trade of `quantity` at the level `price` of `side` (asks for a buyer-initiated trade); the levels behind are refilled. */
  takeAt(side: BookSide, price: number, quantity: number): void {
    const prices = this.prices[side];
    const index = prices.indexOf(price);
    if (index < 0) return;
    this.set(side, price, Math.max(0, this.quantities[side][index]! - quantity));
    this.refill(side);
  }

  /**
   * Drops the levels behind a hole wider than MAX_LEVEL_GAP: a jump moves the touch away from the
   * old levels, and a book that kept them would show a touch of one lot in front of a gap of the
   * jump's size, so that every trade taking the touch moved the best price by the whole jump. A
   * real book refills behind a moved market; refill() then does.
   */
  private closeHole(side: BookSide): void {
    const prices = this.prices[side];
    for (let i = 1; i < prices.length; i++) {
      if (Math.abs(prices[i]! - prices[i - 1]!) > MAX_LEVEL_GAP) {
        this.trim(side, i);
        return;
      }
    }
  }

  private refill(side: BookSide): void {
    const prices = this.prices[side];
    while (prices.length < BOOK_LEVELS) {
      const worst = prices[prices.length - 1]!;
      const gap = 1 + this.random.int(0, MAX_LEVEL_GAP - 1);
      const price = side === BID ? worst - gap : worst + gap;
      if (price < 1) break;
      this.set(side, price, this.lotSize());
    }
    this.trim(side, BOOK_LEVELS);
  }

  /** One level behind the touch changes size. */
  private churn(): void {
    const side: BookSide = this.random.next() < 0.5 ? BID : ASK;
    const depth = this.prices[side].length;
    if (depth < 2) return;
    const index = this.random.int(1, depth - 1);
    this.set(side, this.prices[side][index]!, this.lotSize());
  }

  private lotSize(): number {
    return Math.max(1, Math.round(this.lot * Math.exp(this.random.gaussian() - 0.5)));
  }
}
