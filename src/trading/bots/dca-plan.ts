import { ceilTo, floorTo, type SymbolRules } from '../market-reference.ts';
import type { DcaConfig } from './dca-config.ts';

/** Percentages are applied in millionths of a percent, so the arithmetic stays in integers. */
const PPM = 100_000_000n;
const ppm = (percent: number): bigint => BigInt(Math.round(percent * 1_000_000));

/** `price` moved `percent` against (-1) or toward (+1) a long position. */
function shifted(price: bigint, percent: number, direction: 1 | -1): bigint {
  return (price * (PPM + BigInt(direction) * ppm(percent))) / PPM;
}

export interface SafetyLevel {
  /** 1 for the first safety order. */
  index: number;
  price: bigint;
  quantity: bigint;
  /** Cumulative deviation from the entry, percent. */
  deviationPercent: number;
}

/**
 * The safety orders of a cycle whose base order filled at `entry`: each deeper than the last by
 * priceDeviation × stepScale^(k-1) percent, each volumeScale times the size of the one before.
 * Buy prices round down to the tick, sell prices up (never worse than planned); quantities round
 * down to the lot step. Levels that would price at or below 0 or round to nothing are left out.
 */
export function safetyLevels(config: DcaConfig, entry: bigint, rules: SymbolRules): SafetyLevel[] {
  const long = config.side === 'BUY';
  const levels: SafetyLevel[] = [];
  let deviation = 0;
  let step = config.priceDeviationPercent;
  let size = Number(config.safetyOrderQuantity);
  for (let index = 1; index <= config.maxSafetyOrders; index++) {
    deviation += step;
    step *= config.stepScale;
    const raw = shifted(entry, deviation, long ? -1 : 1);
    const price = long ? floorTo(raw, rules.tickSize) : ceilTo(raw, rules.tickSize);
    const quantity = floorTo(BigInt(Math.round(size * 1e8)), rules.stepSize);
    size *= config.volumeScale;
    if (deviation >= 100 && long) break;
    if (price <= 0n || quantity < rules.minQuantity || quantity === 0n) break;
    levels.push({ index, price, quantity, deviationPercent: deviation });
  }
  return levels;
}

/** The take profit's price for an average entry: beyond it by takeProfitPercent, rounded outward. */
export function takeProfitPrice(config: DcaConfig, average: bigint, rules: SymbolRules): bigint {
  const long = config.side === 'BUY';
  const raw = shifted(average, config.takeProfitPercent, long ? 1 : -1);
  return long ? ceilTo(raw, rules.tickSize) : floorTo(raw, rules.tickSize);
}

/** True when `mark` has crossed the stop loss below (long) or above (short) the average entry. */
export function stopLossHit(config: DcaConfig, average: bigint, mark: bigint): boolean {
  if (config.stopLossPercent === undefined || average === 0n) return false;
  const long = config.side === 'BUY';
  const stop = shifted(average, config.stopLossPercent, long ? -1 : 1);
  return long ? mark <= stop : mark >= stop;
}
