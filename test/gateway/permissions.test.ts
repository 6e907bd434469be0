import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Pattern, parsePattern, topicMatches } from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';
import {
  accountPatterns,
  accountPrincipal,
  anonymousPrincipal,
  canManage,
  canSubscribe,
  DEFAULT_ANONYMOUS_TOPICS,
  patternCovers,
} from '../../src/gateway/permissions.ts';

const p = (text: string): Pattern => parsePattern(text);
const covers = (allowed: string, requested: string): boolean => patternCovers(p(allowed), p(requested));

describe('patternCovers', () => {
  const cases: [allowed: string, requested: string, expected: boolean][] = [
    ['md.>', 'md.trade.SIM.*', true],
    ['md.>', 'md.trade.SIM.BTCUSDT', true],
    ['md.>', 'md.>', true],
    ['md.>', 'md.trade.>', true],
    ['md.>', 'md', false], // `>` needs at least one more segment
    ['md.>', '>', false],
    ['md.>', '*.trade.SIM.BTCUSDT', false],
    ['orders.acc1', 'orders.acc1', true],
    ['orders.acc1', 'orders.*', false],
    ['orders.acc1', 'orders.>', false],
    ['orders.acc1', 'orders.acc2', false],
    ['orders.acc1', 'orders.acc1.x', false],
    ['bots.acc1.>', 'bots.acc1.b7', true],
    ['bots.acc1.>', 'bots.acc1.*', true],
    ['bots.acc1.>', 'bots.acc1.>', true],
    ['bots.acc1.>', 'bots.acc1', false],
    ['bots.acc1.>', 'bots.*.b7', false],
    ['bots.acc1.>', 'bots.>', false],
    ['md.*.>', 'md.trade.>', true],
    ['md.trade.*', 'md.trade.>', false], // a requested `>` needs an allowed `>` at the same or an earlier position
    ['md.*.*.>', 'md.trade.>', false],
    ['*', 'orders', true],
    ['*', '*', true],
    ['*', '>', false],
    ['orders', '*', false],
    ['>', '>', true],
    ['>', 'a.b.*.>', true],
    ['a.*', 'a.*.b', false],
  ];
  for (const [allowed, requested, expected] of cases) {
    it(`${allowed} ${expected ? 'covers' : 'does not cover'} ${requested}`, () => {
      assert.equal(covers(allowed, requested), expected);
    });
  }
});

// Brute force over a tiny alphabet. Patterns use the literals a and b; topics use a, b and c, so a
// literal in the allowed pattern can always be told apart from a `*` in the request by a topic
// with c there, and topics run one segment longer than patterns, so a `>` can always be told
// apart from a fixed length. With that, "covers" and "every matched topic is matched" must agree
// exactly, in both directions.
const PATTERN_LITERALS = ['a', 'b'];
const TOPIC_LITERALS = ['a', 'b', 'c'];

function allTopics(maxSegments: number): string[] {
  const result: string[] = [];
  let layer = [''];
  for (let length = 1; length <= maxSegments; length++) {
    layer = layer.flatMap((prefix) =>
      TOPIC_LITERALS.map((segment) => (prefix === '' ? segment : `${prefix}.${segment}`)),
    );
    result.push(...layer);
  }
  return result;
}

function allPatterns(maxSegments: number): Pattern[] {
  const result: Pattern[] = [];
  let open = [''];
  for (let length = 1; length <= maxSegments; length++) {
    const next: string[] = [];
    for (const prefix of open) {
      for (const element of [...PATTERN_LITERALS, '*', '>']) {
        const pattern = prefix === '' ? element : `${prefix}.${element}`;
        result.push(p(pattern));
        if (element !== '>') next.push(pattern);
      }
    }
    open = next;
  }
  return result;
}

/** What patternCovers should answer, by definition, within `universe`. */
function coversByBruteForce(allowed: string, requested: string, universe: readonly string[]): boolean {
  return universe.every((topic) => !topicMatches(requested, topic) || topicMatches(allowed, topic));
}

const patternArbitrary = (maxSegments: number): fc.Arbitrary<Pattern> =>
  fc
    .tuple(
      fc.array(fc.constantFrom(...PATTERN_LITERALS, '*'), { minLength: 0, maxLength: maxSegments - 1 }),
      fc.constantFrom(...PATTERN_LITERALS, '*', '>'),
    )
    .map(([head, last]) => p([...head, last].join('.')));

/** A request derived from `allowed` by narrowing it, so that the "covers" side gets exercised too. */
const narrowedArbitrary = (allowed: Pattern): fc.Arbitrary<Pattern> =>
  fc
    .array(fc.constantFrom(...PATTERN_LITERALS, '*', '>'), {
      minLength: allowed.split('.').length + 1,
      maxLength: allowed.split('.').length + 1,
    })
    .map((choices) => {
      const out: string[] = [];
      for (const [i, element] of allowed.split('.').entries()) {
        const choice = choices[i]!;
        if (element === '*') out.push(choice === '>' ? '*' : choice);
        else if (element === '>') {
          // Replace the tail wildcard by one or two narrower elements, or keep it.
          if (choice === '>') out.push('>');
          else out.push(choice, choices[i + 1] === '>' ? '>' : choices[i + 1]!);
        } else out.push(element);
      }
      return p(out.join('.'));
    });

describe('patternCovers agrees with brute force', () => {
  it('exhaustively for every pair of patterns of up to 3 segments', () => {
    const patterns = allPatterns(3);
    const universe = allTopics(4);
    assert.equal(patterns.length, 4 + 12 + 36);
    let covered = 0;
    for (const allowed of patterns) {
      for (const requested of patterns) {
        const expected = coversByBruteForce(allowed, requested, universe);
        assert.equal(patternCovers(allowed, requested), expected, `${allowed} covers ${requested}?`);
        if (expected) covered++;
      }
    }
    // Both answers must be well represented, or the check above proves little.
    assert.ok(covered > 100 && covered < patterns.length ** 2 - 100, `covered pairs: ${covered}`);
  });

  const universe = allTopics(6);

  it('on random pairs of patterns of up to 5 segments (fast-check)', () => {
    fc.assert(
      fc.property(patternArbitrary(5), patternArbitrary(5), (allowed, requested) => {
        assert.equal(patternCovers(allowed, requested), coversByBruteForce(allowed, requested, universe));
      }),
      { numRuns: 300 },
    );
  });

  it('on requests narrowed from the allowed pattern, which it must cover (fast-check)', () => {
    fc.assert(
      fc.property(
        patternArbitrary(4).chain((allowed) => fc.tuple(fc.constant(allowed), narrowedArbitrary(allowed))),
        ([allowed, requested]) => {
          assert.ok(coversByBruteForce(allowed, requested, universe), `${allowed} / ${requested}`);
          assert.equal(patternCovers(allowed, requested), true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is reflexive and transitive, and agrees with topicMatches for plain topics', () => {
    fc.assert(
      fc.property(
        patternArbitrary(4),
        patternArbitrary(4),
        patternArbitrary(4),
        fc.constantFrom(...allTopics(5)),
        (a, b, c, topic) => {
          assert.ok(patternCovers(a, a));
          if (patternCovers(a, b) && patternCovers(b, c)) assert.ok(patternCovers(a, c));
          assert.equal(patternCovers(a, p(topic)), topicMatches(a, topic));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('canSubscribe', () => {
  const acc1 = accountPrincipal('acc1', 'api-key', false, []);

  it('lets an account read market data and its own private topics', () => {
    for (const request of [
      'md.trade.SIM.BTCUSDT',
      'md.>',
      'md.*.SIM.*',
      'bars.SIM.BTCUSDT.1m',
      'features.SIM.*.rsi-14',
      'orders.acc1',
      'fills.acc1',
      'bots.acc1.b7',
      'bots.acc1.*',
      'bots.acc1.>',
      'analytics.acc1',
    ]) {
      assert.equal(canSubscribe(acc1, p(request)), true, request);
    }
  });

  it("refuses other accounts' topics and wildcards that would include them", () => {
    for (const request of [
      'orders.acc2',
      'orders.*',
      'orders.>',
      'fills.*',
      '*.acc1',
      'bots.acc2.b1',
      'bots.*.b7',
      'bots.>',
      'monitor.hardware',
      'alerts.*',
      '>',
    ]) {
      assert.equal(canSubscribe(acc1, p(request)), false, request);
    }
  });

  it('adds the patterns granted by a key or token', () => {
    const monitor = accountPrincipal('acc1', 'jwt', false, [p('monitor.*'), p('orders.desk-7')]);
    assert.equal(canSubscribe(monitor, p('monitor.cpu')), true);
    assert.equal(canSubscribe(monitor, p('monitor.*')), true);
    assert.equal(canSubscribe(monitor, p('orders.desk-7')), true);
    assert.equal(canSubscribe(monitor, p('monitor.>')), false);
    assert.equal(canSubscribe(monitor, p('orders.*')), false);
  });

  it('lets an admin subscribe to anything and manage; nobody else manages', () => {
    const admin = accountPrincipal('ops', 'api-key', true, []);
    for (const request of ['>', 'orders.*', 'fills.acc9', 'monitor.>', 'bots.*.b1']) {
      assert.equal(canSubscribe(admin, p(request)), true, request);
    }
    assert.equal(canManage(admin), true);
    assert.equal(canManage(acc1), false);
    assert.equal(canManage(anonymousPrincipal(DEFAULT_ANONYMOUS_TOPICS)), false);
  });

  it('gives anonymous connections public market data only by default', () => {
    const anonymous = anonymousPrincipal(DEFAULT_ANONYMOUS_TOPICS);
    assert.deepEqual(anonymous.allow, ['md.>', 'bars.>', 'features.>']);
    assert.equal(canSubscribe(anonymous, p('md.quote.SIM.ETHUSDT')), true);
    assert.equal(canSubscribe(anonymous, p('orders.acc1')), false);
    assert.equal(canSubscribe(anonymous, p('monitor.hardware')), false);
    assert.equal(canSubscribe(anonymousPrincipal([]), p('md.trade.SIM.BTCUSDT')), false);
  });

  it('builds frozen principals so no caller can widen them', () => {
    const principal = accountPrincipal('acc1', 'jwt', false, [p('md.>')]);
    assert.ok(Object.isFrozen(principal) && Object.isFrozen(principal.allow));
    assert.deepEqual(principal.allow, [
      'md.>',
      'bars.>',
      'features.>',
      'orders.acc1',
      'fills.acc1',
      'bots.acc1.>',
      'analytics.acc1',
    ]);
    assert.throws(() => (principal.allow as Pattern[]).push(p('>')));
  });

  it('refuses to build patterns for an account that is not one topic segment', () => {
    for (const account of ['a.b', '', 'acc 1', '*', '>']) {
      assert.throws(
        () => accountPatterns(account),
        (error) => isTickwireError(error, 'BAD_TOPIC'),
        account,
      );
    }
  });
});
