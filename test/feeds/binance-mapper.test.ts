import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BinanceExchangeInfo,
  createRoute,
  decimalsOf,
  MapperContext,
  normalizeFrame,
  registerSymbol,
  scalesOf,
  streamName,
  streamOfFrame,
} from '../../src/feeds/binance/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { CollectingSink } from './binance-harness.ts';

/** exchangeInfo as Binance sends it, trimmed to the fields the adapter reads plus a few. */
const EXCHANGE_INFO: BinanceExchangeInfo = {
  symbols: [
    {
      symbol: 'BNBBTC',
      status: 'TRADING',
      baseAsset: 'BNB',
      quoteAsset: 'BTC',
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.00000100',
          maxPrice: '100000.00000000',
          tickSize: '0.00000100',
        },
        { filterType: 'LOT_SIZE', minQty: '0.00100000', maxQty: '100000.00000000', stepSize: '0.00100000' },
        { filterType: 'ICEBERG_PARTS' },
      ],
    },
    {
      symbol: 'BTCUSDT',
      status: 'TRADING',
      baseAsset: 'BTC',
      quoteAsset: 'USDT',
      filters: [
        {
          filterType: 'PRICE_FILTER',
          minPrice: '0.01000000',
          maxPrice: '1000000.00000000',
          tickSize: '0.01000000',
        },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
      ],
    },
  ],
};

function setup(kinds: Parameters<typeof streamName>[1][]) {
  const registry = new SymbolRegistry();
  const context = new MapperContext();
  for (const info of EXCHANGE_INFO.symbols) {
    const { id, priceScale, sizeScale } = registerSymbol(registry, 'BINANCE', info);
    for (const kind of kinds) {
      const name = streamName(info.symbol, kind);
      const routeKind =
        kind === 'depth'
          ? 'depthDiff'
          : kind === 'depth5'
            ? 'partialDepth'
            : kind.startsWith('kline_')
              ? 'kline'
              : kind;
      context.add(
        createRoute(
          name,
          routeKind as 'trade',
          info.symbol,
          id,
          2,
          { priceScale, sizeScale },
          kind === 'kline_1m' ? 1 : 0,
        ),
      );
    }
  }
  const sink = new CollectingSink(registry);
  return { registry, context, sink };
}

const combined = (stream: string, data: object) => JSON.stringify({ stream, data });

describe('Binance scales from exchangeInfo', () => {
  it('reads decimals from tick and step sizes', () => {
    assert.equal(decimalsOf('0.01000000'), 2);
    assert.equal(decimalsOf('0.00000100'), 6);
    assert.equal(decimalsOf('1.00000000'), 0);
    assert.equal(decimalsOf('10'), 0);
    assert.equal(decimalsOf('0.1'), 1);
    assert.deepEqual(scalesOf(EXCHANGE_INFO.symbols[0]!), { priceScale: 6, sizeScale: 3 });
    assert.deepEqual(scalesOf(EXCHANGE_INFO.symbols[1]!), { priceScale: 2, sizeScale: 5 });
  });

  it('refuses a symbol without PRICE_FILTER or LOT_SIZE', () => {
    assert.throws(
      () => scalesOf({ symbol: 'XYZ', status: 'TRADING', baseAsset: 'X', quoteAsset: 'Y', filters: [] }),
      /FEED_BAD_PAYLOAD: exchangeInfo symbol XYZ lacks PRICE_FILTER.tickSize or LOT_SIZE.stepSize/,
    );
  });
});

describe('Binance mapper on documented payloads', () => {
  it('extracts the stream name without parsing', () => {
    assert.equal(streamOfFrame('{"stream":"btcusdt@trade","data":{}}'), 'btcusdt@trade');
    assert.equal(streamOfFrame('{"result":null,"id":1}'), '');
  });

  it('trade: aggressor from m, sequence and id from t, time from T, decimals exact', () => {
    const { context, sink } = setup(['trade']);
    const data = {
      e: 'trade',
      E: 1672515782136,
      s: 'BNBBTC',
      t: 12345,
      p: '0.001',
      q: '100',
      b: 88,
      a: 50,
      T: 1672515782136,
      m: true,
      M: true,
    };
    assert.equal(normalizeFrame(combined('bnbbtc@trade', data), context, sink), 1);
    const buyerTaker = { ...data, t: 12346, m: false, p: '67123.45000000', q: '0.00100000', s: 'BTCUSDT' };
    assert.equal(normalizeFrame(combined('btcusdt@trade', buyerTaker), context, sink), 1);
    assert.deepEqual(sink.ticks, [
      {
        v: 1,
        type: 'trade',
        venue: 'BINANCE',
        symbol: 'BNBBTC',
        seq: 12345,
        exchangeTimeNs: '1672515782136000000',
        side: 'sell',
        flags: [],
        price: '0.001000',
        size: '100.000',
        tradeId: 12345,
      },
      {
        v: 1,
        type: 'trade',
        venue: 'BINANCE',
        symbol: 'BTCUSDT',
        seq: 12346,
        exchangeTimeNs: '1672515782136000000',
        side: 'buy',
        flags: [],
        price: '67123.45',
        size: '0.00100',
        tradeId: 12346,
      },
    ]);
    assert.equal(sink.raw[1]!.price, 6712345);
    assert.equal(sink.raw[1]!.size, 100);
  });

  it('aggTrade: sequence and trade id are the aggregate id', () => {
    const { context, sink } = setup(['aggTrade']);
    const data = {
      e: 'aggTrade',
      E: 1672515782136,
      s: 'BNBBTC',
      a: 12345,
      p: '0.001',
      q: '100',
      f: 100,
      l: 105,
      T: 1672515782136,
      m: true,
      M: true,
    };
    assert.equal(normalizeFrame(combined('bnbbtc@aggTrade', data), context, sink), 1);
    assert.deepEqual(sink.ticks[0], {
      v: 1,
      type: 'trade',
      venue: 'BINANCE',
      symbol: 'BNBBTC',
      seq: 12345,
      exchangeTimeNs: '1672515782136000000',
      side: 'sell',
      flags: [],
      price: '0.001000',
      size: '100.000',
      tradeId: 12345,
    });
  });

  it('bookTicker: a quote with sequence u; a crossed one is flagged and counted', () => {
    const { context, sink } = setup(['bookTicker']);
    const data = {
      u: 400900217,
      s: 'BTCUSDT',
      b: '25.35190000',
      B: '31.21000000',
      a: '25.36520000',
      A: '40.66000000',
    };
    // 25.3519 has four decimals: BTCUSDT's tick size allows two, so this frame is malformed.
    assert.equal(normalizeFrame(combined('btcusdt@bookTicker', data), context, sink), 0);
    assert.equal(context.counters.malformed, 1);
    assert.match(context.lastMalformed, /bid price "25.35190000" has more than 2 decimals/);
    const fine = { ...data, u: 400900218, b: '25.35000000', a: '25.36000000' };
    assert.equal(normalizeFrame(combined('btcusdt@bookTicker', fine), context, sink), 1);
    const crossed = { ...fine, u: 400900219, b: '25.37000000' };
    assert.equal(normalizeFrame(combined('btcusdt@bookTicker', crossed), context, sink), 1);
    assert.equal(context.counters.crossedQuotes, 1);
    const [quote, crossedQuote] = sink.ticks;
    assert.deepEqual(
      { ...quote, exchangeTimeNs: undefined },
      {
        v: 1,
        type: 'quote',
        venue: 'BINANCE',
        symbol: 'BTCUSDT',
        seq: 400900218,
        exchangeTimeNs: undefined,
        flags: [],
        bidPrice: '25.35',
        bidSize: '31.21000',
        askPrice: '25.36',
        askSize: '40.66000',
      },
    );
    assert.deepEqual(crossedQuote!.flags, ['crossed']);
  });

  it('depthUpdate without a book: one tick per level, removal as size 0, final on the last', () => {
    const { context, sink } = setup(['depth']);
    const data = {
      e: 'depthUpdate',
      E: 1672515782136,
      s: 'BNBBTC',
      U: 157,
      u: 160,
      b: [['0.0024', '10']],
      a: [
        ['0.0026', '100'],
        ['0.0027', '0.000'],
      ],
    };
    assert.equal(normalizeFrame(combined('bnbbtc@depth@100ms', data), context, sink), 3);
    assert.deepEqual(
      sink.ticks.map(
        (tick) =>
          tick.type === 'book' && [
            tick.side,
            tick.price,
            tick.size,
            tick.seq,
            tick.firstUpdateId,
            tick.level,
            tick.flags,
          ],
      ),
      [
        ['bid', '0.002400', '10.000', 160, 157, 0, []],
        ['ask', '0.002600', '100.000', 160, 157, 0, []],
        ['ask', '0.002700', '0.000', 160, 157, 0, ['final']],
      ],
    );
  });

  it('partial depth: snapshot levels numbered from the top', () => {
    const { context, sink } = setup(['depth5']);
    const data = {
      lastUpdateId: 160,
      bids: [
        ['0.0024', '10'],
        ['0.0023', '5'],
      ],
      asks: [['0.0026', '100']],
    };
    assert.equal(normalizeFrame(combined('bnbbtc@depth5@100ms', data), context, sink), 3);
    assert.deepEqual(
      sink.ticks.map(
        (tick) => tick.type === 'book' && [tick.side, tick.price, tick.level, tick.seq, tick.flags],
      ),
      [
        ['bid', '0.002400', 1, 160, ['snapshot']],
        ['bid', '0.002300', 2, 160, ['snapshot']],
        ['ask', '0.002600', 1, 160, ['snapshot', 'final']],
      ],
    );
  });

  it('kline: a bar with the volume, final once closed', () => {
    const { context, sink } = setup(['kline_1m']);
    const k = {
      t: 1672515780000,
      T: 1672515839999,
      s: 'BNBBTC',
      i: '1m',
      f: 100,
      L: 200,
      o: '0.0010',
      c: '0.0020',
      h: '0.0025',
      l: '0.0015',
      v: '1000',
      n: 100,
      x: false,
      q: '1.0000',
      V: '500',
      Q: '0.500',
      B: '123456',
    };
    assert.equal(
      normalizeFrame(
        combined('bnbbtc@kline_1m', { e: 'kline', E: 1672515782136, s: 'BNBBTC', k }),
        context,
        sink,
      ),
      1,
    );
    const closed = { e: 'kline', E: 1672515840001, s: 'BNBBTC', k: { ...k, x: true } };
    assert.equal(normalizeFrame(combined('bnbbtc@kline_1m', closed), context, sink), 1);
    assert.deepEqual(sink.ticks[0], {
      v: 1,
      type: 'bar',
      venue: 'BINANCE',
      symbol: 'BNBBTC',
      interval: '1m',
      exchangeTimeNs: '1672515780000000000',
      flags: [],
      open: '0.001000',
      high: '0.002500',
      low: '0.001500',
      close: '0.002000',
      volume: '1000.000',
    });
    assert.deepEqual(sink.ticks[1]!.flags, ['final']);
  });
});

describe('Binance mapper on bad input', () => {
  it('counts malformed frames, unknown streams, replies and duplicates; never throws', () => {
    const { context, sink } = setup(['trade']);
    const trade = { e: 'trade', E: 1, s: 'BNBBTC', t: 7, p: '0.001', q: '1', T: 1, m: false };
    const frames = [
      'not json at all',
      '{"stream":"bnbbtc@trade","data":{"e":"trade"',
      combined('bnbbtc@trade', { ...trade, t: 'seven' }),
      combined('bnbbtc@trade', { ...trade, p: '1e-3' }),
      combined('bnbbtc@trade', { ...trade, q: '-1' }),
      '{"stream":"bnbbtc@trade","data":null}',
    ];
    for (const frame of frames) assert.equal(normalizeFrame(frame, context, sink), 0);
    assert.equal(context.counters.malformed, frames.length);
    assert.equal(normalizeFrame(combined('ethbtc@trade', trade), context, sink), 0);
    assert.equal(context.counters.unknownStream, 1);
    assert.equal(normalizeFrame('{"result":null,"id":3}', context, sink), 0);
    assert.equal(context.counters.ignored, 1);
    assert.equal(normalizeFrame(combined('bnbbtc@trade', trade), context, sink), 1);
    assert.equal(normalizeFrame(combined('bnbbtc@trade', trade), context, sink), 0);
    assert.equal(normalizeFrame(combined('bnbbtc@trade', { ...trade, t: 6 }), context, sink), 0);
    assert.equal(context.counters.duplicates, 2);
    assert.equal(context.counters.frames, frames.length + 5);
    assert.equal(sink.ticks.length, 1);
  });

  it('counts ticks the sink refused', () => {
    const { context, sink } = setup(['trade']);
    sink.refuse = true;
    const trade = { e: 'trade', E: 1, s: 'BNBBTC', t: 7, p: '0.001', q: '1', T: 1, m: false };
    assert.equal(normalizeFrame(combined('bnbbtc@trade', trade), context, sink), 0);
    assert.equal(context.counters.sinkRefused, 1);
  });

  it('during a rotation overlap takes the new socket only once it continues the sequence', () => {
    const { context, sink } = setup(['trade']);
    const stream = 'bnbbtc@trade';
    const trade = (t: number) =>
      combined(stream, { e: 'trade', E: 1, s: 'BNBBTC', t, p: '0.001', q: '1', T: 1, m: false });
    const OLD = 1;
    const NEW = 2;
    normalizeFrame(trade(10), context, sink, OLD);
    context.beginOverlap([stream], OLD, NEW);
    assert.equal(context.unaligned([stream]), 1);
    normalizeFrame(trade(12), context, sink, NEW); // ahead of the old socket: held back
    assert.equal(sink.ticks.length, 1);
    normalizeFrame(trade(11), context, sink, OLD); // the old socket reaches it: 11, then the held 12
    assert.equal(context.unaligned([stream]), 0);
    normalizeFrame(trade(12), context, sink, OLD);
    normalizeFrame(trade(11), context, sink, NEW);
    normalizeFrame(trade(12), context, sink, NEW);
    normalizeFrame(trade(13), context, sink, NEW);
    normalizeFrame(trade(13), context, sink, OLD);
    context.endOverlap([stream], NEW);
    normalizeFrame(trade(14), context, sink, NEW);
    assert.deepEqual(
      sink.ticks.map((tick) => tick.type === 'trade' && tick.tradeId),
      [10, 11, 12, 13, 14],
    );
    assert.equal(context.counters.overlapDeferred, 1);
    assert.equal(context.counters.duplicates, 4);
  });
});

describe('Binance mapper rotation hand-over', () => {
  it('writes what the new socket holds ahead when it takes over before the old one caught up', () => {
    const { context, sink } = setup(['trade']);
    const stream = 'bnbbtc@trade';
    const trade = (t: number) =>
      combined(stream, { e: 'trade', E: 1, s: 'BNBBTC', t, p: '0.001', q: '1', T: 1, m: false });
    normalizeFrame(trade(10), context, sink, 1);
    context.beginOverlap([stream], 1, 2);
    normalizeFrame(trade(12), context, sink, 2);
    normalizeFrame(trade(13), context, sink, 2);
    context.endOverlap([stream], 2, sink);
    normalizeFrame(trade(14), context, sink, 2);
    assert.deepEqual(
      sink.ticks.map((tick) => tick.type === 'trade' && tick.tradeId),
      [10, 12, 13, 14],
    );
  });

  it('drops what the new socket holds when the rotation is abandoned', () => {
    const { context, sink } = setup(['trade']);
    const stream = 'bnbbtc@trade';
    const trade = (t: number) =>
      combined(stream, { e: 'trade', E: 1, s: 'BNBBTC', t, p: '0.001', q: '1', T: 1, m: false });
    normalizeFrame(trade(10), context, sink, 1);
    context.beginOverlap([stream], 1, 2);
    normalizeFrame(trade(12), context, sink, 2);
    context.endOverlap([stream], 1, sink);
    normalizeFrame(trade(11), context, sink, 1);
    normalizeFrame(trade(12), context, sink, 1);
    assert.deepEqual(
      sink.ticks.map((tick) => tick.type === 'trade' && tick.tradeId),
      [10, 11, 12],
    );
  });
});
