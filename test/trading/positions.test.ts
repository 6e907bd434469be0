import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Position, type TradeFill, units } from '../../src/trading/index.ts';

function fill(price: string, quantity: string, commission = '0', commissionAsset = 'USDT'): TradeFill {
  const p = units(price);
  const q = units(quantity);
  return {
    tradeId: 1,
    price: p,
    quantity: q,
    quote: (p * q) / 100_000_000n,
    commission: units(commission),
    commissionAsset,
    maker: false,
    time: 0,
  };
}

describe('trading: positions', () => {
  it('books realized P&L by average cost, fees included, long and short', () => {
    const position = new Position('BTC', 'USDT');
    position.apply('BUY', fill('100', '10'));
    position.apply('BUY', fill('110', '10'));
    assert.equal(position.averagePrice, units('105'));
    // Selling 5 at 120 realizes 5 × (120 - 105) = 75, less a 1 USDT fee.
    position.apply('SELL', fill('120', '5', '1'));
    assert.equal(position.realized, units('74'));
    assert.equal(position.baseQuantity, units('15'));
    assert.equal(position.unrealized(units('100')), units('-75'));
    // Selling 20 flips to a 5 short opened at 90; buying 5 back at 80 books 50.
    position.apply('SELL', fill('90', '20'));
    assert.equal(position.realized, units('74') + units('-225'));
    assert.equal(position.baseQuantity, units('-5'));
    assert.equal(position.averagePrice, units('90'));
    position.apply('BUY', fill('80', '5'));
    assert.equal(position.baseQuantity, 0n);
    assert.equal(position.realized, units('74') + units('-225') + units('50'));
    assert.equal(position.realized, position.cashFlow);
    // A commission in the base asset comes off the quantity received; a third asset is kept apart.
    position.apply('BUY', fill('100', '1', '0.001', 'BTC'));
    assert.equal(position.baseQuantity, units('0.999'));
    position.apply('SELL', fill('100', '0.5', '0.01', 'BNB'));
    assert.equal(position.otherFees.get('BNB'), units('0.01'));
  });

  it('keeps realized + unrealized equal to cash flow + quantity × mark over any fills (fast-check)', () => {
    const trade = fc.record({
      buy: fc.boolean(),
      price: fc.integer({ min: 1, max: 200_000 }),
      quantity: fc.integer({ min: 1, max: 1_000_000 }),
      fee: fc.integer({ min: 0, max: 1_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(trade, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 200_000 }),
        (trades, mark) => {
          const position = new Position('BTC', 'USDT');
          for (const t of trades) {
            const price = BigInt(t.price) * 1_000_000n; // cents
            const quantity = BigInt(t.quantity) * 1_000n;
            position.apply(t.buy ? 'BUY' : 'SELL', {
              tradeId: 0,
              price,
              quantity,
              quote: (price * quantity) / 100_000_000n,
              commission: BigInt(t.fee),
              commissionAsset: t.buy ? 'BTC' : 'USDT',
              maker: false,
              time: 0,
            });
          }
          const markUnits = BigInt(mark) * 1_000_000n;
          const total = position.realized + position.unrealized(markUnits);
          const expected = position.cashFlow + (markUnits * position.baseQuantity) / 100_000_000n;
          // Average-cost shares are rounded toward zero: at most one unit of 10^-8 per fill.
          const drift = total - expected;
          assert.ok(drift <= BigInt(trades.length) && drift >= -BigInt(trades.length), `drift ${drift}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
