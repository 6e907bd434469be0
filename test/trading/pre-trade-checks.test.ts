import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreTradeChecks, PreTradeError, units } from '../../src/trading/index.ts';

const checks = () =>
  new PreTradeChecks({
    maxOrderQuantity: units('2'),
    maxOrderNotional: units('1000'),
    priceCollarPercent: 5,
    maxOpenOrders: 3,
    ordersPerSecond: 4,
  });
const LAST = units('100');
const order = (quantity: string, price?: string) => ({
  type: price === undefined ? ('MARKET' as const) : ('LIMIT' as const),
  quantity: units(quantity),
  price: price === undefined ? undefined : units(price),
});

/** The code a check throws, or 'passed'. */
function outcome(run: () => void): string {
  try {
    run();
    return 'passed';
  } catch (error) {
    assert.ok(error instanceof PreTradeError);
    return error.code;
  }
}

describe('trading: pre-trade checks', () => {
  it('refuses each limit with its code, at the boundary', () => {
    const c = checks();
    assert.equal(
      outcome(() => c.check('a', order('2.00000001'), LAST, 0)),
      'MAX_ORDER_QUANTITY',
    );
    assert.equal(
      outcome(() => c.check('b', order('2', '105'), LAST, 0)),
      'passed',
    ); // 210 ≤ 1000, 5% exactly
    assert.equal(
      outcome(() => c.check('c', order('1', '105.01'), LAST, 0)),
      'PRICE_COLLAR',
    );
    assert.equal(
      outcome(() => c.check('d', order('1', '94.99'), LAST, 0)),
      'PRICE_COLLAR',
    );
    assert.equal(
      outcome(() => c.check('e', order('1'), undefined, 0)),
      'NO_REFERENCE_PRICE',
    );
    const big = new PreTradeChecks({ ...c.limits, maxOrderQuantity: units('100') });
    assert.equal(
      outcome(() => big.check('f', order('10'), LAST, 0)),
      'passed',
    ); // 1000 exactly
    assert.equal(
      outcome(() => big.check('g', order('10.00000001'), LAST, 0)),
      'MAX_ORDER_NOTIONAL',
    );
    assert.equal(
      outcome(() => c.check('h', order('1'), LAST, 3)),
      'MAX_OPEN_ORDERS',
    );
  });

  it('limits the order rate per account', () => {
    const c = checks();
    const codes = Array.from({ length: 6 }, () => outcome(() => c.check('a', order('1'), LAST, 0)));
    assert.deepEqual(codes, ['passed', 'passed', 'passed', 'passed', 'ORDER_RATE', 'ORDER_RATE']);
    assert.equal(
      outcome(() => c.check('b', order('1'), LAST, 0)),
      'passed',
    );
  });

  it('refuses everything under a kill switch, per account or global', () => {
    const c = checks();
    c.setKillSwitch('a', true);
    assert.equal(
      outcome(() => c.check('a', order('1'), LAST, 0)),
      'KILL_SWITCH',
    );
    assert.equal(
      outcome(() => c.check('b', order('1'), LAST, 0)),
      'passed',
    );
    c.setKillSwitch(undefined, true);
    assert.equal(
      outcome(() => c.check('b', order('1'), LAST, 0)),
      'KILL_SWITCH',
    );
    c.setKillSwitch(undefined, false);
    c.setKillSwitch('a', false);
    assert.equal(
      outcome(() => c.check('a', order('1'), LAST, 0)),
      'passed',
    );
    assert.deepEqual(c.killSwitch(), { global: false, accounts: [] });
  });
});
