import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  FLAG,
  MESSAGE_TYPES,
  SIDE,
  SymbolRegistry,
  Tick,
  type TickJson,
  type TradeJson,
  tickFromJson,
  tickJsonKeys,
  tickToJson,
  VENUES,
  venueId,
} from '../../src/wire/index.ts';
import { tickFields, writeFields } from './arbitraries.ts';
import { tickwireError } from './expect-error.ts';

function registry(): SymbolRegistry {
  const symbols = new SymbolRegistry();
  symbols.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 3 });
  symbols.register('BINANCE', 'BTCUSDT', { priceScale: 8, sizeScale: 8 });
  symbols.register('SIM', 'ETHUSDT', { priceScale: 0, sizeScale: 15 });
  return symbols;
}

const TRADE: TradeJson = {
  v: 1,
  type: 'trade',
  venue: 'SIM',
  symbol: 'BTCUSDT',
  seq: 42,
  exchangeTimeNs: '1763719200123456789',
  receiveTimeNs: '1763719200125001000',
  side: 'buy',
  price: '67123.45',
  size: '0.001',
  tradeId: 7,
  flags: ['final'],
};

describe('tickToJson / tickFromJson', () => {
  it('gives the documented JSON for a trade', () => {
    const symbols = registry();
    const tick = new Tick().writeTrade(
      venueId('SIM'),
      symbols.idOf('SIM', 'BTCUSDT')!,
      2,
      3,
      42,
      SIDE.buy | FLAG.final,
      1_763_719_200_123,
      456_789,
      1_763_719_200_125,
      1_000,
      6_712_345,
      1,
      7,
    );
    assert.deepEqual(tickToJson(tick, symbols), TRADE);
    assert.deepEqual(Object.keys(tickToJson(tick, symbols)), tickJsonKeys('trade'));
  });

  it('round-trips every valid tick through JSON text', () => {
    const symbols = registry();
    const scalesOf = (id: number) => symbols.info(id);
    const ticks = tickFields({ symbolIds: [0, 1, 2] }).map((fields) => {
      const info = scalesOf(fields.symbolId);
      return { ...fields, venueId: info.venueId, priceScale: info.priceScale, sizeScale: info.sizeScale };
    });
    const original = new Tick();
    const decoded = new Tick();
    fc.assert(
      fc.property(ticks, (fields) => {
        writeFields(original, fields);
        const json = tickToJson(original, symbols);
        assert.deepEqual(Object.keys(json), tickJsonKeys(json.type));
        tickFromJson(JSON.parse(JSON.stringify(json)), symbols, decoded);
        assert.deepEqual(decoded.bytes, original.bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads decimals at the registry scale of the symbol', () => {
    const symbols = registry();
    const tick = tickFromJson({ ...TRADE, price: '67123.4', size: '0.00100000' }, symbols, new Tick());
    assert.equal(tick.price, 6_712_340);
    assert.equal(tick.size, 1);
  });

  it('has one key list per type, matching the exported JSON types', () => {
    const keys: { [K in TickJson['type']]: (keyof Extract<TickJson, { type: K }>)[] } = {
      trade: [
        'v',
        'type',
        'venue',
        'symbol',
        'seq',
        'exchangeTimeNs',
        'receiveTimeNs',
        'side',
        'price',
        'size',
        'tradeId',
        'flags',
      ],
      quote: [
        'v',
        'type',
        'venue',
        'symbol',
        'seq',
        'exchangeTimeNs',
        'receiveTimeNs',
        'bidPrice',
        'bidSize',
        'askPrice',
        'askSize',
        'flags',
      ],
      book: [
        'v',
        'type',
        'venue',
        'symbol',
        'seq',
        'exchangeTimeNs',
        'receiveTimeNs',
        'side',
        'price',
        'size',
        'firstUpdateId',
        'level',
        'flags',
      ],
      bar: [
        'v',
        'type',
        'venue',
        'symbol',
        'interval',
        'exchangeTimeNs',
        'receiveTimeNs',
        'open',
        'high',
        'low',
        'close',
        'volume',
        'flags',
      ],
    };
    for (const type of MESSAGE_TYPES) assert.deepEqual(tickJsonKeys(type), keys[type]);
  });

  it('refuses malformed JSON naming the field', () => {
    const symbols = registry();
    const tick = new Tick();
    const bad = (json: unknown) => () => tickFromJson(json, symbols, tick);
    assert.throws(bad(null), tickwireError('WIRE_BAD_JSON', 'null'));
    assert.throws(bad([TRADE]), tickwireError('WIRE_BAD_JSON', 'array'));
    assert.throws(bad({ ...TRADE, v: 2 }), tickwireError('WIRE_BAD_VERSION', 'v 2'));
    assert.throws(bad({ ...TRADE, type: 'candle' }), tickwireError('WIRE_BAD_TYPE', '"candle"'));
    assert.throws(bad({ ...TRADE, extra: 1 }), tickwireError('WIRE_BAD_JSON', 'unknown key "extra"'));
    const { tradeId: _, ...withoutTradeId } = TRADE;
    assert.throws(bad(withoutTradeId), tickwireError('WIRE_BAD_JSON', 'lacks "tradeId"'));
    assert.throws(bad({ ...TRADE, venue: 'NYSE' }), tickwireError('UNKNOWN_VENUE', '"NYSE"'));
    assert.throws(bad({ ...TRADE, symbol: 'DOGEUSDT' }), tickwireError('UNKNOWN_SYMBOL', 'SIM:DOGEUSDT'));
    assert.throws(bad({ ...TRADE, seq: -1 }), tickwireError('WIRE_BAD_JSON', 'seq -1'));
    assert.throws(bad({ ...TRADE, seq: '42' }), tickwireError('WIRE_BAD_JSON', 'seq "42"'));
    assert.throws(bad({ ...TRADE, tradeId: 10n }), tickwireError('WIRE_BAD_JSON', 'tradeId 10n'));
    assert.throws(bad({ ...TRADE, price: 67123.45 }), tickwireError('WIRE_BAD_JSON', 'price 67123.45'));
    assert.throws(
      bad({ ...TRADE, price: '67123.456' }),
      tickwireError('WIRE_PRECISION', 'price "67123.456"'),
    );
    assert.throws(bad({ ...TRADE, size: '1e3' }), tickwireError('WIRE_BAD_DECIMAL', 'size "1e3"'));
    assert.throws(bad({ ...TRADE, size: '-1' }), tickwireError('WIRE_OVERFLOW', 'size -1000'));
    assert.throws(bad({ ...TRADE, side: 'bid' }), tickwireError('WIRE_BAD_JSON', 'side "bid"'));
    assert.throws(bad({ ...TRADE, flags: ['final', 'final'] }), tickwireError('WIRE_BAD_JSON', 'twice'));
    assert.throws(bad({ ...TRADE, flags: ['late'] }), tickwireError('WIRE_BAD_JSON', '"late"'));
    assert.throws(bad({ ...TRADE, flags: 'final' }), tickwireError('WIRE_BAD_JSON', 'flags'));
    assert.throws(bad({ ...TRADE, exchangeTimeNs: 1 }), tickwireError('WIRE_BAD_JSON', 'exchangeTimeNs 1'));
    assert.throws(
      bad({ ...TRADE, exchangeTimeNs: '1.5' }),
      tickwireError('WIRE_BAD_JSON', 'exchangeTimeNs "1.5"'),
    );
    assert.throws(
      bad({ ...TRADE, receiveTimeNs: '18446744073709551616' }),
      tickwireError('WIRE_OVERFLOW', 'receiveTimeNs 18446744073709551616'),
    );
  });

  it('refuses to describe a tick whose symbol id belongs to another venue', () => {
    const symbols = registry();
    const tick = new Tick().writeTrade(venueId('BINANCE'), 0, 2, 3, 1, 0, 0, 0, 0, 0, 1, 1, 0);
    assert.throws(() => tickToJson(tick, symbols), tickwireError('UNKNOWN_SYMBOL', 'SIM:BTCUSDT'));
    tick.writeTrade(0, 0, 2, 3, 1, 0, 0, 0, 0, 0, 1, 1, 0);
    assert.throws(() => tickToJson(tick, symbols), tickwireError('UNKNOWN_VENUE', 'venue id 0'));
    assert.equal(VENUES.length, 2);
  });
});
