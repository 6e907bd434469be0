import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GENERAL_PATH, normalizeRouted, normalizeScanned } from '../../src/feeds/binance/binance-mapper.ts';
import {
  type BinanceLevel,
  createRoute,
  MapperContext,
  OrderBook,
  type StreamRoute,
} from '../../src/feeds/binance/index.ts';
import type { RouteKind } from '../../src/feeds/binance/stream-names.ts';
import { SeededRandom } from '../../src/simulator/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { CollectingSink } from './binance-harness.ts';

/**
 * The frame scanner must change nothing but speed: every frame, canonical or mangled, gives the
 * same ticks, counters and stream state whether it goes through normalizeScanned (falling back to
 * normalizeRouted) or through normalizeRouted alone. Two identical lanes are fed the same frames
 * and compared after each one.
 */

const PRICE_SCALE = 2;
const SIZE_SCALE = 5;

interface Lane {
  route: StreamRoute;
  context: MapperContext;
  sink: CollectingSink;
  book: OrderBook | undefined;
}

function lane(kind: RouteKind, stream: string, withBook: boolean): Lane {
  const registry = new SymbolRegistry();
  const id = registry.register('BINANCE', 'BTCUSDT', { priceScale: PRICE_SCALE, sizeScale: SIZE_SCALE });
  const route = createRoute(stream, kind, 'BTCUSDT', id, 2, {
    priceScale: PRICE_SCALE,
    sizeScale: SIZE_SCALE,
  });
  const book = withBook ? new OrderBook(route, () => {}, {}) : undefined;
  route.depth = book;
  return { route, context: new MapperContext(), sink: new CollectingSink(registry), book };
}

const bookShape = (book: OrderBook) => ({
  bestBid: book.bestBid,
  bestAsk: book.bestAsk,
  bids: book.bids.count,
  asks: book.asks.count,
  buffered: book.bufferedDiffs,
});

/** Feeds one frame to both lanes; returns whether the scanner took it. */
function feedBoth(fast: Lane, general: Lane, text: string): boolean {
  const bytes = Buffer.from(text);
  const before = fast.sink.ticks.length;
  const scanned = normalizeScanned(bytes, fast.route, fast.context, fast.sink, 0, 1_000, 0);
  if (scanned === GENERAL_PATH) normalizeRouted(text, fast.route, fast.context, fast.sink, 0, 1_000, 0);
  normalizeRouted(text, general.route, general.context, general.sink, 0, 1_000, 0);
  assert.equal(fast.sink.ticks.length, general.sink.ticks.length, `tick counts differ after ${text}`);
  assert.deepEqual(
    fast.sink.ticks.slice(before),
    general.sink.ticks.slice(before),
    `ticks differ after ${text}`,
  );
  assert.deepEqual(fast.context.counters, general.context.counters, `counters differ after ${text}`);
  assert.equal(fast.route.lastSequence, general.route.lastSequence, `sequence differs after ${text}`);
  assert.equal(fast.context.lastMalformed, general.context.lastMalformed);
  if (fast.book !== undefined) {
    assert.deepEqual(fast.book.counters, general.book!.counters, `book counters differ after ${text}`);
    assert.equal(fast.book.state, general.book!.state);
    assert.equal(fast.book.lastUpdateId, general.book!.lastUpdateId);
    assert.deepEqual(bookShape(fast.book), bookShape(general.book!));
  }
  return scanned !== GENERAL_PATH;
}

const decimal = (random: SeededRandom, scale: number) => {
  const mantissa = random.int(0, 10_000_000);
  const text = (mantissa / 10 ** scale).toFixed(scale);
  // Binance pads to the symbol's precision, often with more zeros than the tick size needs.
  return random.next() < 0.3 ? `${text}000` : text;
};

/** Ways a frame can differ from Binance's compact form, or be broken. */
const MANGLES: ((frame: string, random: SeededRandom) => string)[] = [
  (f) => f.replace(',"', ', "'),
  (f) => f.replace('{"stream"', '{ "stream"'),
  (f) => f.replace(/\}\}$/, '} }'),
  (f) => f.replace(/\}\}$/, '}}\n'),
  (f) => f.replace(/\}\}$/, ',"x":1}}'),
  (f) => f.replace(/\}\}$/, ',"x":{"y":[1,2]}}}'),
  (f) => f.replace(/\}\}$/, ',"x":"a\\"b","y":null,"z":-1.5e3}}'),
  (f) => f.replace('"data":{', '"data":{"E":5,'),
  (f) => f.replace('"data":{', '"data":{"u":5,'),
  (f) => f.replace('"data":{', '"data":{"b":[["1.00","1.00000"]],"p":"1.00",'),
  (f) => f.replace(/\}\}$/, ',"u":5,"t":5}}'),
  (f) => f.replace(/"[tuU]":(\d+)/, (_m, n: string) => `"t":0${n}`),
  (f) => f.replace(/"[tuU]":(\d+)/, (m) => m.replace(':', ':-')),
  (f) => f.replace(/"E":(\d+)/, '"E":$1.0'),
  (f) => f.replace(/"E":(\d+)/, '"E":1e3'),
  (f) => f.replace(/"[tua]":(\d+)/, (m) => `${m}9999999999999999`),
  (f) => f.replace(/"m":(true|false)/, '"m":"yes"'),
  (f) => f.replace(/"m":(true|false),?/, ''),
  (f) => f.replace(/"p":"[^"]*"/, '"p":"1.234567"'),
  (f) => f.replace(/"p":"[^"]*"/, '"p":"-12.5"'),
  (f) => f.replace(/"p":"[^"]*"/, '"p":"12."'),
  (f) => f.replace(/"p":"[^"]*"/, '"p":12.5'),
  (f) => f.replace(/"q":"[^"]*"/, '"q":"0.00001000"'),
  (f) => f.replace(/"q":"[^"]*"/, '"q":"\\u0031.5"'),
  (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["$1","$2","x"]'),
  (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["$1",$2]'),
  (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["-$1","$2"]'),
  (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["$1","-$2"]'),
  (f) => f.replace(/"b":(\[.*?\]\]|\[\]),"a":(\[.*?\]\]|\[\])/, '"a":$2,"b":$1'),
  (f) => f.replace(/"U":(\d+),"u":(\d+)/, '"U":$2,"u":$1'),
  (f) => f.replace('"stream":"', '"stream":"x\\n'),
  (f, random) => f.slice(0, random.int(1, f.length - 1)),
  (f) => `${f}x`,
  (f) => f.replace(/"[a-zA-Z]":/, '"é":'),
];

function run(kind: RouteKind, frame: (random: SeededRandom, step: number) => string, withBook: boolean) {
  const stream = kind === 'depthDiff' ? 'btcusdt@depth@100ms' : `btcusdt@${kind}`;
  const fast = lane(kind, stream, withBook);
  const general = lane(kind, stream, withBook);
  const random = new SeededRandom(17);
  let taken = 0;
  const frames = 4_000;
  for (let step = 1; step <= frames; step++) {
    let text = frame(random, step);
    if (random.next() < 0.3) text = MANGLES[random.int(0, MANGLES.length - 1)]!(text, random);
    if (feedBoth(fast, general, text)) taken++;
    // A book that lost its place gets a snapshot (the same one on both lanes) to go on from.
    if (fast.book !== undefined && fast.book.state !== 'synced' && random.next() < 0.5) {
      const snapshot = { lastUpdateId: step * 10 - random.int(0, 15), bids: [], asks: [] };
      fast.book.applySnapshot(snapshot, 1_000, 0, fast.sink);
      general.book!.applySnapshot(snapshot, 1_000, 0, general.sink);
    }
  }
  assert.ok(fast.context.counters.malformed > 50, 'the mangled frames include broken ones');
  assert.ok(fast.sink.ticks.length > frames / 2, 'most frames are written, not dropped as duplicates');
  assert.ok(taken > frames / 3, `the scanner read ${taken} of ${frames} frames`);
}

const tradeFrame = (kind: 'trade' | 'aggTrade') => (random: SeededRandom, step: number) => {
  // Mostly increasing ids, some repeated (duplicates) or skipped back.
  const id = step - (random.next() < 0.1 ? random.int(1, 5) : 0);
  const p = decimal(random, PRICE_SCALE);
  const q = decimal(random, SIZE_SCALE);
  const m = random.next() < 0.5;
  const data =
    kind === 'trade'
      ? `{"e":"trade","E":${1_700_000_000_000 + step},"s":"BTCUSDT","t":${id},"p":"${p}","q":"${q}","T":${1_700_000_000_000 + step},"m":${m},"M":true}`
      : `{"e":"aggTrade","E":${1_700_000_000_000 + step},"s":"BTCUSDT","a":${id},"p":"${p}","q":"${q}","f":${id},"l":${id},"T":${1_700_000_000_000 + step},"m":${m},"M":true}`;
  return `{"stream":"btcusdt@${kind}","data":${data}}`;
};

const levels = (random: SeededRandom): string => {
  const list: BinanceLevel[] = [];
  for (let i = random.int(0, 6); i > 0; i--) {
    list.push([decimal(random, PRICE_SCALE), random.next() < 0.2 ? '0.00000' : decimal(random, SIZE_SCALE)]);
  }
  return JSON.stringify(list);
};

const depthFrame = (random: SeededRandom, step: number) => {
  // Update ids 10 per step; now and then a hole (a gap) or an old diff.
  const roll = random.next();
  const U = roll < 0.03 ? step * 10 - 30 : roll < 0.06 ? step * 10 + 4 : step * 10 - 9;
  const u = step * 10;
  return `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":${1_700_000_000_000 + step},"s":"BTCUSDT","U":${U},"u":${u},"b":${levels(random)},"a":${levels(random)}}}`;
};

describe('frame scanner: the same ticks and counts as JSON.parse', () => {
  it('trade frames', () => run('trade', tradeFrame('trade'), false));
  it('aggTrade frames', () => run('aggTrade', tradeFrame('aggTrade'), false));
  it('depth diffs without a local book', () => run('depthDiff', depthFrame, false));
  it('depth diffs into a local book, through gaps, resyncs and stale diffs', () =>
    run('depthDiff', depthFrame, true));
});
