import { TickwireError } from '../errors.ts';
import {
  ALLOWED_FLAGS_WITH_SIDE,
  ALLOWED_FLAGS_WITHOUT_SIDE,
  BAR,
  BOOK,
  FLAG,
  INTERVAL_MASK,
  INTERVAL_SHIFT,
  MAX_SYMBOL_ID,
  type MessageType,
  QUOTE,
  SIDE_MASK,
  TICK_BYTES,
  TRADE,
  WIRE_VERSION,
} from './layout.ts';
import { flagsProblem, headerProblem, intervalProblem, valuesProblem } from './rules.ts';
import { checkTime, checkTimeNs, msOfHalves, nanosOfMsOfHalves, storeTimes } from './time-ns.ts';

/**
 * Tick is a flyweight: one instance views a 64-byte tick inside any Uint8Array (a ring slot over
 * a SharedArrayBuffer, a socket chunk, a file) and reads or writes its fields in place. Moving it
 * to the next tick is `moveTo(offset)`; nothing is allocated per tick.
 *
 * Fields are accessed through a Uint32Array view, two 32-bit loads per 64-bit field, combined as
 * hi * 2^32 + lo. On Node 20 a prototype of the whole-tick encode and decode loops ran
 * about 1.7x faster this way than with DataView. The price of the typed array: the host must be
 * little-endian (the wire is; every platform Node ships for is, but it is checked) and each tick
 * must start on a 4-byte boundary of its ArrayBuffer. Rings put ticks at multiples of 64 and
 * Node's Buffers are 8-aligned, so this holds in practice; a misaligned tick fails loudly with
 * WIRE_MISALIGNED (copy it into a fresh Uint8Array first). validateTick has no such requirement.
 *
 * Getters do not check the type: `price` on a quote tick reads its bid price. Call validateTick
 * first on bytes you did not write yourself.
 */

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_WORDS = new Uint32Array(0);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// Word (u32) index of each field within a tick; word 0 is the header (version, type, scales, flags).
const W_VENUE_SYMBOL = 1;
const W_SEQUENCE = 2;
const W_EXCHANGE_TS = 4;
const W_RECEIVE_TS = 6;
const W_BODY = 8;
const TICK_WORDS = TICK_BYTES / 4;

// The writers run per tick and are meant to be inlined into their callers, so they read these
// module-private copies of the layout: V8 compiles a module's own `const` as a constant but an
// imported binding as a load and a check on every use. The 4- and 8-bit masks (0xf, 0xff, 3)
// are written as literals in the writers for the same budget reason (docs/WIRE.md, "Performance").
const VERSION_BITS = WIRE_VERSION << 4;
const TRADE_BITS = VERSION_BITS | TRADE;
const QUOTE_BITS = VERSION_BITS | QUOTE;
const BOOK_BITS = VERSION_BITS | BOOK;
const BAR_BITS = VERSION_BITS | BAR;
const SYMBOL_MASK = MAX_SYMBOL_ID;
const FLAGS_WITH_SIDE = ALLOWED_FLAGS_WITH_SIDE;
const ONE_BIT_FLAGS = ALLOWED_FLAGS_WITHOUT_SIDE;
const INTERVAL_BITS_SHIFT = INTERVAL_SHIFT;

export class Tick {
  // Every field is given a value of its final type where it is declared: a bare declaration
  // compiles to a class field that is undefined first, after which V8 keeps a tagged, checked
  // representation for it (a small-integer check or a typed-array map check on every read in
  // moveTo and the getters) instead of an unboxed integer or a known map.
  private bytesView: Uint8Array = EMPTY_BYTES;
  private words: Uint32Array = EMPTY_WORDS;
  /** Bytes between the start of `words` and the start of `bytesView` (0..3). */
  private lead = 0;
  private lastOffset = -1;
  /** Word index of the current tick in `words`. */
  private w = 0;

  /** A tick over `bytes` at `offset`; without arguments, over a fresh zeroed 64-byte buffer of its own. */
  constructor(bytes: Uint8Array = new Uint8Array(TICK_BYTES), offset = 0) {
    this.attach(bytes);
    this.moveTo(offset);
  }

  /** Views the tick at `offset` of `bytes`. Cheap when `bytes` is the buffer already wrapped. */
  wrap(bytes: Uint8Array, offset = 0): this {
    if (bytes !== this.bytesView) this.attach(bytes);
    return this.moveTo(offset);
  }

  /** Views the tick at `offset` of the wrapped buffer. */
  moveTo(offset: number): this {
    const fromWordStart = this.lead + offset;
    if (!(
      Number.isInteger(offset) &&
      offset >= 0 &&
      offset <= this.lastOffset &&
      (fromWordStart & 3) === 0
    )) {
      this.rejectOffset(offset);
    }
    this.w = fromWordStart >>> 2;
    return this;
  }

  /** The wrapped buffer. */
  get bytes(): Uint8Array {
    return this.bytesView;
  }

  /** Offset of the current tick within `bytes`. */
  get offset(): number {
    return this.w * 4 - this.lead;
  }

  // ---- header ----

  get version(): number {
    return (this.words[this.w]! >>> 4) & 0xf;
  }

  /** Message type code: 1 trade, 2 quote, 3 book, 4 bar (see MESSAGE_TYPES). */
  get type(): number {
    return this.words[this.w]! & 0xf;
  }

  get priceScale(): number {
    return (this.words[this.w]! >>> 8) & 0xf;
  }

  get sizeScale(): number {
    return (this.words[this.w]! >>> 12) & 0xf;
  }

  /** The whole u16 flag word; test single flags with hasFlag(FLAG.gap) etc. */
  get flags(): number {
    return this.words[this.w]! >>> 16;
  }

  /** 0 none, 1 buy/bid, 2 sell/ask (SIDE). */
  get side(): number {
    return (this.words[this.w]! >>> 16) & SIDE_MASK;
  }

  /** Bar interval code, the index into BAR_INTERVALS (bar ticks only). */
  get barInterval(): number {
    return (this.words[this.w]! >>> (16 + INTERVAL_SHIFT)) & 0xf;
  }

  hasFlag(bit: number): boolean {
    return ((this.words[this.w]! >>> 16) & bit) !== 0;
  }

  get venueId(): number {
    return this.words[this.w + W_VENUE_SYMBOL]! & 0xff;
  }

  get symbolId(): number {
    return this.words[this.w + W_VENUE_SYMBOL]! >>> 8;
  }

  /** Per-stream sequence (u64). Exact up to 2^53-1, which the writers enforce. Bars: use `volume`. */
  get sequence(): number {
    const w = this.w + W_SEQUENCE;
    return this.words[w + 1]! * 0x1_0000_0000 + this.words[w]!;
  }

  get exchangeMs(): number {
    const w = this.w + W_EXCHANGE_TS;
    return msOfHalves(this.words[w + 1]!, this.words[w]!);
  }

  get exchangeNanosOfMs(): number {
    const w = this.w + W_EXCHANGE_TS;
    return nanosOfMsOfHalves(this.words[w + 1]!, this.words[w]!);
  }

  get receiveMs(): number {
    const w = this.w + W_RECEIVE_TS;
    return msOfHalves(this.words[w + 1]!, this.words[w]!);
  }

  get receiveNanosOfMs(): number {
    const w = this.w + W_RECEIVE_TS;
    return nanosOfMsOfHalves(this.words[w + 1]!, this.words[w]!);
  }

  // ---- body ----

  /** Raw body value 0..3 as a signed 64-bit integer. */
  value(index: number): number {
    if ((index & 3) !== index) {
      throw new TickwireError('WIRE_OVERFLOW', `body value index ${index} is not an integer 0..3`);
    }
    return this.i64(W_BODY + 2 * index);
  }

  /** Trade and book: price mantissa at priceScale. */
  get price(): number {
    return this.i64(W_BODY);
  }
  /** Trade and book: size mantissa at sizeScale (book: 0 = level removed). */
  get size(): number {
    return this.i64(W_BODY + 2);
  }
  /** Trade: exchange trade id, 0 = none. */
  get tradeId(): number {
    return this.i64(W_BODY + 4);
  }
  get bidPrice(): number {
    return this.i64(W_BODY);
  }
  get bidSize(): number {
    return this.i64(W_BODY + 2);
  }
  get askPrice(): number {
    return this.i64(W_BODY + 4);
  }
  get askSize(): number {
    return this.i64(W_BODY + 6);
  }
  /** Book: first update id of the exchange event (Binance `U`), 0 = none. */
  get firstUpdateId(): number {
    return this.i64(W_BODY + 4);
  }
  /** Book: depth position in a partial-book snapshot, 0 otherwise. */
  get level(): number {
    return this.i64(W_BODY + 6);
  }
  get open(): number {
    return this.i64(W_BODY);
  }
  get high(): number {
    return this.i64(W_BODY + 2);
  }
  get low(): number {
    return this.i64(W_BODY + 4);
  }
  get close(): number {
    return this.i64(W_BODY + 6);
  }
  /** Bar: volume mantissa at sizeScale, carried in the sequence slot. */
  get volume(): number {
    return this.i64(W_SEQUENCE);
  }

  // ---- writers: one call writes all 64 bytes; nothing is written when a value is refused ----
  //
  // Each writer is one chain of cheap checks, the last of which (storeTimes) checks both times
  // and stores them only when they are valid, then plain stores. A Uint32Array store keeps the
  // low 32 bits of an integer (ToUint32 is an exact mod 2^32 below 2^53), so a checked value goes
  // to its low word as it is, and value / 2^32 to its high word: truncated for non-negative
  // values, and (v - (v >>> 0)) / 2^32, which is exact, for signed ones. The writers are shaped
  // to fit V8's inlining budget (docs/WIRE.md, "Performance"): checks in one chain rather than
  // helper calls, Number.isSafeInteger read into a local once, one call to reject. When the chain
  // fails, the reject* functions find the culprit and throw WIRE_OVERFLOW naming it.

  /** `side` goes in the flags (SIDE.buy / SIDE.sell: the aggressor). */
  writeTrade(
    venueId: number,
    symbolId: number,
    priceScale: number,
    sizeScale: number,
    sequence: number,
    flags: number,
    exchangeMs: number,
    exchangeNanosOfMs: number,
    receiveMs: number,
    receiveNanosOfMs: number,
    price: number,
    size: number,
    tradeId: number,
  ): this {
    const words = this.words;
    const w = this.w;
    const isSafeInteger = Number.isSafeInteger;
    if (!(
      venueId === (venueId & 0xff) &&
      symbolId === (symbolId & SYMBOL_MASK) &&
      priceScale === (priceScale & 0xf) &&
      sizeScale === (sizeScale & 0xf) &&
      flags === (flags & FLAGS_WITH_SIDE) &&
      (flags & 3) !== 3 &&
      isSafeInteger(sequence) &&
      sequence >= 0 &&
      isSafeInteger(price) &&
      isSafeInteger(size) &&
      size >= 0 &&
      isSafeInteger(tradeId) &&
      tradeId >= 0 &&
      storeTimes(words, w + W_EXCHANGE_TS, exchangeMs, exchangeNanosOfMs, receiveMs, receiveNanosOfMs)
    )) {
      rejectTrade(
        venueId,
        symbolId,
        priceScale,
        sizeScale,
        sequence,
        flags,
        exchangeMs,
        exchangeNanosOfMs,
        receiveMs,
        receiveNanosOfMs,
        price,
        size,
        tradeId,
      );
    }
    words[w] = TRADE_BITS | (priceScale << 8) | (sizeScale << 12) | (flags << 16);
    words[w + 1] = venueId | (symbolId << 8);
    words[w + 2] = sequence;
    words[w + 3] = sequence / 2 ** 32;
    words[w + 8] = price;
    words[w + 9] = (price - (price >>> 0)) / 2 ** 32;
    words[w + 10] = size;
    words[w + 11] = size / 2 ** 32;
    words[w + 12] = tradeId;
    words[w + 13] = tradeId / 2 ** 32;
    words[w + 14] = 0;
    words[w + 15] = 0;
    return this;
  }

  /** Top of book. Quotes carry no side. */
  writeQuote(
    venueId: number,
    symbolId: number,
    priceScale: number,
    sizeScale: number,
    sequence: number,
    flags: number,
    exchangeMs: number,
    exchangeNanosOfMs: number,
    receiveMs: number,
    receiveNanosOfMs: number,
    bidPrice: number,
    bidSize: number,
    askPrice: number,
    askSize: number,
  ): this {
    const words = this.words;
    const w = this.w;
    const isSafeInteger = Number.isSafeInteger;
    if (!(
      venueId === (venueId & 0xff) &&
      symbolId === (symbolId & SYMBOL_MASK) &&
      priceScale === (priceScale & 0xf) &&
      sizeScale === (sizeScale & 0xf) &&
      flags === (flags & ONE_BIT_FLAGS) &&
      isSafeInteger(sequence) &&
      sequence >= 0 &&
      isSafeInteger(bidPrice) &&
      isSafeInteger(bidSize) &&
      bidSize >= 0 &&
      isSafeInteger(askPrice) &&
      isSafeInteger(askSize) &&
      askSize >= 0 &&
      storeTimes(words, w + W_EXCHANGE_TS, exchangeMs, exchangeNanosOfMs, receiveMs, receiveNanosOfMs)
    )) {
      rejectQuote(
        venueId,
        symbolId,
        priceScale,
        sizeScale,
        sequence,
        flags,
        exchangeMs,
        exchangeNanosOfMs,
        receiveMs,
        receiveNanosOfMs,
        bidPrice,
        bidSize,
        askPrice,
        askSize,
      );
    }
    words[w] = QUOTE_BITS | (priceScale << 8) | (sizeScale << 12) | (flags << 16);
    words[w + 1] = venueId | (symbolId << 8);
    words[w + 2] = sequence;
    words[w + 3] = sequence / 2 ** 32;
    words[w + 8] = bidPrice;
    words[w + 9] = (bidPrice - (bidPrice >>> 0)) / 2 ** 32;
    words[w + 10] = bidSize;
    words[w + 11] = bidSize / 2 ** 32;
    words[w + 12] = askPrice;
    words[w + 13] = (askPrice - (askPrice >>> 0)) / 2 ** 32;
    words[w + 14] = askSize;
    words[w + 15] = askSize / 2 ** 32;
    return this;
  }

  /** One price-level change; side (bid/ask) goes in the flags; size 0 removes the level. */
  writeBook(
    venueId: number,
    symbolId: number,
    priceScale: number,
    sizeScale: number,
    sequence: number,
    flags: number,
    exchangeMs: number,
    exchangeNanosOfMs: number,
    receiveMs: number,
    receiveNanosOfMs: number,
    price: number,
    size: number,
    firstUpdateId: number,
    level: number,
  ): this {
    const words = this.words;
    const w = this.w;
    const isSafeInteger = Number.isSafeInteger;
    if (!(
      venueId === (venueId & 0xff) &&
      symbolId === (symbolId & SYMBOL_MASK) &&
      priceScale === (priceScale & 0xf) &&
      sizeScale === (sizeScale & 0xf) &&
      flags === (flags & FLAGS_WITH_SIDE) &&
      (flags & 3) !== 3 &&
      isSafeInteger(sequence) &&
      sequence >= 0 &&
      isSafeInteger(price) &&
      isSafeInteger(size) &&
      size >= 0 &&
      isSafeInteger(firstUpdateId) &&
      firstUpdateId >= 0 &&
      isSafeInteger(level) &&
      level >= 0 &&
      storeTimes(words, w + W_EXCHANGE_TS, exchangeMs, exchangeNanosOfMs, receiveMs, receiveNanosOfMs)
    )) {
      rejectBook(
        venueId,
        symbolId,
        priceScale,
        sizeScale,
        sequence,
        flags,
        exchangeMs,
        exchangeNanosOfMs,
        receiveMs,
        receiveNanosOfMs,
        price,
        size,
        firstUpdateId,
        level,
      );
    }
    words[w] = BOOK_BITS | (priceScale << 8) | (sizeScale << 12) | (flags << 16);
    words[w + 1] = venueId | (symbolId << 8);
    words[w + 2] = sequence;
    words[w + 3] = sequence / 2 ** 32;
    words[w + 8] = price;
    words[w + 9] = (price - (price >>> 0)) / 2 ** 32;
    words[w + 10] = size;
    words[w + 11] = size / 2 ** 32;
    words[w + 12] = firstUpdateId;
    words[w + 13] = firstUpdateId / 2 ** 32;
    words[w + 14] = level;
    words[w + 15] = level / 2 ** 32;
    return this;
  }

  /**
   * A candle. `interval` is the BAR_INTERVALS index (barIntervalCode('1m')); `flags` must leave
   * bits 4-7 clear (they receive the interval) and carry no side. The open time is the exchange
   * time; the volume travels in the sequence slot.
   */
  writeBar(
    venueId: number,
    symbolId: number,
    priceScale: number,
    sizeScale: number,
    volume: number,
    flags: number,
    interval: number,
    openMs: number,
    openNanosOfMs: number,
    receiveMs: number,
    receiveNanosOfMs: number,
    open: number,
    high: number,
    low: number,
    close: number,
  ): this {
    const words = this.words;
    const w = this.w;
    const isSafeInteger = Number.isSafeInteger;
    if (!(
      venueId === (venueId & 0xff) &&
      symbolId === (symbolId & SYMBOL_MASK) &&
      priceScale === (priceScale & 0xf) &&
      sizeScale === (sizeScale & 0xf) &&
      flags === (flags & ONE_BIT_FLAGS) &&
      interval === (interval & 0xf) &&
      isSafeInteger(volume) &&
      volume >= 0 &&
      isSafeInteger(open) &&
      isSafeInteger(high) &&
      isSafeInteger(low) &&
      isSafeInteger(close) &&
      storeTimes(words, w + W_EXCHANGE_TS, openMs, openNanosOfMs, receiveMs, receiveNanosOfMs)
    )) {
      rejectBar(
        venueId,
        symbolId,
        priceScale,
        sizeScale,
        volume,
        flags,
        interval,
        openMs,
        openNanosOfMs,
        receiveMs,
        receiveNanosOfMs,
        open,
        high,
        low,
        close,
      );
    }
    words[w] =
      BAR_BITS | (priceScale << 8) | (sizeScale << 12) | ((flags | (interval << INTERVAL_BITS_SHIFT)) << 16);
    words[w + 1] = venueId | (symbolId << 8);
    words[w + 2] = volume;
    words[w + 3] = volume / 2 ** 32;
    words[w + 8] = open;
    words[w + 9] = (open - (open >>> 0)) / 2 ** 32;
    words[w + 10] = high;
    words[w + 11] = (high - (high >>> 0)) / 2 ** 32;
    words[w + 12] = low;
    words[w + 13] = (low - (low >>> 0)) / 2 ** 32;
    words[w + 14] = close;
    words[w + 15] = (close - (close >>> 0)) / 2 ** 32;
    return this;
  }

  /** Sets one-bit flags (FLAG.gap | FLAG.stale …) without touching side or bar interval. */
  addFlags(bits: number): this {
    this.checkOneBitFlags(bits);
    this.words[this.w] = this.words[this.w]! | (bits << 16);
    return this;
  }

  /** Clears one-bit flags without touching side or bar interval. */
  removeFlags(bits: number): this {
    this.checkOneBitFlags(bits);
    this.words[this.w] = this.words[this.w]! & ~(bits << 16);
    return this;
  }

  /** Copies all 64 bytes of `source` over this tick. */
  copyFrom(source: Tick): this {
    const from = source.words;
    const to = this.words;
    const f = source.w;
    const t = this.w;
    if (from === to) {
      to.copyWithin(t, f, f + TICK_WORDS);
      return this;
    }
    for (let i = 0; i < TICK_WORDS; i++) to[t + i] = from[f + i]!;
    return this;
  }

  /** Zeroes the 64 bytes (an all-zero tick is invalid: version 0). */
  clear(): this {
    this.words.fill(0, this.w, this.w + TICK_WORDS);
    return this;
  }

  // ---- BigInt conveniences: each call allocates, keep them off the per-tick path ----

  exchangeTimeNs(): bigint {
    return this.u64Big(W_EXCHANGE_TS);
  }

  receiveTimeNs(): bigint {
    return this.u64Big(W_RECEIVE_TS);
  }

  setExchangeTimeNs(ns: bigint): this {
    checkTimeNs('exchangeTimeNs', ns);
    return this.setU64Big(W_EXCHANGE_TS, ns);
  }

  setReceiveTimeNs(ns: bigint): this {
    checkTimeNs('receiveTimeNs', ns);
    return this.setU64Big(W_RECEIVE_TS, ns);
  }

  // ---- internals ----

  private i64(word: number): number {
    const w = this.w + word;
    return (this.words[w + 1]! | 0) * 0x1_0000_0000 + this.words[w]!;
  }

  private u64Big(word: number): bigint {
    const w = this.w + word;
    return (BigInt(this.words[w + 1]!) << 32n) | BigInt(this.words[w]!);
  }

  private setU64Big(word: number, value: bigint): this {
    const w = this.w + word;
    this.words[w] = Number(value & 0xffff_ffffn);
    this.words[w + 1] = Number(value >> 32n);
    return this;
  }

  private attach(bytes: Uint8Array): void {
    if (!LITTLE_ENDIAN_HOST) {
      throw new TickwireError(
        'WIRE_MISALIGNED',
        'this host is big-endian; the tick codec needs a little-endian host',
      );
    }
    if (bytes.byteLength < TICK_BYTES) {
      throw new TickwireError(
        'WIRE_BAD_LENGTH',
        `a buffer of ${bytes.byteLength} bytes cannot hold a ${TICK_BYTES}-byte tick`,
      );
    }
    const lead = bytes.byteOffset % 4;
    this.words = new Uint32Array(
      bytes.buffer,
      bytes.byteOffset - lead,
      Math.floor((lead + bytes.byteLength) / 4),
    );
    this.bytesView = bytes;
    this.lead = lead;
    // Word indexes are u32 (moveTo's >>> 2): ticks must start in the first 4 GiB of a buffer.
    this.lastOffset = Math.min(bytes.byteLength, 2 ** 32) - TICK_BYTES;
  }

  private rejectOffset(offset: number): never {
    if (!(Number.isInteger(offset) && offset >= 0 && offset <= this.lastOffset)) {
      throw new TickwireError(
        'WIRE_BAD_LENGTH',
        `tick offset ${offset} is not an integer 0..${this.lastOffset} in a buffer of ${this.bytesView.byteLength} bytes`,
      );
    }
    throw new TickwireError(
      'WIRE_MISALIGNED',
      `tick offset ${offset} puts the tick at byte ${this.bytesView.byteOffset + offset} of its ArrayBuffer, ` +
        'not on a 4-byte boundary; copy the tick into a fresh Uint8Array',
    );
  }

  private checkOneBitFlags(bits: number): void {
    if ((bits & ONE_BIT_FLAGS) !== bits) {
      throw new TickwireError(
        'WIRE_OVERFLOW',
        `flags ${bits} are not a combination of the one-bit flags (${Object.keys(FLAG).join(', ')})`,
      );
    }
  }
}

// The reject* functions run only after a writer's combined check failed: they find the first
// offending field and throw WIRE_OVERFLOW naming it. One per writer, taking the writer's own
// parameter list, keeps the call in the writer (bytecode that counts against the inlining
// budget) as small as it can be.

function rejectTrade(
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
  sequence: number,
  flags: number,
  exchangeMs: number,
  exchangeNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  price: number,
  size: number,
  tradeId: number,
): never {
  rejectWrite(
    'trade',
    venueId,
    symbolId,
    priceScale,
    sizeScale,
    flags,
    0,
    sequence,
    exchangeMs,
    exchangeNanosOfMs,
    receiveMs,
    receiveNanosOfMs,
    price,
    size,
    tradeId,
    0,
  );
}

function rejectQuote(
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
  sequence: number,
  flags: number,
  exchangeMs: number,
  exchangeNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  bidPrice: number,
  bidSize: number,
  askPrice: number,
  askSize: number,
): never {
  rejectWrite(
    'quote',
    venueId,
    symbolId,
    priceScale,
    sizeScale,
    flags,
    0,
    sequence,
    exchangeMs,
    exchangeNanosOfMs,
    receiveMs,
    receiveNanosOfMs,
    bidPrice,
    bidSize,
    askPrice,
    askSize,
  );
}

function rejectBook(
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
  sequence: number,
  flags: number,
  exchangeMs: number,
  exchangeNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  price: number,
  size: number,
  firstUpdateId: number,
  level: number,
): never {
  rejectWrite(
    'book',
    venueId,
    symbolId,
    priceScale,
    sizeScale,
    flags,
    0,
    sequence,
    exchangeMs,
    exchangeNanosOfMs,
    receiveMs,
    receiveNanosOfMs,
    price,
    size,
    firstUpdateId,
    level,
  );
}

function rejectBar(
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
  volume: number,
  flags: number,
  interval: number,
  openMs: number,
  openNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  open: number,
  high: number,
  low: number,
  close: number,
): never {
  rejectWrite(
    'bar',
    venueId,
    symbolId,
    priceScale,
    sizeScale,
    flags,
    interval,
    volume,
    openMs,
    openNanosOfMs,
    receiveMs,
    receiveNanosOfMs,
    open,
    high,
    low,
    close,
  );
}

function rejectWrite(
  type: MessageType,
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
  flags: number,
  interval: number,
  sequenceSlot: number,
  exchangeMs: number,
  exchangeNanosOfMs: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): never {
  let problem = headerProblem(venueId, symbolId, priceScale, sizeScale) ?? flagsProblem(type, flags);
  if (problem === undefined && type === 'bar') {
    problem =
      (flags & INTERVAL_MASK) !== 0
        ? `flags 0x${flags.toString(16)} set bits 4-7; writeBar takes the interval as its own argument`
        : intervalProblem(interval);
  }
  if (problem !== undefined) throw new TickwireError('WIRE_OVERFLOW', `${type} tick: ${problem}`);
  checkTime(type === 'bar' ? 'bar open time' : `${type} exchange time`, exchangeMs, exchangeNanosOfMs);
  checkTime(`${type} receive time`, receiveMs, receiveNanosOfMs);
  problem = valuesProblem(type, sequenceSlot, v0, v1, v2, v3) ?? 'a value is out of range';
  throw new TickwireError('WIRE_OVERFLOW', `${type} tick: ${problem}`);
}
