import { FLAG, SIDE, TICK_BYTES, Tick } from '../src/wire/index.ts';
import { type Bench, timePerOp } from './harness.ts';

/**
 * Encode and decode of one trade tick against JSON.stringify / JSON.parse of the same trade as a
 * plain object of numbers. Every input varies with the loop index, the venue and the scales too
 * (looked up per symbol, as a feed handler looks them up in its SymbolRegistry): once the writer
 * is inlined into the loop, a constant argument would let the JIT fold that argument's checks
 * away. Every decoded field is folded into a checksum, and the checksums of one pass agree
 * between the binary, JSON and plain-number loops, which proves they all handled the same trades.
 *
 * `loop_overhead_ns` is what the same loop costs without the codec (generating the inputs,
 * moveTo, the checksum; see encodeOverhead and decodeOverhead). It is there to show how much of
 * `value` is the codec; `value` itself is the whole loop, overhead included.
 */

const SLOTS = 1024; // ticks in the buffer cycled through: 64 KiB, like a hot ring region
const MASK = SLOTS - 1;
const BASE_MS = 1_763_719_200_000;

// Eight symbols on the two venues, each with its own scales.
const VENUE_OF_SYMBOL = [1, 2, 1, 2, 1, 2, 1, 2];
const PRICE_SCALE_OF_SYMBOL = [2, 2, 8, 4, 1, 2, 0, 5];
const SIZE_SCALE_OF_SYMBOL = [8, 8, 3, 6, 8, 4, 2, 8];

interface PlainTrade {
  venueId: number;
  symbolId: number;
  priceScale: number;
  sizeScale: number;
  seq: number;
  flags: number;
  exchangeMs: number;
  exchangeNanosOfMs: number;
  receiveMs: number;
  receiveNanosOfMs: number;
  price: number;
  size: number;
  tradeId: number;
}

// The i-th trade. The timed loops below spell the same expressions out rather than calling
// helpers: a loop that calls helpers spends V8's inlining budget on them (see docs/WIRE.md,
// "Performance"), which a feed handler reading parsed fields does not. The checksum comparison
// at the end proves the encode loop wrote exactly these trades.
const BUY = SIDE.buy;
const SELL = SIDE.sell;
const FINAL = FLAG.final;

function plainTrade(i: number): PlainTrade {
  const symbol = i & 7;
  return {
    venueId: VENUE_OF_SYMBOL[symbol]!,
    symbolId: symbol,
    priceScale: PRICE_SCALE_OF_SYMBOL[symbol]!,
    sizeScale: SIZE_SCALE_OF_SYMBOL[symbol]!,
    seq: i,
    flags: (i & 1 ? BUY : SELL) | (i & 16 ? FINAL : 0),
    exchangeMs: BASE_MS + i,
    exchangeNanosOfMs: (i * 977) & 0x7ffff,
    receiveMs: BASE_MS + i + 2,
    receiveNanosOfMs: ((i + 1) * 977) & 0x7ffff,
    price: 6_712_345 + (i & 4095),
    size: 100_000 + i,
    tradeId: i + 1,
  };
}

function encodeBinary(tick: Tick, bytes: Uint8Array, iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const offset = (i & MASK) << 6;
    const symbol = i & 7;
    tick
      .moveTo(offset)
      .writeTrade(
        VENUE_OF_SYMBOL[symbol]!,
        symbol,
        PRICE_SCALE_OF_SYMBOL[symbol]!,
        SIZE_SCALE_OF_SYMBOL[symbol]!,
        i,
        (i & 1 ? BUY : SELL) | (i & 16 ? FINAL : 0),
        BASE_MS + i,
        (i * 977) & 0x7ffff,
        BASE_MS + i + 2,
        ((i + 1) * 977) & 0x7ffff,
        6_712_345 + (i & 4095),
        100_000 + i,
        i + 1,
      );
    checksum += bytes[offset + 8]! + bytes[offset + 33]!;
  }
  return checksum;
}

/** encodeBinary without the writer: its 13 arguments are xor-ed into the checksum instead. */
function encodeOverhead(tick: Tick, bytes: Uint8Array, iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const offset = (i & MASK) << 6;
    const symbol = i & 7;
    tick.moveTo(offset);
    checksum +=
      (VENUE_OF_SYMBOL[symbol]! ^
        symbol ^
        PRICE_SCALE_OF_SYMBOL[symbol]! ^
        SIZE_SCALE_OF_SYMBOL[symbol]! ^
        i ^
        ((i & 1 ? BUY : SELL) | (i & 16 ? FINAL : 0)) ^
        (BASE_MS + i) ^
        ((i * 977) & 0x7ffff) ^
        (BASE_MS + i + 2) ^
        (((i + 1) * 977) & 0x7ffff) ^
        (6_712_345 + (i & 4095)) ^
        (100_000 + i) ^
        (i + 1)) +
      bytes[offset + 8]! +
      bytes[offset + 33]!;
  }
  return checksum;
}

function encodeJson(iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const symbol = i & 7;
    const text = JSON.stringify({
      venueId: VENUE_OF_SYMBOL[symbol]!,
      symbolId: symbol,
      priceScale: PRICE_SCALE_OF_SYMBOL[symbol]!,
      sizeScale: SIZE_SCALE_OF_SYMBOL[symbol]!,
      seq: i,
      flags: (i & 1 ? BUY : SELL) | (i & 16 ? FINAL : 0),
      exchangeMs: BASE_MS + i,
      exchangeNanosOfMs: (i * 977) & 0x7ffff,
      receiveMs: BASE_MS + i + 2,
      receiveNanosOfMs: ((i + 1) * 977) & 0x7ffff,
      price: 6_712_345 + (i & 4095),
      size: 100_000 + i,
      tradeId: i + 1,
    } satisfies PlainTrade);
    checksum += text.length + text.charCodeAt(text.length - 2);
  }
  return checksum;
}

function decodeBinary(tick: Tick, iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    tick.moveTo((i & MASK) << 6);
    checksum +=
      tick.venueId +
      tick.symbolId +
      tick.priceScale +
      tick.sizeScale +
      tick.sequence +
      tick.flags +
      tick.exchangeMs +
      tick.exchangeNanosOfMs +
      tick.receiveMs +
      tick.receiveNanosOfMs +
      tick.price +
      tick.size +
      tick.tradeId;
  }
  return checksum;
}

/** decodeBinary with the 13 getters replaced by loads from a Float64Array of the same values. */
function decodeOverhead(tick: Tick, fields: Float64Array, iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    tick.moveTo((i & MASK) << 6);
    const f = (i & MASK) * 13;
    checksum +=
      fields[f]! +
      fields[f + 1]! +
      fields[f + 2]! +
      fields[f + 3]! +
      fields[f + 4]! +
      fields[f + 5]! +
      fields[f + 6]! +
      fields[f + 7]! +
      fields[f + 8]! +
      fields[f + 9]! +
      fields[f + 10]! +
      fields[f + 11]! +
      fields[f + 12]!;
  }
  return checksum;
}

function decodeJson(texts: readonly string[], iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const trade = JSON.parse(texts[i & MASK]!) as PlainTrade;
    checksum +=
      trade.venueId +
      trade.symbolId +
      trade.priceScale +
      trade.sizeScale +
      trade.seq +
      trade.flags +
      trade.exchangeMs +
      trade.exchangeNanosOfMs +
      trade.receiveMs +
      trade.receiveNanosOfMs +
      trade.price +
      trade.size +
      trade.tradeId;
  }
  return checksum;
}

export default {
  name: 'wire',
  description: 'encode/decode of a 64-byte trade tick vs JSON.stringify/JSON.parse of the same trade',
  async run(ctx) {
    const iterations = ctx.quick ? 300_000 : 1_000_000;
    const rounds = ctx.quick ? 7 : 15;
    const bytes = new Uint8Array(SLOTS * TICK_BYTES);
    const tick = new Tick(bytes);

    let encodeChecksum = 0;
    const encodeNs = timePerOp(
      (n) => {
        encodeChecksum = encodeBinary(tick, bytes, n);
      },
      { iterations, rounds },
    );
    const encodeOverheadNs = timePerOp(
      (n) => {
        encodeOverhead(tick, bytes, n);
      },
      { iterations, rounds },
    );
    let encodeJsonChecksum = 0;
    const encodeJsonNs = timePerOp(
      (n) => {
        encodeJsonChecksum = encodeJson(n);
      },
      { iterations: iterations / 5, rounds },
    );
    ctx.report({
      metric: 'encode_ns',
      value: encodeNs,
      unit: 'ns/tick',
      better: 'lower',
      baseline: 'JSON.stringify',
      baseline_value: encodeJsonNs,
      loop_overhead_ns: Number(encodeOverheadNs.toFixed(2)),
      checksum: encodeChecksum,
      baseline_checksum: encodeJsonChecksum,
    });

    // Decode inputs: the first SLOTS trades, as ticks (written by the timed encode loop itself),
    // as JSON text and as plain numbers.
    encodeBinary(tick, bytes, SLOTS);
    const texts: string[] = [];
    const fields = new Float64Array(SLOTS * 13);
    for (let i = 0; i < SLOTS; i++) {
      const trade = plainTrade(i);
      texts.push(JSON.stringify(trade));
      fields.set(Object.values(trade), i * 13);
    }
    let decodeChecksum = 0;
    const decodeNs = timePerOp(
      (n) => {
        decodeChecksum = decodeBinary(tick, n);
      },
      { iterations, rounds },
    );
    const decodeOverheadNs = timePerOp(
      (n) => {
        decodeOverhead(tick, fields, n);
      },
      { iterations, rounds },
    );
    let decodeJsonChecksum = 0;
    const decodeJsonNs = timePerOp(
      (n) => {
        decodeJsonChecksum = decodeJson(texts, n);
      },
      { iterations: iterations / 5, rounds },
    );
    // Same trades, same fields, whichever loop produced them: compare one pass over the buffer
    // (sums below 2^53, so exact), independent of the iteration counts timed above.
    const decodeOnePass = decodeBinary(tick, SLOTS);
    const jsonTextsChecksum = texts.reduce(
      (sum, text) => sum + text.length + text.charCodeAt(text.length - 2),
      0,
    );
    const agree =
      decodeOnePass === decodeJson(texts, SLOTS) &&
      decodeOnePass === decodeOverhead(tick, fields, SLOTS) &&
      encodeJson(SLOTS) === jsonTextsChecksum;
    if (!agree) ctx.note('checksums DIFFER: the loops did not all encode and decode the same trades');
    ctx.report({
      metric: 'decode_ns',
      value: decodeNs,
      unit: 'ns/tick',
      better: 'lower',
      baseline: 'JSON.parse',
      baseline_value: decodeJsonNs,
      loop_overhead_ns: Number(decodeOverheadNs.toFixed(2)),
      checksum: decodeChecksum,
      baseline_checksum: decodeJsonChecksum,
      checksums_agree: agree,
    });
  },
} satisfies Bench;
