import { FLAG, SIDE, TICK_BYTES, Tick } from '../src/wire/index.ts';
import { type Bench, timePerOp } from './harness.ts';

/**
 * Encode and decode of one trade tick against JSON.stringify / JSON.parse of the same trade as a
 * plain object of numbers. Inputs vary with the loop index (so no value is a constant the JIT
 * could fold) but always have the same shape; every decoded field is folded into a checksum, and
 * the binary and JSON decode checksums must agree, which also proves both read the same trades.
 */

const SLOTS = 1024; // ticks in the buffer cycled through: 64 KiB, like a hot ring region
const MASK = SLOTS - 1;
const VENUE_ID = 1;
const PRICE_SCALE = 2;
const SIZE_SCALE = 8;
const BASE_MS = 1_763_719_200_000;

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

// The i-th trade, field by field; used by both codecs so they see identical values.
const symbolOf = (i: number) => i & 7;
const flagsOf = (i: number) => (i & 1 ? SIDE.buy : SIDE.sell) | (i & 16 ? FLAG.final : 0);
const nanosOf = (i: number) => (i * 977) & 0x7ffff;
const priceOf = (i: number) => 6_712_345 + (i & 4095);
const sizeOf = (i: number) => 100_000 + i;

function plainTrade(i: number): PlainTrade {
  return {
    venueId: VENUE_ID,
    symbolId: symbolOf(i),
    priceScale: PRICE_SCALE,
    sizeScale: SIZE_SCALE,
    seq: i,
    flags: flagsOf(i),
    exchangeMs: BASE_MS + i,
    exchangeNanosOfMs: nanosOf(i),
    receiveMs: BASE_MS + i + 2,
    receiveNanosOfMs: nanosOf(i + 1),
    price: priceOf(i),
    size: sizeOf(i),
    tradeId: i + 1,
  };
}

function encodeBinary(tick: Tick, bytes: Uint8Array, iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const offset = (i & MASK) << 6;
    tick
      .moveTo(offset)
      .writeTrade(
        VENUE_ID,
        symbolOf(i),
        PRICE_SCALE,
        SIZE_SCALE,
        i,
        flagsOf(i),
        BASE_MS + i,
        nanosOf(i),
        BASE_MS + i + 2,
        nanosOf(i + 1),
        priceOf(i),
        sizeOf(i),
        i + 1,
      );
    checksum += bytes[offset + 8]! + bytes[offset + 33]!;
  }
  return checksum;
}

function encodeJson(iterations: number): number {
  let checksum = 0;
  for (let i = 0; i < iterations; i++) {
    const text = JSON.stringify({
      venueId: VENUE_ID,
      symbolId: symbolOf(i),
      priceScale: PRICE_SCALE,
      sizeScale: SIZE_SCALE,
      seq: i,
      flags: flagsOf(i),
      exchangeMs: BASE_MS + i,
      exchangeNanosOfMs: nanosOf(i),
      receiveMs: BASE_MS + i + 2,
      receiveNanosOfMs: nanosOf(i + 1),
      price: priceOf(i),
      size: sizeOf(i),
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
      checksum: encodeChecksum,
      baseline_checksum: encodeJsonChecksum,
    });

    // Decode inputs: the first SLOTS trades, both as ticks and as JSON text.
    const texts: string[] = [];
    for (let i = 0; i < SLOTS; i++) {
      const trade = plainTrade(i);
      texts.push(JSON.stringify(trade));
      tick
        .moveTo(i * TICK_BYTES)
        .writeTrade(
          trade.venueId,
          trade.symbolId,
          trade.priceScale,
          trade.sizeScale,
          trade.seq,
          trade.flags,
          trade.exchangeMs,
          trade.exchangeNanosOfMs,
          trade.receiveMs,
          trade.receiveNanosOfMs,
          trade.price,
          trade.size,
          trade.tradeId,
        );
    }
    let decodeChecksum = 0;
    const decodeNs = timePerOp(
      (n) => {
        decodeChecksum = decodeBinary(tick, n);
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
    // Same trades, same fields: the sums agree whenever the iteration count is a multiple of SLOTS
    // apart; compare over one pass to be independent of the counts timed above.
    const agree = decodeBinary(tick, SLOTS) === decodeJson(texts, SLOTS);
    if (!agree)
      ctx.note('binary and JSON decode checksums DIFFER: the codec read something else than was written');
    ctx.report({
      metric: 'decode_ns',
      value: decodeNs,
      unit: 'ns/tick',
      better: 'lower',
      baseline: 'JSON.parse',
      baseline_value: decodeJsonNs,
      checksum: decodeChecksum,
      baseline_checksum: decodeJsonChecksum,
      checksums_agree: agree,
    });
  },
} satisfies Bench;
