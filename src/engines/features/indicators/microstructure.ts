import { type IndicatorDefinition, period, type Quote } from './indicator.ts';
import { RollingSum } from './rolling.ts';

/**
 * Features of the book and of who traded, sampled when a bar closes: the book as it stood at the
 * bar's end (the engine applies a symbol's quotes and book changes up to the bar's close time
 * before closing it), and the bar's aggressor volumes. Null until the symbol has a quote.
 */
export const MICROSTRUCTURE: readonly IndicatorDefinition[] = [
  {
    name: 'spread',
    readsBook: true,
    summary: 'best ask − best bid, and the same in basis points of the mid',
    params: [],
    outputs: ['spread', 'bps'],
    warmUp: () => 0,
    create: () => ({
      update: (_bar, market) =>
        withQuote(market.quote(), (quote) => {
          const spread = quote.askPrice - quote.bidPrice;
          return { spread, bps: (10_000 * spread) / mid(quote) };
        }),
    }),
  },
  {
    name: 'mid',
    readsBook: true,
    summary: '(best bid + best ask)/2',
    params: [],
    warmUp: () => 0,
    create: () => ({ update: (_bar, market) => withQuote(market.quote(), mid) }),
  },
  {
    name: 'microprice',
    readsBook: true,
    summary: 'size-weighted mid: (bid·askSize + ask·bidSize)/(bidSize + askSize)',
    params: [],
    warmUp: () => 0,
    create: () => ({
      update: (_bar, market) =>
        withQuote(market.quote(), (quote) => {
          const sizes = quote.bidSize + quote.askSize;
          return sizes === 0
            ? mid(quote)
            : (quote.bidPrice * quote.askSize + quote.askPrice * quote.bidSize) / sizes;
        }),
    }),
  },
  {
    name: 'book_imbalance',
    readsBook: true,
    summary: 'top-of-book imbalance: (bidSize − askSize)/(bidSize + askSize), in −1…1',
    params: [],
    warmUp: () => 0,
    create: () => ({
      update: (_bar, market) => withQuote(market.quote(), (quote) => imbalance(quote.bidSize, quote.askSize)),
    }),
  },
  {
    name: 'depth_imbalance',
    readsBook: true,
    summary:
      'depth imbalance: (bid − ask)/(bid + ask) of the base amounts within the best n levels of each side',
    params: [period('levels', 5)],
    warmUp: () => 0,
    create: ([levels]) => ({
      update: (_bar, market) => {
        const depth = market.depth(levels!);
        return depth.bid + depth.ask === 0 ? null : imbalance(depth.bid, depth.ask);
      },
    }),
  },
  {
    name: 'trade_imbalance',
    summary:
      'trade-flow imbalance: (buyer − seller aggressor volume)/(their sum) over n bars; null without trades',
    params: [period('period', 1)],
    warmUp: ([n]) => n! - 1,
    create: ([n]) => {
      const bought = new RollingSum(n!);
      const sold = new RollingSum(n!);
      return {
        update: (bar) => {
          bought.push(bar.buyVolume);
          sold.push(bar.sellVolume);
          if (!bought.full) return null;
          const buy = bought.sum;
          const sell = sold.sum;
          return buy + sell > 0 ? imbalance(buy, sell) : null;
        },
      };
    },
  },
];

function mid(quote: Quote): number {
  return (quote.bidPrice + quote.askPrice) / 2;
}

function imbalance(bid: number, ask: number): number {
  return (bid - ask) / (bid + ask);
}

function withQuote<T>(quote: Quote | undefined, compute: (quote: Quote) => T): T | null {
  return quote === undefined ? null : compute(quote);
}
