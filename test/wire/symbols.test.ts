import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTopic } from '../../src/bus/topic-grammar.ts';
import {
  hash64Hex,
  isVenue,
  SymbolRegistry,
  symbolHash64,
  symbolHash64BigInt,
  VENUES,
  venueId,
  venueName,
} from '../../src/wire/index.ts';
import { tickwireError } from './expect-error.ts';

/** FNV-1a 64 the obvious way, with BigInt and TextEncoder: the reference for the u32-halves version. */
function fnv1a64Reference(text: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffff_ffff_ffff_ffffn;
  }
  return hash;
}

describe('symbolHash64', () => {
  it('matches the published FNV-1a 64 vectors', () => {
    assert.equal(hash64Hex(symbolHash64('')), 'cbf29ce484222325');
    assert.equal(hash64Hex(symbolHash64('a')), 'af63dc4c8601ec8c');
    assert.equal(hash64Hex(symbolHash64('foobar')), '85944171f73967e8');
  });

  it('equals a BigInt implementation over UTF-8 for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        assert.equal(symbolHash64BigInt(text), fnv1a64Reference(text));
      }),
      { numRuns: 3000 },
    );
    // Lone surrogates hash as U+FFFD, as TextEncoder encodes them.
    for (const text of ['\ud800', 'a\udc00b', '\ud83d\ude00', '€', 'ÿ']) {
      assert.equal(symbolHash64BigInt(text), fnv1a64Reference(text), JSON.stringify(text));
    }
  });

  it('returns unsigned u32 halves', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const { hi, lo } = symbolHash64(text);
        assert.ok(hi >>> 0 === hi && lo >>> 0 === lo);
      }),
    );
  });
});

describe('venues', () => {
  it('numbers venues from 1 in table order', () => {
    assert.deepEqual(VENUES, ['SIM', 'BINANCE']);
    assert.equal(venueId('SIM'), 1);
    assert.equal(venueId('BINANCE'), 2);
    assert.equal(venueName(2), 'BINANCE');
    assert.ok(isVenue('SIM') && !isVenue('sim'));
  });

  it('refuses unknown venues with UNKNOWN_VENUE', () => {
    assert.throws(() => venueId('NYSE'), tickwireError('UNKNOWN_VENUE', '"NYSE"'));
    assert.throws(() => venueName(0), tickwireError('UNKNOWN_VENUE', 'venue id 0'));
    assert.throws(() => venueName(3), tickwireError('UNKNOWN_VENUE', 'venue id 3'));
  });
});

describe('SymbolRegistry', () => {
  it('hands out dense ids in registration order and finds them in O(1)', () => {
    const symbols = new SymbolRegistry();
    assert.equal(symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 3 }), 0);
    assert.equal(symbols.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 }), 1);
    assert.equal(symbols.register('BINANCE', 'BTCUSDT', { priceScale: 8, sizeScale: 8 }), 2);
    assert.equal(symbols.size, 3);
    assert.equal(symbols.idOf('SIM', 'ETHUSDT'), 1);
    assert.equal(symbols.idOf('BINANCE', 'BTCUSDT'), 2);
    assert.equal(symbols.idOf('BINANCE', 'ETHUSDT'), undefined);
    assert.equal(symbols.idOf('NYSE', 'BTCUSDT'), undefined);
    assert.equal(symbols.idOfKey('SIM:BTCUSDT'), 0);
    assert.equal(symbols.idOfKey('SIM:XRPUSDT'), undefined);
    const info = symbols.info(2);
    const hash = symbolHash64('BINANCE:BTCUSDT');
    assert.deepEqual(info, {
      id: 2,
      key: 'BINANCE:BTCUSDT',
      venue: 'BINANCE',
      venueId: 2,
      symbol: 'BTCUSDT',
      priceScale: 8,
      sizeScale: 8,
      hashHi: hash.hi,
      hashLo: hash.lo,
    });
    assert.deepEqual(
      [...symbols].map((s) => s.key),
      ['SIM:BTCUSDT', 'SIM:ETHUSDT', 'BINANCE:BTCUSDT'],
    );
    assert.equal(symbols.requireId('SIM', 'ETHUSDT'), 1);
  });

  it('gives the same ids to the same registrations in the same order', () => {
    const names = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT'];
    const build = () => {
      const symbols = new SymbolRegistry();
      for (const name of names) symbols.register('SIM', name, { priceScale: 2, sizeScale: 6 });
      return [...symbols].map((s) => [s.id, s.key, s.hashHi, s.hashLo]);
    };
    assert.deepEqual(build(), build());
  });

  it('returns the existing id when a key is registered again with the same scales', () => {
    const symbols = new SymbolRegistry();
    symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 3 });
    assert.equal(symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 3 }), 0);
    assert.equal(symbols.size, 1);
    assert.throws(
      () => symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 4 }),
      tickwireError('BAD_CONFIG', 'SIM:BTCUSDT', 'sizeScale 3', 'sizeScale 4'),
    );
  });

  it('refuses bad names, scales, venues and ids', () => {
    const symbols = new SymbolRegistry();
    for (const name of ['', 'btcusdt', 'BTC-USDT', 'BTC.USDT', 'A'.repeat(33), 'BTC USDT']) {
      assert.throws(
        () => symbols.register('SIM', name, { priceScale: 2, sizeScale: 2 }),
        tickwireError('BAD_CONFIG'),
      );
    }
    assert.throws(
      () => symbols.register('SIM', 'BTCUSDT', { priceScale: 16, sizeScale: 2 }),
      tickwireError('BAD_CONFIG', 'priceScale of SIM:BTCUSDT is 16'),
    );
    assert.throws(
      () => symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 1.5 }),
      tickwireError('BAD_CONFIG', 'sizeScale of SIM:BTCUSDT is 1.5'),
    );
    assert.throws(
      () => symbols.register('NYSE' as 'SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 2 }),
      tickwireError('UNKNOWN_VENUE'),
    );
    assert.throws(() => symbols.info(0), tickwireError('UNKNOWN_SYMBOL', 'symbol id 0'));
    assert.throws(() => symbols.requireId('SIM', 'BTCUSDT'), tickwireError('UNKNOWN_SYMBOL', 'SIM:BTCUSDT'));
  });

  it('makes every key a single topic segment', () => {
    const symbols = new SymbolRegistry();
    fc.assert(
      fc.property(fc.constantFrom(...VENUES), fc.stringMatching(/^[A-Z0-9]{1,32}$/), (venue, name) => {
        const info = symbols.info(symbols.register(venue, name, { priceScale: 2, sizeScale: 2 }));
        assert.ok(isTopic(info.key) && !info.key.includes('.'), info.key);
      }),
    );
  });
});
