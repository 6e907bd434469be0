import { z } from 'zod';
import { positiveDecimal, symbolName } from '../schemas.ts';

const percent = (max: number) =>
  z.number({ error: 'must be a number' }).gt(0, 'must be above 0').max(max, `must be at most ${max}`);
const scale = z
  .number({ error: 'must be a number' })
  .min(0.1, 'must be at least 0.1')
  .max(10, 'must be at most 10');

/**
 * A DCA / martingale bot (3Commas' deal settings): a base order at market, then up to
 * `maxSafetyOrders` limit orders as the price moves against it, the k-th at a cumulative
 * deviation of priceDeviation × (1 + stepScale + … + stepScale^(k-1)) percent and of size
 * safetyOrderQuantity × volumeScale^(k-1); a take profit `takeProfitPercent` beyond the average
 * entry; an optional stop loss `stopLossPercent` beyond it; then, after `cooldownMs`, the next
 * cycle. `side` BUY buys to enter and sells to exit (long); SELL the reverse. Quantities are in the
 * base asset.
 */
export const dcaConfigSchema = z
  .object({
    symbol: symbolName,
    side: z.enum(['BUY', 'SELL']).default('BUY'),
    baseOrderQuantity: positiveDecimal,
    safetyOrderQuantity: positiveDecimal,
    maxSafetyOrders: z.number().int().min(0).max(25).default(5),
    priceDeviationPercent: percent(50).default(1),
    stepScale: scale.default(1),
    volumeScale: scale.default(1),
    takeProfitPercent: percent(100).default(1),
    stopLossPercent: percent(99).optional(),
    cooldownMs: z.number().int().min(0).max(86_400_000).default(0),
    /** Stop after this many cycles (default: run until stopped). */
    maxCycles: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();

export type DcaConfig = z.output<typeof dcaConfigSchema>;
export type DcaConfigInput = z.input<typeof dcaConfigSchema>;
