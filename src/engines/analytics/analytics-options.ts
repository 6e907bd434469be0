import { z } from 'zod';
import { allMarketData } from '../../bus/index.ts';
import { checkedBy, type EngineOptions, integerOption, positiveOption } from '../engine-options.ts';

/**
 * The analytics engine's options (configuration keys `analyticsMarkVenue`, `analyticsPeriodMs`…;
 * docs/ANALYTICS.md, "The engine").
 */
export const ANALYTICS_OPTIONS = {
  markVenue: {
    schema: z
      .string()
      .min(1)
      .superRefine(checkedBy((venue: string) => allMarketData('trade', venue)))
      .default('SIM'),
    help: 'the venue whose trades mark positions to market (md.trade.<venue>.*)',
  },
  periodMs: {
    schema: integerOption(1, 7 * 86_400_000).default(60_000),
    help: 'length of a period of the equity curve, on the market clock, ms',
  },
  periodsPerYear: {
    schema: positiveOption().optional(),
    help: 'periods in a year, to annualize (default 365 days / periodMs: crypto trades every day)',
  },
  keepPeriods: {
    schema: integerOption(2, 10_000_000).default(10_000),
    help: 'equity points kept per account: the window of its statistics',
  },
  keepTrades: {
    schema: integerOption(1, 10_000_000).default(100_000),
    help: 'closed trades kept per account: the window of its trade statistics',
  },
  capital: {
    schema: positiveOption().default(10_000),
    help: 'notional capital returns are measured against, in the quote asset',
  },
  benchmarkSymbol: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_:-]+$/, 'must be a symbol (one topic segment)')
      .default('BTCUSDT'),
    help: 'the symbol (on the mark venue) whose returns are the benchmark of alpha and beta',
  },
} satisfies EngineOptions;
