import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decimal,
  dcaConfigSchema,
  safetyLevels,
  stopLossHit,
  type SymbolRules,
  takeProfitPrice,
  units,
} from '../../src/trading/index.ts';

const RULES: SymbolRules = {
  symbol: 'BTCUSDT',
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  tickSize: units('0.01'),
  stepSize: units('0.00001'),
  minQuantity: units('0.00001'),
  minNotional: units('5'),
};

describe('trading: the DCA plan', () => {
  it('places safety orders at cumulative, step-scaled deviations with volume-scaled sizes', () => {
    const config = dcaConfigSchema.parse({
      symbol: 'BTCUSDT',
      baseOrderQuantity: '0.001',
      safetyOrderQuantity: '0.002',
      maxSafetyOrders: 4,
      priceDeviationPercent: 1,
      stepScale: 2,
      volumeScale: 1.5,
    });
    const levels = safetyLevels(config, units('100000'), RULES);
    // Deviations 1, 1+2, 1+2+4, 1+2+4+8 percent; sizes 0.002 × 1.5^k.
    assert.deepEqual(
      levels.map((level) => [level.deviationPercent, decimal(level.price), decimal(level.quantity)]),
      [
        [1, '99000.00000000', '0.00200000'],
        [3, '97000.00000000', '0.00300000'],
        [7, '93000.00000000', '0.00450000'],
        [15, '85000.00000000', '0.00675000'],
      ],
    );
  });

  it('rounds buy prices down and sell prices up to the tick, quantities down to the step', () => {
    const long = dcaConfigSchema.parse({
      symbol: 'BTCUSDT',
      baseOrderQuantity: '0.001',
      safetyOrderQuantity: '0.0012345',
      maxSafetyOrders: 1,
      priceDeviationPercent: 0.333,
    });
    const [level] = safetyLevels(long, units('123.45'), RULES);
    // 123.45 × (1 − 0.00333) = 123.0389… → 123.03; 0.0012345 → 0.00123.
    assert.equal(decimal(level!.price), '123.03000000');
    assert.equal(decimal(level!.quantity), '0.00123000');
    assert.equal(decimal(takeProfitPrice(long, units('123.45'), RULES)), '124.69000000'); // 124.68450 up
    const short = dcaConfigSchema.parse({ ...long, side: 'SELL' });
    assert.equal(decimal(safetyLevels(short, units('123.45'), RULES)[0]!.price), '123.87000000'); // 123.86108… up
    assert.equal(decimal(takeProfitPrice(short, units('123.45'), RULES)), '122.21000000'); // 122.2155 down
  });

  it('leaves out levels that would price at or below zero', () => {
    const config = dcaConfigSchema.parse({
      symbol: 'BTCUSDT',
      baseOrderQuantity: '1',
      safetyOrderQuantity: '1',
      maxSafetyOrders: 10,
      priceDeviationPercent: 30,
    });
    assert.equal(safetyLevels(config, units('100'), RULES).length, 3); // 30, 60, 90 %
  });

  it('triggers the stop loss beyond the average entry only', () => {
    const config = dcaConfigSchema.parse({
      symbol: 'BTCUSDT',
      baseOrderQuantity: '1',
      safetyOrderQuantity: '1',
      stopLossPercent: 10,
    });
    assert.equal(stopLossHit(config, units('100'), units('90.01')), false);
    assert.equal(stopLossHit(config, units('100'), units('90')), true);
    const short = dcaConfigSchema.parse({ ...config, side: 'SELL' });
    assert.equal(stopLossHit(short, units('100'), units('110')), true);
    assert.equal(stopLossHit(short, units('100'), units('109.99')), false);
    const none = dcaConfigSchema.parse({ ...config, stopLossPercent: undefined });
    assert.equal(stopLossHit(none, units('100'), units('1')), false);
  });

  it('refuses a config with clear messages', () => {
    const result = dcaConfigSchema.safeParse({
      symbol: 'btc',
      baseOrderQuantity: '0',
      safetyOrderQuantity: 'x',
      extra: 1,
    });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.') || issue.code);
    for (const expected of ['symbol', 'baseOrderQuantity', 'safetyOrderQuantity', 'unrecognized_keys'])
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(', ')}`);
  });
});
