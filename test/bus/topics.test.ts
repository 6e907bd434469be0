import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ALERT_TOPICS,
  allAlerts,
  allBots,
  allFills,
  allMarketData,
  allMonitor,
  allOrders,
  allBars,
  barsTopic,
  botsTopic,
  fillsTopic,
  isPattern,
  isTopic,
  MARKET_DATA_KINDS,
  type MarketDataKind,
  MONITOR_TOPICS,
  marketDataTopic,
  ordersTopic,
  parsePattern,
  parseTopic,
  symbolMarketData,
  topicMatches,
} from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';

function badTopic(fragment: string): (error: unknown) => boolean {
  return (error) => isTickwireError(error, 'BAD_TOPIC') && error.message.includes(fragment);
}

describe('topic grammar', () => {
  it('accepts the names Tickwire uses', () => {
    for (const topic of [
      'md.trade.SIM.BTCUSDT',
      'orders.acc-1',
      'bots.bot_7',
      'monitor.hardware',
      'md.trade.SIM:BTCUSDT',
      'a',
      'A-Z_a-z:0-9',
    ]) {
      assert.equal(parseTopic(topic), topic);
      assert.equal(isTopic(topic), true, topic);
      assert.equal(isPattern(topic), true, `${topic} is also a pattern`);
    }
  });

  it('accepts wildcards in patterns only, as whole segments, `>` only last', () => {
    for (const pattern of ['*', '>', 'md.*', 'md.>', '*.*.*', 'md.*.SIM.>', '*.>']) {
      assert.equal(parsePattern(pattern), pattern);
      assert.equal(isTopic(pattern), false, `${pattern} is not a publish topic`);
    }
  });

  const rejections: [text: string, asTopic: string, asPattern: string][] = [
    ['', 'is empty', 'is empty'],
    ['.a', 'starts with a dot', 'starts with a dot'],
    ['a.', 'ends with a dot', 'ends with a dot'],
    ['.', 'starts with a dot', 'starts with a dot'],
    ['a..b', 'empty segment at position 2', 'empty segment at position 2'],
    ['a.>.b', 'wildcard ">" at position 2', '">" may only be the last segment'],
    ['>.a', 'wildcard ">" at position 1', '">" may only be the last segment'],
    ['a*', 'mixing a wildcard', 'mixing a wildcard'],
    ['a.b>', 'mixing a wildcard', 'mixing a wildcard'],
    ['a.*', 'wildcard "*" at position 2; a publish topic cannot', ''],
    ['a b', 'character outside', 'character outside'],
    ['a/b', 'character outside', 'character outside'],
    ['btc€', 'character outside', 'character outside'],
    ['a\tb', 'character outside', 'character outside'],
  ];
  for (const [text, asTopic, asPattern] of rejections) {
    it(`rejects ${JSON.stringify(text)} saying what is wrong`, () => {
      assert.throws(() => parseTopic(text), badTopic(`topic ${JSON.stringify(text)} `));
      assert.throws(() => parseTopic(text), badTopic(asTopic));
      if (asPattern === '') {
        parsePattern(text);
      } else {
        assert.throws(() => parsePattern(text), badTopic(`pattern ${JSON.stringify(text)}`));
        assert.throws(() => parsePattern(text), badTopic(asPattern));
      }
    });
  }

  it('limits topics to 16 segments and 256 characters', () => {
    const segments = (n: number) => Array.from({ length: n }, () => 'x').join('.');
    parseTopic(segments(16));
    assert.throws(() => parseTopic(segments(17)), badTopic('has 17 segments; the limit is 16'));
    parseTopic('x'.repeat(256));
    assert.throws(() => parseTopic('x'.repeat(257)), badTopic('257 characters long; the limit is 256'));
    assert.throws(() => parsePattern(`${segments(16)}.>`), badTopic('17 segments'));
  });

  it('rejects values that are not strings', () => {
    assert.throws(() => parseTopic(42 as unknown as string), badTopic('must be a string, got number'));
    assert.throws(() => parsePattern(null as unknown as string), badTopic('got null'));
  });

  it('agrees with a reference validator on random strings', () => {
    const reference = (text: string, wildcards: boolean): boolean => {
      if (text.length === 0 || text.length > 256) return false;
      const segments = text.split('.');
      if (segments.length > 16) return false;
      return segments.every((segment, i) => {
        if (wildcards && segment === '*') return true;
        if (wildcards && segment === '>') return i === segments.length - 1;
        return segment.length > 0 && [...segment].every((c) => /[A-Za-z0-9_:-]/.test(c));
      });
    };
    const text = fc.string({
      unit: fc.constantFrom('a', 'Z', '9', '_', '-', ':', '.', '*', '>', ' ', 'é'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(text, (candidate) => {
        assert.equal(isTopic(candidate), reference(candidate, false), `topic ${JSON.stringify(candidate)}`);
        assert.equal(
          isPattern(candidate),
          reference(candidate, true),
          `pattern ${JSON.stringify(candidate)}`,
        );
      }),
      { numRuns: 5000 },
    );
  });
});

describe('topicMatches', () => {
  const cases: [pattern: string, topic: string, expected: boolean][] = [
    ['a.b.c', 'a.b.c', true],
    ['a.b.c', 'a.b', false],
    ['a.b', 'a.b.c', false],
    ['a.b.c', 'a.b.d', false],
    ['a.b.c', 'a.bb.c', false],
    ['a.bb.c', 'a.b.c', false],
    ['*', 'a', true],
    ['*', 'a.b', false],
    ['a.*', 'a', false],
    ['a.*', 'a.b', true],
    ['a.*', 'a.b.c', false],
    ['a.*.c', 'a.b.c', true],
    ['a.*.c', 'a.c', false],
    ['*.*', 'a.b', true],
    ['>', 'a', true],
    ['>', 'a.b.c', true],
    ['a.>', 'a', false],
    ['a.>', 'a.b', true],
    ['a.>', 'a.b.c.d', true],
    ['a.>', 'b.c', false],
    ['a.*.>', 'a.b', false],
    ['a.*.>', 'a.b.c', true],
    ['md.trade.SIM.*', 'md.trade.SIM.BTCUSDT', true],
    ['md.trade.SIM.*', 'md.quote.SIM.BTCUSDT', false],
    ['md.*.SIM.BTCUSDT', 'md.book.SIM.BTCUSDT', true],
    ['md.>', 'md', false],
  ];
  for (const [pattern, topic, expected] of cases) {
    it(`${pattern} ${expected ? 'matches' : 'does not match'} ${topic}`, () => {
      assert.equal(topicMatches(pattern, topic), expected);
    });
  }

  /** The obvious recursive definition, segment by segment, to check the in-place walker against. */
  function referenceMatches(pattern: readonly string[], topic: readonly string[]): boolean {
    if (pattern.length === 0) return topic.length === 0;
    const [head, ...rest] = pattern;
    if (head === '>') return topic.length >= 1;
    if (topic.length === 0) return false;
    if (head !== '*' && head !== topic[0]) return false;
    return referenceMatches(rest, topic.slice(1));
  }

  const segment = fc.constantFrom('a', 'b', 'ab', 'ba', 'BTCUSDT', 'acc-1');
  const topicArb = fc.array(segment, { minLength: 1, maxLength: 6 }).map((s) => s.join('.'));
  const patternArb = fc
    .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 0, maxLength: 6 }), fc.boolean())
    .filter(([elements, tail]) => elements.length > 0 || tail)
    .map(([elements, tail]) => (tail ? [...elements, '>'] : elements).join('.'));

  it('agrees with a reference matcher on random topics and patterns', () => {
    let matched = 0;
    fc.assert(
      fc.property(patternArb, topicArb, (pattern, topic) => {
        assert.ok(isPattern(pattern) && isTopic(topic));
        const expected = referenceMatches(pattern.split('.'), topic.split('.'));
        if (expected) matched++;
        assert.equal(topicMatches(pattern, topic), expected, `${pattern} vs ${topic}`);
      }),
      { numRuns: 20_000 },
    );
    assert.ok(matched > 500, `the generators should produce plenty of matches, got ${matched}`);
  });

  it('agrees with the reference on patterns derived from the topic (mostly matching)', () => {
    const derived = topicArb.chain((topic) => {
      const parts = topic.split('.');
      return fc
        .tuple(
          fc.array(fc.boolean(), { minLength: parts.length, maxLength: parts.length }),
          fc.nat(parts.length),
        )
        .map(([stars, cut]) => {
          const elements = parts.map((part, i) => (stars[i] ? '*' : part));
          const pattern = cut > 0 && cut < parts.length ? [...elements.slice(0, cut), '>'] : elements;
          return [pattern.join('.'), topic] as const;
        });
    });
    fc.assert(
      fc.property(derived, ([pattern, topic]) => {
        assert.equal(topicMatches(pattern, topic), referenceMatches(pattern.split('.'), topic.split('.')));
        assert.equal(topicMatches(pattern, topic), true, `${pattern} should match ${topic}`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('topic builders', () => {
  it('build market-data topics for every kind', () => {
    for (const kind of MARKET_DATA_KINDS) {
      assert.equal(marketDataTopic(kind, 'SIM', 'BTCUSDT'), `md.${kind}.SIM.BTCUSDT`);
      assert.equal(
        marketDataTopic(kind, 'SIM', 'BTCUSDT'),
        `md.${kind}.SIM.BTCUSDT`,
        'cached value is the same',
      );
      assert.ok(isTopic(marketDataTopic(kind, 'BINANCE', 'ETHUSDT')));
    }
  });

  it('build account, bot, monitor and alert topics', () => {
    assert.equal(ordersTopic('acc-1'), 'orders.acc-1');
    assert.equal(fillsTopic('acc-1'), 'fills.acc-1');
    assert.equal(botsTopic('acc-1', 'bot_7'), 'bots.acc-1.bot_7');
    assert.equal(allBots('acc-1'), 'bots.acc-1.*');
    assert.equal(barsTopic('SIM', 'BTCUSDT', '1m'), 'bars.SIM.BTCUSDT.1m');
    assert.ok(topicMatches(allBars(), barsTopic('SIM', 'BTCUSDT', '1m')));
    assert.throws(() => barsTopic('SIM', 'BTCUSDT', 'volume0.5'), /BAD_TOPIC: bar spec/);
    for (const topic of [...MONITOR_TOPICS, ...ALERT_TOPICS]) assert.ok(isTopic(topic), topic);
    for (const topic of MONITOR_TOPICS) assert.ok(topicMatches(allMonitor(), topic));
    for (const topic of ALERT_TOPICS) assert.ok(topicMatches(allAlerts(), topic));
  });

  it('build patterns that match what they should and nothing else', () => {
    const trade = marketDataTopic('trade', 'SIM', 'BTCUSDT');
    const quote = marketDataTopic('quote', 'SIM', 'BTCUSDT');
    const otherVenue = marketDataTopic('trade', 'BINANCE', 'BTCUSDT');
    assert.equal(allMarketData(), 'md.>');
    assert.equal(allMarketData('trade'), 'md.trade.>');
    assert.equal(allMarketData('trade', 'SIM'), 'md.trade.SIM.*');
    assert.equal(allMarketData(undefined, 'SIM'), 'md.*.SIM.*');
    assert.equal(symbolMarketData('SIM', 'BTCUSDT'), 'md.*.SIM.BTCUSDT');
    const expectations: [pattern: string, matches: string[], misses: string[]][] = [
      [allMarketData(), [trade, quote, otherVenue], [ordersTopic('a')]],
      [allMarketData('trade'), [trade, otherVenue], [quote]],
      [allMarketData('trade', 'SIM'), [trade], [quote, otherVenue]],
      [allMarketData(undefined, 'SIM'), [trade, quote], [otherVenue]],
      [symbolMarketData('SIM', 'BTCUSDT'), [trade, quote], [otherVenue]],
      [allOrders(), [ordersTopic('acc-1')], [fillsTopic('acc-1')]],
      [allFills(), [fillsTopic('acc-1')], [ordersTopic('acc-1')]],
      [allBots(), [botsTopic('acc-1', 'bot_7')], [trade]],
    ];
    for (const [pattern, matches, misses] of expectations) {
      assert.ok(isPattern(pattern), pattern);
      for (const topic of matches)
        assert.ok(topicMatches(pattern, topic), `${pattern} should match ${topic}`);
      for (const topic of misses) assert.ok(!topicMatches(pattern, topic), `${pattern} should miss ${topic}`);
    }
  });

  it('reject arguments that are not exactly one segment, naming the field', () => {
    assert.throws(() => marketDataTopic('trade', 'SIM', 'BTC.USDT'), badTopic('symbol "BTC.USDT"'));
    assert.throws(() => marketDataTopic('trade', 'SIM', 'BTC.USDT'), badTopic('contains a dot'));
    assert.throws(() => marketDataTopic('trade', 'S M', 'BTCUSDT'), badTopic('venue "S M"'));
    assert.throws(() => marketDataTopic('trade', 'SIM', '*'), badTopic('symbol "*"'));
    assert.throws(() => marketDataTopic('trade', 'SIM', ''), badTopic('symbol ""'));
    assert.throws(
      () => marketDataTopic('tick' as MarketDataKind, 'SIM', 'BTCUSDT'),
      badTopic('market-data kind "tick" is not one of trade, quote, book, bar'),
    );
    assert.throws(() => ordersTopic('acc 1'), badTopic('account "acc 1"'));
    assert.throws(() => fillsTopic('a.b'), badTopic('account "a.b"'));
    assert.throws(() => botsTopic('acc-1', '>'), badTopic('botId ">"'));
    assert.throws(() => allMarketData('trade', 'S.M'), badTopic('venue "S.M"'));
  });

  it('a rejected argument is not cached: it is rejected again', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(() => marketDataTopic('bar', 'SIM', 'BAD SYMBOL'), badTopic('symbol'));
    }
  });
});
