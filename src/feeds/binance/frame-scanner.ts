import { POW10 } from '../../wire/fixed-point.ts';
import { SIDE } from '../../wire/index.ts';
import { LevelScratch } from './tick-writers.ts';

/**
 * Reads the two payloads that make up most of a Binance feed — trades (`trade`, `aggTrade`) and
 * depth diffs — straight from a combined-stream frame's bytes, without decoding the text or
 * building objects: integers and decimal strings become numbers (price and size mantissas) as
 * the bytes go by. In a pipeline worker JSON.parse was most of the cost of a tick.
 *
 * It reads only the compact form Binance sends (`{"stream":"…","data":{…}}`, no whitespace, no
 * escapes, plain non-negative numbers) and answers false for anything else: a frame it does not
 * read is not judged here but handed to the general path (JSON.parse), which accepts every valid
 * frame and names what is wrong with a bad one. So every frame gets exactly the ticks and counts
 * the general path would give it; test/feeds/frame-scanner.test.ts checks that on real and on
 * mangled frames.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const POINT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;
const NINE = 0x39;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const SPACE = 0x20;

/** `{"stream":"` and `,"data":{`, the compact frame's fixed parts. */
const FRAME_HEAD = Uint8Array.from('{"stream":"', (c) => c.charCodeAt(0));
const DATA_HEAD = Uint8Array.from(',"data":{', (c) => c.charCodeAt(0));
/** More digits than this may not be a safe integer: left to the general path. */
const MAX_INTEGER_DIGITS = 15;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** What `integer()` and `decimal()` return for a value the general path must judge. */
const UNREAD = -1;

/** What was read from one frame; reused from frame to frame. */
export class ScannedPayload {
  eventTime = 0;
  /** Trade or aggregate trade id; a diff's last update id (`u`). */
  sequence = 0;
  /** A diff's first update id (`U`). */
  firstUpdateId = 0;
  tradeTime = 0;
  price = 0;
  quantity = 0;
  buyerIsMaker = false;
  readonly levels = new LevelScratch();
}

/** The one-character keys read, by their byte. */
const KEY = { E: 0x45, U: 0x55, u: 0x75, b: 0x62, a: 0x61, t: 0x74, p: 0x70, q: 0x71, T: 0x54, m: 0x6d };

/** A cursor over one frame's bytes. Every read returns UNREAD / false as soon as a byte is unexpected. */
class CompactJson {
  bytes: Uint8Array = new Uint8Array(0);
  at = 0;
  end = 0;

  /** A view of the frame alone: a read past its end gives undefined, which no check accepts. */
  reset(frame: Uint8Array): void {
    this.bytes = frame;
    this.at = 0;
    this.end = frame.length;
  }

  /** Skips `{"stream":"<name>","data":{`. */
  openFrame(): boolean {
    if (!this.literal(FRAME_HEAD)) return false;
    if (!this.skipStringBody()) return false;
    return this.literal(DATA_HEAD);
  }

  /** After the payload's `}`: the frame's `}` and nothing more. */
  closeFrame(): boolean {
    return this.at + 1 === this.end && this.bytes[this.at] === CLOSE_BRACE;
  }

  /**
   * The next key of the payload, after its `{` or a value: its byte when it has one character, 0
   * for a longer one, UNREAD at the payload's `}` (consumed) or on anything unexpected (`at` is
   * then past the end).
   */
  key(first: boolean): number {
    const bytes = this.bytes;
    if (bytes[this.at] === CLOSE_BRACE) {
      this.at++;
      return UNREAD;
    }
    if (!first) {
      if (bytes[this.at] !== COMMA) return this.fail();
      this.at++;
    }
    if (bytes[this.at] !== QUOTE) return this.fail();
    const start = ++this.at;
    if (!this.skipStringBody()) return this.fail();
    const length = this.at - 1 - start;
    if (bytes[this.at] !== COLON) return this.fail();
    this.at++;
    return length === 1 ? bytes[start]! : 0;
  }

  /** A non-negative integer of at most 15 digits, as JSON writes it (no sign, fraction or exponent). */
  integer(): number {
    const bytes = this.bytes;
    const start = this.at;
    let value = 0;
    let code = bytes[this.at]!;
    while (code >= ZERO && code <= NINE) {
      value = value * 10 + (code - ZERO);
      code = bytes[++this.at]!;
    }
    const digits = this.at - start;
    if (digits === 0 || digits > MAX_INTEGER_DIGITS || (digits > 1 && bytes[start] === ZERO))
      return this.fail();
    if (code !== COMMA && code !== CLOSE_BRACE) return this.fail();
    return value;
  }

  /** `true` → 1, `false` → 0. */
  boolean(): number {
    const bytes = this.bytes;
    const at = this.at;
    if (bytes[at] === 0x74 && bytes[at + 1] === 0x72 && bytes[at + 2] === 0x75 && bytes[at + 3] === 0x65) {
      this.at += 4;
      return 1;
    }
    if (
      bytes[at] === 0x66 &&
      bytes[at + 1] === 0x61 &&
      bytes[at + 2] === 0x6c &&
      bytes[at + 3] === 0x73 &&
      bytes[at + 4] === 0x65
    ) {
      this.at += 5;
      return 0;
    }
    return this.fail();
  }

  /**
   * A quoted non-negative decimal as a mantissa at `scale`, by parseDecimal's rules; UNREAD for
   * anything parseDecimal would reject or that needs its judgement (a sign, too many decimals, an
   * unsafe mantissa).
   */
  decimal(scale: number): number {
    const bytes = this.bytes;
    if (bytes[this.at] !== QUOTE) return this.fail();
    this.at++;
    let mantissa = 0;
    let integerDigits = 0;
    let fractionDigits = 0;
    let kept = 0;
    let sawPoint = false;
    for (;;) {
      const code = bytes[this.at++]!;
      if (code >= ZERO && code <= NINE) {
        if (!sawPoint) integerDigits++;
        else if (++fractionDigits > scale) {
          if (code !== ZERO) return this.fail();
          continue;
        } else kept++;
        mantissa = mantissa * 10 + (code - ZERO);
      } else if (code === POINT && !sawPoint) {
        sawPoint = true;
      } else if (code === QUOTE) {
        break;
      } else {
        return this.fail();
      }
    }
    if (integerDigits === 0 || (sawPoint && fractionDigits === 0)) return this.fail();
    if (kept < scale) mantissa *= POW10[scale - kept]!;
    return mantissa > MAX_SAFE ? this.fail() : mantissa;
  }

  /**
   * `[["price","quantity"],…]` appended to `levels` as `side`; false when a level is not exactly
   * two decimals the general path would take as they are.
   */
  levels(side: number, priceScale: number, sizeScale: number, levels: LevelScratch): boolean {
    const bytes = this.bytes;
    if (bytes[this.at] !== OPEN_BRACKET) return false;
    this.at++;
    if (bytes[this.at] === CLOSE_BRACKET) {
      this.at++;
      return true;
    }
    for (;;) {
      if (bytes[this.at] !== OPEN_BRACKET) return false;
      this.at++;
      const price = this.decimal(priceScale);
      if (price === UNREAD || bytes[this.at] !== COMMA) return false;
      this.at++;
      const size = this.decimal(sizeScale);
      if (size === UNREAD || bytes[this.at] !== CLOSE_BRACKET) return false;
      this.at++;
      levels.push(side, price, size);
      const next = bytes[this.at++];
      if (next === CLOSE_BRACKET) return true;
      if (next !== COMMA) return false;
    }
  }

  /** Skips a string, a number or a literal (the value of a key not read); false for an object or array. */
  skipValue(): boolean {
    const bytes = this.bytes;
    const code = bytes[this.at]!;
    if (code === QUOTE) {
      this.at++;
      return this.skipStringBody();
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) return false;
    // A number or true/false/null: up to the next separator; JSON.parse judges its spelling.
    while (this.at < this.end) {
      const next = bytes[this.at]!;
      if (next === COMMA || next === CLOSE_BRACE) return true;
      if (next <= SPACE || next === QUOTE || next === OPEN_BRACKET || next === OPEN_BRACE) return false;
      this.at++;
    }
    return false;
  }

  /** Past the closing quote of a string without escapes or control characters. */
  private skipStringBody(): boolean {
    const bytes = this.bytes;
    const end = this.end;
    while (this.at < end) {
      const code = bytes[this.at++]!;
      if (code === QUOTE) return true;
      if (code === BACKSLASH || code < SPACE) return false;
    }
    return false;
  }

  private literal(expected: Uint8Array): boolean {
    const bytes = this.bytes;
    if (this.at + expected.length > this.end) return false;
    for (let i = 0; i < expected.length; i++) if (bytes[this.at + i] !== expected[i]) return false;
    this.at += expected.length;
    return true;
  }

  /** Moves past the end, so the caller's next check fails too, and returns UNREAD. */
  private fail(): number {
    this.at = this.end + 1;
    return UNREAD;
  }
}

const reader = new CompactJson();

/**
 * A `trade` (id key `t`) or `aggTrade` (id key `a`) frame into `out`: the id, trade time `T`,
 * price `p`, quantity `q` and maker flag `m`. False: take the general path.
 */
export function scanTrade(
  frame: Uint8Array,
  idKey: 't' | 'a',
  priceScale: number,
  sizeScale: number,
  out: ScannedPayload,
): boolean {
  const json = reader;
  json.reset(frame);
  if (!json.openFrame()) return false;
  const id = KEY[idKey];
  // A bit per key read: all of them must come, none twice (JSON.parse would keep the last).
  let seen = 0;
  for (let first = true; ; first = false) {
    const key = json.key(first);
    if (key === UNREAD) break;
    let mark = 0;
    let value: number;
    if (key === id) {
      mark = 1;
      value = out.sequence = json.integer();
    } else if (key === KEY.T) {
      mark = 2;
      value = out.tradeTime = json.integer();
    } else if (key === KEY.p) {
      mark = 4;
      value = out.price = json.decimal(priceScale);
    } else if (key === KEY.q) {
      mark = 8;
      value = out.quantity = json.decimal(sizeScale);
    } else if (key === KEY.m) {
      mark = 16;
      value = json.boolean();
      out.buyerIsMaker = value === 1;
    } else value = json.skipValue() ? 0 : UNREAD;
    if (value === UNREAD || (seen & mark) !== 0) return false;
    seen |= mark;
  }
  return seen === 31 && json.closeFrame();
}

/** A `depthUpdate` frame into `out`: `E`, `U`, `u` and the levels of `b` and `a`. False: take the general path. */
export function scanDepthDiff(
  frame: Uint8Array,
  priceScale: number,
  sizeScale: number,
  out: ScannedPayload,
): boolean {
  const json = reader;
  json.reset(frame);
  if (!json.openFrame()) return false;
  const levels = out.levels;
  levels.count = 0;
  let seen = 0;
  for (let first = true; ; first = false) {
    const key = json.key(first);
    if (key === UNREAD) break;
    let mark = 0;
    let ok: boolean;
    if (key === KEY.E) {
      mark = 1;
      ok = (out.eventTime = json.integer()) !== UNREAD;
    } else if (key === KEY.U) {
      mark = 2;
      ok = (out.firstUpdateId = json.integer()) !== UNREAD;
    } else if (key === KEY.u) {
      mark = 4;
      ok = (out.sequence = json.integer()) !== UNREAD;
    } else if (key === KEY.b) {
      mark = 8;
      // Bids are written before asks; asks first is left to the general path, which does that.
      ok = (seen & 16) === 0 && json.levels(SIDE.bid, priceScale, sizeScale, levels);
    } else if (key === KEY.a) {
      mark = 16;
      ok = json.levels(SIDE.ask, priceScale, sizeScale, levels);
    } else ok = json.skipValue();
    if (!ok || (seen & mark) !== 0) return false;
    seen |= mark;
  }
  return seen === 31 && out.firstUpdateId <= out.sequence && json.closeFrame();
}
