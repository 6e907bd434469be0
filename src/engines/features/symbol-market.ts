import { FLAG, fromFixedPoint, SIDE, type Tick } from '../../wire/index.ts';
import type { MarketView, Quote } from './indicators/index.ts';

/**
 * One symbol's top of book and depth as the features engine rebuilt them from the bus: quotes
 * (`md.quote`) and book level changes (`md.book`, absolute sizes, 0 removes). A snapshot (ticks
 * flagged `snapshot`) replaces the book: its first tick clears both sides.
 */
export class SymbolMarket implements MarketView {
  private latestQuote: Quote | undefined;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private inSnapshot = false;

  applyQuote(tick: Tick): void {
    this.latestQuote = {
      bidPrice: fromFixedPoint(tick.bidPrice, tick.priceScale),
      bidSize: fromFixedPoint(tick.bidSize, tick.sizeScale),
      askPrice: fromFixedPoint(tick.askPrice, tick.priceScale),
      askSize: fromFixedPoint(tick.askSize, tick.sizeScale),
    };
  }

  applyLevel(tick: Tick): void {
    const snapshot = tick.hasFlag(FLAG.snapshot);
    if (snapshot && !this.inSnapshot) {
      this.bids.clear();
      this.asks.clear();
    }
    this.inSnapshot = snapshot;
    const side = tick.side === SIDE.bid ? this.bids : tick.side === SIDE.ask ? this.asks : undefined;
    if (side === undefined) return;
    const level = fromFixedPoint(tick.price, tick.priceScale);
    const size = fromFixedPoint(tick.size, tick.sizeScale);
    if (size === 0) side.delete(level);
    else side.set(level, size);
  }

  quote(): Quote | undefined {
    return this.latestQuote;
  }

  depth(levels: number): { bid: number; ask: number } {
    return { bid: bestLevels(this.bids, levels, 'bid'), ask: bestLevels(this.asks, levels, 'ask') };
  }
}

/** The size within the best `levels` prices of one side (sorted when asked: only at bar closes). */
function bestLevels(side: Map<number, number>, levels: number, kind: 'bid' | 'ask'): number {
  const prices = [...side.keys()].sort((a, b) => (kind === 'bid' ? b - a : a - b));
  let size = 0;
  for (let i = 0; i < Math.min(levels, prices.length); i++) size += side.get(prices[i]!)!;
  return size;
}
