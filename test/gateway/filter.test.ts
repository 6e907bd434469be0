import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import { ExactDecimal, MAX_FIELD_SCALE } from '../../src/gateway/decimal-compare.ts';
import {
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  compileFilter,
  FILTER_LIMITS,
  type FieldId,
  type FixedPointFields,
  matchesJson,
  matchesTick,
  TICK_FIELDS,
  TICK_NUMERIC_FIELDS,
  TICK_TEXT_FIELDS,
  type TickField,
  tickFieldId,
} from '../../src/gateway/filter.ts';

/** A tick as filters see it: numeric fields as [mantissa, scale], text fields as strings. */
class FakeTick implements FixedPointFields {
  constructor(
    readonly numeric: Partial<Record<TickField, readonly [mantissa: number, scale: number]>>,
    readonly texts: Partial<Record<TickField, string>> = {},
  ) {}
  mantissa(field: FieldId): number | undefined {
    return this.numeric[TICK_FIELDS[field]!]?.[0];
  }
  scale(field: FieldId): number {
    const entry = this.numeric[TICK_FIELDS[field]!];
    if (!entry) throw new Error(`scale() asked for ${TICK_FIELDS[field]} before mantissa() gave a number`);
    return entry[1];
  }
  text(field: FieldId): string | undefined {
    return this.texts[TICK_FIELDS[field]!];
  }
}

// --- An independent exact reference: decimals as BigInt fractions. ---

interface Fraction {
  numerator: bigint;
  /** A power of ten, always positive. */
  denominator: bigint;
}

/** A decimal string or what String(n) prints ('1.5e-7'), as an exact fraction. */
function fraction(text: string): Fraction {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, sign = '', integer = '', decimals = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - decimals.length;
  const digits = BigInt(`${sign}${integer}${decimals}`);
  return exponent >= 0
    ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n }
    : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

function compareFractions(a: Fraction, b: Fraction): number {
  const left = a.numerator * b.denominator;
  const right = b.numerator * a.denominator;
  return left < right ? -1 : left > right ? 1 : 0;
}

function fixedPoint(mantissa: number, scale: number): Fraction {
  return { numerator: BigInt(mantissa), denominator: 10n ** BigInt(scale) };
}

/** floor(value * 10^scale) by BigInt. */
function floorAtScale(value: Fraction, scale: number): bigint {
  const scaled = value.numerator * 10n ** BigInt(scale);
  const quotient = scaled / value.denominator;
  return scaled % value.denominator !== 0n && scaled < 0n ? quotient - 1n : quotient;
}

const REFERENCE_TESTS: Record<ComparisonOperator, (comparison: number) => boolean> = {
  eq: (c) => c === 0,
  neq: (c) => c !== 0,
  gt: (c) => c > 0,
  gte: (c) => c >= 0,
  lt: (c) => c < 0,
  lte: (c) => c <= 0,
};

const digits = (max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
/** Decimal strings, including leading zeros, trailing zeros, '-0' and values far past 2^53. */
const decimalText = fc
  .tuple(fc.boolean(), digits(22), fc.option(digits(20), { nil: undefined }))
  .map(
    ([negative, integer, decimals]) => `${negative ? '-' : ''}${integer}${decimals ? `.${decimals}` : ''}`,
  );
const safeMantissa = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const scale = fc.integer({ min: 0, max: MAX_FIELD_SCALE });
const clampSafe = (value: bigint) =>
  Number(
    value > BigInt(Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : value < BigInt(Number.MIN_SAFE_INTEGER)
        ? Number.MIN_SAFE_INTEGER
        : value,
  );

function expectBadFilter(json: unknown, message: string): void {
  assert.throws(
    () => compileFilter(json),
    (error) => isTickwireError(error, 'BAD_FILTER') && error.message === `BAD_FILTER: ${message}`,
    `expected BAD_FILTER: ${message}`,
  );
}

function nest(depth: number): unknown {
  let filter: unknown = { eq: ['a', 1] };
  for (let level = 1; level < depth; level++) filter = { not: filter };
  return filter;
}

describe('filter grammar and limits', () => {
  it('rejects malformed filters with BAD_FILTER naming the place', () => {
    expectBadFilter(null, 'filter: expected a filter object such as {"eq": [field, value]}, got null');
    expectBadFilter([], 'filter: expected a filter object such as {"eq": [field, value]}, got an array of 0');
    expectBadFilter({}, 'filter: expected exactly one operator key, got none');
    expectBadFilter(
      { eq: ['a', 1], gt: ['a', 0] },
      'filter: expected exactly one operator key, got "eq", "gt"',
    );
    expectBadFilter(
      { like: ['a', 'x'] },
      'filter: unknown operator "like" (expected one of eq, neq, gt, gte, lt, lte, in, nin, and, or, not)',
    );
    expectBadFilter({ and: [{ eq: ['a', 1] }, { gt: ['a'] }] }, 'filter.and[1].gt: expected [field, value]');
    expectBadFilter({ gt: ['a', 1, 2] }, 'filter.gt: expected [field, value]');
    expectBadFilter({ gt: 'a' }, 'filter.gt: expected [field, value]');
    expectBadFilter(
      { or: [{ eq: ['a..b', 1] }] },
      'filter.or[0].eq[0]: field "a..b" must be 1 to 4 dot-separated names of letters, digits and _ (at most 64 characters each)',
    );
    expectBadFilter(
      { eq: ['a.b.c.d.e', 1] },
      'filter.eq[0]: field "a.b.c.d.e" must be 1 to 4 dot-separated names of letters, digits and _ (at most 64 characters each)',
    );
    expectBadFilter(
      { eq: [7, 1] },
      'filter.eq[0]: field 7 must be 1 to 4 dot-separated names of letters, digits and _ (at most 64 characters each)',
    );
    expectBadFilter(
      { eq: ['a-b', 1] },
      'filter.eq[0]: field "a-b" must be 1 to 4 dot-separated names of letters, digits and _ (at most 64 characters each)',
    );
    expectBadFilter(
      { eq: ['a', null] },
      'filter.eq[1]: value must be a finite number, a string or a boolean, got null',
    );
    expectBadFilter(
      { eq: ['a', Number.NaN] },
      'filter.eq[1]: value must be a finite number, a string or a boolean, got NaN',
    );
    expectBadFilter(
      { eq: ['a', { x: 1 }] },
      'filter.eq[1]: value must be a finite number, a string or a boolean, got an object',
    );
    expectBadFilter({ gt: ['a', true] }, 'filter.gt[1]: a boolean compares only with eq, neq, in and nin');
    expectBadFilter({ in: ['a', 'x'] }, 'filter.in[1]: expected an array of at most 256 values, got "x"');
    expectBadFilter(
      { nin: ['a', [1, [2]]] },
      'filter.nin[1][1]: value must be a finite number, a string or a boolean, got an array of 1',
    );
    expectBadFilter({ and: [] }, 'filter.and: expected an array of 1 to 32 filters, got an array of 0');
    expectBadFilter({ or: {} }, 'filter.or: expected an array of 1 to 32 filters, got an object');
    expectBadFilter(
      { not: [] },
      'filter.not: expected a filter object such as {"eq": [field, value]}, got an array of 0',
    );
    expectBadFilter(
      { eq: ['a', 'x'.repeat(257)] },
      'filter.eq[1]: a string value has at most 256 characters, got 257',
    );
    expectBadFilter(
      JSON.parse('{"__proto__": ["a", 1]}'),
      'filter: unknown operator "__proto__" (expected one of eq, neq, gt, gte, lt, lte, in, nin, and, or, not)',
    );
  });

  it('accepts each limit exactly and rejects one past it', () => {
    assert.equal(compileFilter(nest(FILTER_LIMITS.maxDepth)).nodes, 8);
    expectBadFilter(nest(9), `filter${'.not'.repeat(8)}: filters nest at most 8 levels deep`);

    const leaves = (count: number) => Array.from({ length: count }, (_, i) => ({ eq: ['a', i] }));
    // An `or` of two `and`s of 31 leaves: 1 + 2 + 62 = 65 nodes; with 30 + 31 leaves it is 64.
    assert.equal(compileFilter({ or: [{ and: leaves(30) }, { and: leaves(31) }] }).nodes, 64);
    expectBadFilter(
      { or: [{ and: leaves(31) }, { and: leaves(31) }] },
      'filter.or[1].and[30]: a filter has at most 64 nodes',
    );

    assert.equal(compileFilter({ and: leaves(32) }).nodes, 33);
    expectBadFilter(
      { and: leaves(33) },
      'filter.and: expected an array of 1 to 32 filters, got an array of 33',
    );

    const values = (count: number) => Array.from({ length: count }, (_, i) => `v${i}`);
    assert.ok(matchesJson(compileFilter({ in: ['a', values(256)] }), { a: 'v255' }));
    expectBadFilter(
      { in: ['a', values(257)] },
      'filter.in[1]: expected an array of at most 256 values, got an array of 257',
    );
    const lists = (...counts: number[]) => ({ or: counts.map((count) => ({ in: ['a', values(count)] })) });
    assert.equal(compileFilter(lists(256, 256, 256, 256)).nodes, 5, '1024 list values in all');
    expectBadFilter(
      lists(256, 256, 256, 256, 1),
      'filter.or[4].in[1]: a filter has at most 1024 list values in all',
    );
    assert.ok(compileFilter({ eq: ['a.b.c.d', 'x'.repeat(256)] }));
    assert.ok(compileFilter({ eq: ['x'.repeat(64), 1] }));
    expectBadFilter(
      { eq: ['x'.repeat(65), 1] },
      `filter.eq[0]: field "${'x'.repeat(40)}…" must be 1 to 4 dot-separated names of letters, digits and _ (at most 64 characters each)`,
    );
  });

  it('resolves tick field names to the ids of TICK_FIELDS, numeric ones first', () => {
    assert.equal(TICK_FIELDS.length, TICK_NUMERIC_FIELDS.length + TICK_TEXT_FIELDS.length);
    for (const [id, name] of TICK_FIELDS.entries()) assert.equal(tickFieldId(name), id);
    assert.equal(tickFieldId('botId'), undefined);
    assert.equal(tickFieldId('data.price'), undefined);
  });
});

describe('filters on JSON payloads', () => {
  const match = (filter: unknown, payload: unknown) => matchesJson(compileFilter(filter), payload);

  it('evaluates the documented examples', () => {
    const bigTrades = { gt: ['price', '100000'] };
    assert.equal(match(bigTrades, { price: 100000.01 }), true);
    assert.equal(match(bigTrades, { price: 100000 }), false);
    assert.equal(
      match(bigTrades, { price: '100000.00000001' }),
      true,
      'a decimal string field compares numerically',
    );
    assert.equal(match(bigTrades, { price: '99999.99' }), false, 'not lexicographically ("9" > "1")');
    assert.equal(match({ eq: ['side', 'buy'] }, { side: 'buy' }), true);
    assert.equal(match({ eq: ['side', 'buy'] }, { side: 'sell' }), false);
    const twoBots = { in: ['botId', ['b1', 'b2']] };
    assert.equal(match(twoBots, { botId: 'b2' }), true);
    assert.equal(match(twoBots, { botId: 'b3' }), false);
    const nested = {
      and: [{ eq: ['data.status', 'filled'] }, { or: [{ lt: ['qty', 1] }, { not: { eq: ['x', true] } }] }],
    };
    assert.equal(match(nested, { data: { status: 'filled' }, qty: 5, x: false }), true);
    assert.equal(match(nested, { data: { status: 'filled' }, qty: 5, x: true }), false);
    assert.equal(match(nested, { data: { status: 'filled' }, qty: 0.5, x: true }), true);
    assert.equal(match(nested, { data: { status: 'open' }, qty: 0.5 }), false);
    const notSim = { and: [{ gte: ['size', '0.5'] }, { not: { eq: ['venue', 'SIM'] } }] };
    assert.equal(match(notSim, { size: '0.50000000', venue: 'BINANCE' }), true);
    assert.equal(match(notSim, { size: '0.5', venue: 'SIM' }), false);
    const existsAndDiffers = { and: [{ in: ['side', ['buy', 'sell']] }, { neq: ['side', 'buy'] }] };
    assert.equal(match(existsAndDiffers, { side: 'sell' }), true);
    assert.equal(match(existsAndDiffers, {}), false);
  });

  it('missing or incomparable fields: eq/gt/gte/lt/lte/in are false, neq/nin (and not) are true', () => {
    const missing = [
      {},
      { other: 1 },
      { price: null },
      { price: [1] },
      { price: { value: 1 } },
      { price: 'abc' },
      { price: true },
      { price: Number.NaN },
      { price: Number.POSITIVE_INFINITY },
      null,
      7,
      'price',
      new Uint8Array(64),
    ];
    for (const payload of missing) {
      for (const operator of ['eq', 'gt', 'gte', 'lt', 'lte'] as const) {
        assert.equal(
          match({ [operator]: ['price', 5] }, payload),
          false,
          `${operator} on ${JSON.stringify(payload)}`,
        );
      }
      assert.equal(match({ in: ['price', [5, 6]] }, payload), false);
      assert.equal(match({ neq: ['price', 5] }, payload), true);
      assert.equal(match({ nin: ['price', [5, 6]] }, payload), true);
      assert.equal(match({ not: { gt: ['price', 5] } }, payload), true);
    }
    assert.equal(match({ eq: ['name', 'x'] }, { name: 5 }), false, 'a text value never matches a number');
    assert.equal(match({ neq: ['name', 'x'] }, { name: 5 }), true);
    assert.equal(match({ eq: ['flag', true] }, { flag: 'true' }), false);
    assert.equal(match({ eq: ['flag', false] }, { flag: false }), true);
    assert.equal(match({ neq: ['flag', false] }, { flag: true }), true);
  });

  it('walks dotted paths through own properties of plain objects only', () => {
    assert.equal(match({ eq: ['a.b.c.d', 1] }, { a: { b: { c: { d: 1 } } } }), true);
    assert.equal(match({ eq: ['a.b', 1] }, { a: [{ b: 1 }] }), false, 'arrays are not descended');
    assert.equal(match({ eq: ['a.0', 1] }, { a: [1] }), false);
    assert.equal(match({ eq: ['a.b', 1] }, { a: 'b' }), false);
    assert.equal(match({ eq: ['constructor', 'x'] }, {}), false, 'inherited properties are missing');
    assert.equal(match({ neq: ['toString', 'x'] }, {}), true);
    assert.equal(match({ eq: ['__proto__.polluted', 1] }, {}), false);
    assert.equal(
      match({ eq: ['__proto__.a', 1] }, JSON.parse('{"__proto__": {"a": 1}}')),
      true,
      'an own key',
    );
  });

  it('numbers compare as the decimals they print as; decimal strings exactly; other strings by code units', () => {
    assert.equal(match({ eq: ['p', 0.1] }, { p: 0.1 }), true);
    assert.equal(match({ eq: ['p', '0.1'] }, { p: 0.1 }), true);
    assert.equal(match({ eq: ['p', '0.10'] }, { p: '0.1000' }), true);
    assert.equal(
      match({ gt: ['p', '0.3'] }, { p: 0.1 + 0.2 }),
      true,
      '0.1 + 0.2 prints as 0.30000000000000004',
    );
    assert.equal(match({ eq: ['p', '0.1000000000000000000001'] }, { p: 0.1 }), false);
    assert.equal(match({ lt: ['p', '0.1000000000000000000001'] }, { p: 0.1 }), true);
    assert.equal(match({ gt: ['p', '0.0999999999999999999999'] }, { p: 0.1 }), true);
    assert.equal(match({ eq: ['p', 1e21] }, { p: '1000000000000000000000' }), true);
    assert.equal(match({ eq: ['p', 1.5e-7] }, { p: '0.00000015' }), true);
    assert.equal(match({ eq: ['p', '-0'] }, { p: 0 }), true);
    assert.equal(match({ eq: ['p', 0] }, { p: -0 }), true);
    assert.equal(match({ eq: ['p', 0] }, { p: '-0.000' }), true);
    assert.equal(match({ lt: ['p', '-1.5'] }, { p: '-1.50001' }), true);
    assert.equal(match({ in: ['p', ['1.5', 2]] }, { p: '01.500' }), true);
    assert.equal(match({ in: ['p', ['1.5', 2]] }, { p: 2 }), true);
    assert.equal(match({ in: ['p', ['1.5', 2]] }, { p: '2.01' }), false);
    assert.equal(match({ eq: ['code', '007'] }, { code: '7.0' }), true, 'decimal strings are numeric');
    assert.equal(match({ eq: ['code', 'b7'] }, { code: 'b7' }), true);
    assert.equal(match({ lt: ['code', 'b9'] }, { code: 'b10' }), true, 'text compares by code units');
    assert.equal(match({ in: ['p', []] }, { p: 1 }), false, 'an empty in-list never passes');
    assert.equal(match({ nin: ['p', []] }, {}), true, 'an empty nin-list always passes');
    assert.equal(match({ eq: ['p', '1e5'] }, { p: 100000 }), false, "'1e5' is text, not a decimal string");
    assert.equal(match({ eq: ['p', '1e5'] }, { p: '1e5' }), true);
    assert.equal(match({ gt: ['symbol', 'M'] }, { symbol: 'NEARUSDT' }), true);
    assert.equal(match({ gt: ['symbol', 'M'] }, { symbol: 'BTCUSDT' }), false);
    assert.equal(match({ lt: ['symbol', 'b'] }, { symbol: 'a' }), true);
    assert.equal(match({ lt: ['symbol', 'b'] }, { symbol: 'B' }), true, 'upper case sorts first');
    assert.equal(match({ gte: ['symbol', 'M'] }, { symbol: 5 }), false);
  });

  it('a JSON number field matches the decimal its shortest form spells (property)', () => {
    fc.assert(
      fc.property(
        decimalText,
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), decimalText.map(Number)),
        fc.constantFrom(...COMPARISON_OPERATORS),
        (value, field, operator) => {
          const expected = REFERENCE_TESTS[operator](
            compareFractions(fraction(String(field)), fraction(value)),
          );
          assert.equal(match({ [operator]: ['p', value] }, { p: field }), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a decimal string field compares exactly with a decimal value (property)', () => {
    fc.assert(
      fc.property(
        decimalText,
        decimalText,
        fc.constantFrom(...COMPARISON_OPERATORS),
        (value, field, operator) => {
          const expected = REFERENCE_TESTS[operator](compareFractions(fraction(field), fraction(value)));
          assert.equal(match({ [operator]: ['p', value] }, { p: field }), expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('filters on fixed-point ticks', () => {
  const trade = (price: number, priceScale: number, side = 'buy') =>
    new FakeTick(
      { price: [price, priceScale], size: [150, 3], seq: [42, 0] },
      { side, symbol: 'BTCUSDT', venue: 'binance', type: 'trade' },
    );
  const match = (filter: unknown, tick: FixedPointFields) => matchesTick(compileFilter(filter), tick);

  it('compares numeric fields exactly at their scale', () => {
    const tick = trade(10000000000, 5); // 100000.00000
    assert.equal(match({ gt: ['price', '100000'] }, tick), false);
    assert.equal(match({ gte: ['price', 100000] }, tick), true);
    assert.equal(match({ eq: ['price', '100000.000000000000'] }, tick), true);
    assert.equal(
      match({ lt: ['price', '100000.000001'] }, tick),
      true,
      'a value with more decimals than the scale',
    );
    assert.equal(match({ lte: ['price', '99999.999999'] }, tick), false);
    assert.equal(match({ eq: ['price', '100000.000001'] }, tick), false);
    assert.equal(match({ eq: ['price', 0.1] }, trade(1, 1)), true, '0.1 is exactly one tenth');
    assert.equal(match({ eq: ['size', '0.15'] }, tick), true);
    assert.equal(match({ eq: ['seq', 42] }, tick), true);
    assert.equal(match({ in: ['price', ['99999.5', '100000.0', 3]] }, tick), true);
    assert.equal(match({ in: ['price', ['100000.000001']] }, tick), false);
    assert.equal(match({ nin: ['price', [100000]] }, tick), false);
    assert.equal(match({ lt: ['price', '-0.00000000000000000001'] }, trade(0, 2)), false);
    assert.equal(match({ gt: ['price', '-0.00000000000000000001'] }, trade(0, 2)), true);
    assert.equal(match({ gt: ['price', '-12.345'] }, trade(-1234, 2)), true, '-12.34 > -12.345');
    assert.equal(match({ lt: ['price', '-12.335'] }, trade(-1234, 2)), true, '-12.34 < -12.335');
    assert.equal(match({ gt: ['price', '-12.335'] }, trade(-1234, 2)), false);
  });

  it('values beyond the safe-integer range at a scale are above or below every mantissa', () => {
    const top = trade(Number.MAX_SAFE_INTEGER, 0);
    const bottom = trade(Number.MIN_SAFE_INTEGER, 0);
    for (const huge of ['9007199254740992', '9007199254740993.5', `1${'0'.repeat(40)}`, 1e300]) {
      assert.equal(match({ lt: ['price', huge] }, top), true, `${huge}`);
      assert.equal(match({ lte: ['price', huge] }, top), true);
      assert.equal(match({ gt: ['price', huge] }, top), false);
      assert.equal(match({ gte: ['price', huge] }, top), false);
      assert.equal(match({ eq: ['price', huge] }, top), false);
      assert.equal(match({ in: ['price', [huge]] }, top), false);
      const negative = typeof huge === 'number' ? -huge : `-${huge}`;
      assert.equal(match({ gt: ['price', negative] }, bottom), true);
      assert.equal(match({ gte: ['price', negative] }, bottom), true);
      assert.equal(match({ lt: ['price', negative] }, bottom), false);
      assert.equal(match({ lte: ['price', negative] }, bottom), false);
      assert.equal(match({ eq: ['price', negative] }, bottom), false);
    }
    // 1 at scale 15 is 10^15 (safe); 10 000 at scale 15 is 10^19 (not): above every mantissa there.
    assert.equal(match({ lt: ['price', 10000] }, trade(Number.MAX_SAFE_INTEGER, 15)), true);
    assert.equal(match({ gt: ['price', 10000] }, trade(Number.MAX_SAFE_INTEGER, 14)), false);
    assert.equal(match({ gt: ['price', 9] }, trade(Number.MAX_SAFE_INTEGER, 14)), true);
    assert.equal(match({ eq: ['price', '9007199254740991'] }, top), true, 'the largest safe mantissa itself');
  });

  it('every operator agrees with exact rational comparison (property)', () => {
    fc.assert(
      fc.property(
        decimalText,
        safeMantissa,
        scale,
        fc.integer({ min: -2, max: 2 }),
        (value, random, s, delta) => {
          const exact = fraction(value);
          // Random mantissas rarely land on the threshold, so also try the ones right around it.
          const near = clampSafe(floorAtScale(exact, s) + BigInt(delta));
          for (const mantissa of [random, near]) {
            const comparison = compareFractions(fixedPoint(mantissa, s), exact);
            assert.equal(ExactDecimal.fromText(value)!.compareMantissa(mantissa, s), comparison);
            for (const operator of COMPARISON_OPERATORS) {
              assert.equal(
                match({ [operator]: ['price', value] }, trade(mantissa, s)),
                REFERENCE_TESTS[operator](comparison),
                `${mantissa}e-${s} ${operator} ${value}`,
              );
            }
            const isMinusOne = compareFractions(fixedPoint(mantissa, s), fraction('-1')) === 0;
            assert.equal(
              match({ in: ['price', ['-1', value]] }, trade(mantissa, s)),
              comparison === 0 || isMinusOne,
            );
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('number values in the filter compare as the decimal they print as (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        safeMantissa,
        scale,
        (value, random, s) => {
          const exact = fraction(String(value));
          const near = clampSafe(floorAtScale(exact, s));
          for (const mantissa of [random, near, near + 1]) {
            const comparison = compareFractions(fixedPoint(mantissa, s), exact);
            assert.equal(match({ gte: ['price', value] }, trade(mantissa, s)), comparison >= 0);
            assert.equal(match({ eq: ['price', value] }, trade(mantissa, s)), comparison === 0);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('text fields compare like JSON strings; fields ticks lack behave as missing', () => {
    const tick = trade(6712345, 2, 'sell');
    assert.equal(match({ eq: ['side', 'sell'] }, tick), true);
    assert.equal(match({ in: ['side', ['buy', 'none']] }, tick), false);
    assert.equal(match({ eq: ['symbol', 'BTCUSDT'] }, tick), true);
    assert.equal(match({ and: [{ eq: ['type', 'trade'] }, { gt: ['price', '67000'] }] }, tick), true);

    const quote = new FakeTick({ bidPrice: [100, 0] }, { type: 'quote' });
    for (const [filter, expected] of [
      [{ gt: ['price', 0] }, false], // a quote has no price
      [{ neq: ['price', 0] }, true],
      [{ eq: ['side', 'buy'] }, false], // nor a side
      [{ nin: ['side', ['buy']] }, true],
      [{ eq: ['botId', 'b1'] }, false], // valid for JSON, unknown for ticks
      [{ neq: ['botId', 'b1'] }, true],
      [{ eq: ['data.price', 100] }, false],
      [{ eq: ['bidPrice', 'abc'] }, false], // text against a numeric field
      [{ neq: ['bidPrice', 'abc'] }, true],
      [{ eq: ['type', true] }, false], // ticks have no booleans
      [{ eq: ['bidPrice', 100] }, true],
    ] as const) {
      assert.equal(match(filter, quote), expected, JSON.stringify(filter));
    }
  });

  it('a scale outside 0..15 reads as missing', () => {
    for (const badScale of [16, -1, 1.5]) {
      const tick = trade(1, badScale);
      assert.equal(match({ gte: ['price', 0] }, tick), false);
      assert.equal(match({ lte: ['price', 0] }, tick), false);
      assert.equal(match({ in: ['price', [1, 0.1]] }, tick), false);
      assert.equal(match({ neq: ['price', 0] }, tick), true);
    }
  });
});

describe('in/nin/neq are consistent with eq (property)', () => {
  const scalar = fc.oneof(
    decimalText,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom('buy', 'sell', 'b1', '1e5', ''),
    fc.boolean(),
  );
  const fieldValue = fc.oneof(scalar, fc.constantFrom(undefined, null, Number.NaN));

  it('on JSON and on ticks', () => {
    fc.assert(
      fc.property(
        fc.array(scalar, { maxLength: 6 }),
        fieldValue,
        safeMantissa,
        scale,
        (values, field, m, s) => {
          const payload = field === undefined ? {} : { p: field, price: field };
          const tick = new FakeTick({ price: [m, s] }, { side: typeof field === 'string' ? field : 'none' });
          for (const name of ['p', 'price', 'side']) {
            const inList = compileFilter({ in: [name, values] });
            const ninList = compileFilter({ nin: [name, values] });
            const expectedJson = values.some((v) => matchesJson(compileFilter({ eq: [name, v] }), payload));
            const expectedTick = values.some((v) => matchesTick(compileFilter({ eq: [name, v] }), tick));
            assert.equal(matchesJson(inList, payload), expectedJson, `${name} in ${JSON.stringify(values)}`);
            assert.equal(matchesJson(ninList, payload), !expectedJson);
            assert.equal(matchesTick(inList, tick), expectedTick);
            assert.equal(matchesTick(ninList, tick), !expectedTick);
            for (const v of values) {
              const eq = compileFilter({ eq: [name, v] });
              const neq = compileFilter({ neq: [name, v] });
              assert.equal(matchesJson(neq, payload), !matchesJson(eq, payload));
              assert.equal(matchesTick(neq, tick), !matchesTick(eq, tick));
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
