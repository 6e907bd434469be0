import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatDecimal, fromFixedPoint, parseDecimal, toFixedPoint } from '../../src/wire/index.ts';
import { tickwireError as isCode } from './expect-error.ts';

const scale = fc.integer({ min: 0, max: 15 });

describe('parseDecimal / formatDecimal', () => {
  it('parses and formats the documented examples', () => {
    assert.equal(parseDecimal('67123.45000000', 2), 6712345);
    assert.equal(parseDecimal('67123.45', 8), 6712345000000);
    assert.equal(parseDecimal('0.00000001', 8), 1);
    assert.equal(parseDecimal('-0.05', 2), -5);
    assert.equal(parseDecimal('42', 0), 42);
    assert.equal(parseDecimal('007.10', 3), 7100);
    assert.equal(formatDecimal(1, 8), '0.00000001');
    assert.equal(formatDecimal(-5, 2), '-0.05');
    assert.equal(formatDecimal(6712345, 2), '67123.45');
    assert.equal(formatDecimal(100, 2), '1.00');
    assert.equal(formatDecimal(0, 3), '0.000');
    assert.equal(formatDecimal(-42, 0), '-42');
  });

  it('never returns negative zero', () => {
    assert.ok(Object.is(parseDecimal('-0.00', 2), 0));
    assert.ok(Object.is(parseDecimal('-0', 0), 0));
  });

  it('round-trips every safe mantissa at every scale', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), scale, (mantissa, s) => {
        const text = formatDecimal(mantissa, s);
        assert.match(text, s === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${s}}$`));
        assert.equal(parseDecimal(text, s), mantissa);
        // Extra decimals are fine when they are zeros.
        assert.equal(parseDecimal(s === 0 ? `${text}.000` : `${text}000`, s), mantissa);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a text with fewer decimals than the scale by scaling it up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -999_999, max: 999_999 }),
        fc.integer({ min: 0, max: 9 }),
        (mantissa, s) => {
          assert.equal(parseDecimal(formatDecimal(mantissa, s), s + 6), mantissa * 1_000_000);
        },
      ),
    );
  });

  it('refuses decimals the scale cannot hold with WIRE_PRECISION', () => {
    assert.throws(() => parseDecimal('0.123', 2), isCode('WIRE_PRECISION', '"0.123"'));
    assert.throws(() => parseDecimal('1.5', 0, 'price'), isCode('WIRE_PRECISION', 'price "1.5"'));
    assert.throws(() => parseDecimal('0.000000001', 8), isCode('WIRE_PRECISION'));
  });

  it('refuses mantissas beyond 2^53-1 with WIRE_OVERFLOW', () => {
    assert.equal(parseDecimal('9007199254740991', 0), Number.MAX_SAFE_INTEGER);
    assert.equal(parseDecimal('-90071992547409.91', 2), -Number.MAX_SAFE_INTEGER);
    assert.throws(() => parseDecimal('9007199254740992', 0), isCode('WIRE_OVERFLOW', '"9007199254740992"'));
    assert.throws(() => parseDecimal('90071992547409.92', 2), isCode('WIRE_OVERFLOW'));
    assert.throws(() => parseDecimal('1', 15 + 1), isCode('WIRE_OVERFLOW', 'scale'));
    assert.throws(() => parseDecimal('100', 15), isCode('WIRE_OVERFLOW'));
    assert.throws(() => parseDecimal('99999999999999999999999', 0), isCode('WIRE_OVERFLOW'));
  });

  it('refuses malformed text with WIRE_BAD_DECIMAL', () => {
    for (const text of [
      '',
      '-',
      '.',
      '1.',
      '.5',
      '1.2.3',
      'abc',
      '1e5',
      '+1',
      ' 1',
      '1 ',
      '--1',
      '0x10',
      '1,5',
      'NaN',
    ]) {
      assert.throws(() => parseDecimal(text, 2), isCode('WIRE_BAD_DECIMAL', JSON.stringify(text)), text);
    }
  });

  it('formatDecimal refuses what is not a safe integer', () => {
    assert.throws(() => formatDecimal(0.5, 2), isCode('WIRE_OVERFLOW', '0.5'));
    assert.throws(() => formatDecimal(2 ** 53, 2), isCode('WIRE_OVERFLOW'));
    assert.throws(() => formatDecimal(1, -1), isCode('WIRE_OVERFLOW'));
  });
});

describe('toFixedPoint / fromFixedPoint', () => {
  it('converts exactly representable doubles', () => {
    assert.equal(toFixedPoint(0.1, 1), 1);
    assert.equal(toFixedPoint(67123.45, 8), 6_712_345_000_000); // a BTC price with 8 decimals
    assert.equal(toFixedPoint(1e-8, 8), 1); // the smallest BTC size
    assert.equal(toFixedPoint(-0.05, 2), -5);
    assert.ok(Object.is(toFixedPoint(-0, 2), 0));
    assert.equal(fromFixedPoint(6_712_345_000_000, 8), 67123.45);
    assert.equal(fromFixedPoint(1, 8), 1e-8);
  });

  it('refuses doubles with more decimals than the scale with WIRE_PRECISION', () => {
    assert.throws(() => toFixedPoint(0.123, 2, 'price'), isCode('WIRE_PRECISION', 'price 0.123'));
    assert.throws(() => toFixedPoint(1.005, 2), isCode('WIRE_PRECISION'));
  });

  it('refuses non-finite values and mantissas beyond 2^53-1 with WIRE_OVERFLOW', () => {
    assert.throws(() => toFixedPoint(Number.NaN, 2), isCode('WIRE_OVERFLOW', 'NaN'));
    assert.throws(() => toFixedPoint(Number.POSITIVE_INFINITY, 2), isCode('WIRE_OVERFLOW'));
    assert.throws(() => toFixedPoint(1e10, 8), isCode('WIRE_OVERFLOW'));
    assert.throws(() => toFixedPoint(1, 16), isCode('WIRE_OVERFLOW'));
  });

  it('inverts fromFixedPoint for every mantissa of up to 15 significant digits', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }), scale, (mantissa, s) => {
        assert.equal(toFixedPoint(fromFixedPoint(mantissa, s), s), mantissa);
      }),
      { numRuns: 2000 },
    );
  });
});
