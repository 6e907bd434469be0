/**
 * Stream name → entry, looked up from a frame's raw bytes without making a string: Binance writes
 * `{"stream":"btcusdt@depth@100ms",…` first, so the name is the bytes between the prefix and the
 * next quote. The name's bytes are hashed (FNV-1a, 32 bit) into an open-addressing table and the
 * candidate's stored bytes compared, so a frame costs a scan of its first few dozen bytes and no
 * allocation on the main thread.
 */

const encoder = new TextEncoder();
const PREFIX = encoder.encode('{"stream":"');
const QUOTE = 0x22;
const EMPTY = -1;

/** The frame does not start like a combined-stream frame (a reply, a notice, garbage). */
export const NOT_A_STREAM_FRAME = -2;
/** A combined-stream frame of a stream nobody added. */
export const UNKNOWN_STREAM = -1;

export class StreamTable<T> {
  private slots = new Int32Array(64).fill(EMPTY);
  private hashes = new Uint32Array(64);
  private readonly names: (Uint8Array | undefined)[] = [];
  private readonly values: (T | undefined)[] = [];
  private readonly free: number[] = [];
  private readonly byName = new Map<string, number>();
  private live = 0;
  private used = 0;

  get size(): number {
    return this.live;
  }

  set(name: string, value: T): void {
    const existing = this.byName.get(name);
    if (existing !== undefined) {
      this.values[existing] = value;
      return;
    }
    const bytes = encoder.encode(name);
    const entry = this.free.pop() ?? this.names.length;
    this.names[entry] = bytes;
    this.values[entry] = value;
    this.byName.set(name, entry);
    this.live++;
    if ((this.used + 1) * 2 > this.slots.length) this.rebuild(this.slots.length * 2);
    this.place(entry, hashOf(bytes, 0, bytes.length));
  }

  get(name: string): T | undefined {
    const entry = this.byName.get(name);
    return entry === undefined ? undefined : this.values[entry];
  }

  delete(name: string): boolean {
    const entry = this.byName.get(name);
    if (entry === undefined) return false;
    this.byName.delete(name);
    this.names[entry] = undefined;
    this.values[entry] = undefined;
    this.free.push(entry);
    this.live--;
    // Its table slot stays (emptying it would cut probe chains) until the next rebuild. Should the
    // entry be reused meanwhile, the stale slot can only match the new name, which is right.
    return true;
  }

  /**
   * The entry of the frame in `bytes`: the value, or NOT_A_STREAM_FRAME / UNKNOWN_STREAM (as
   * numbers, so nothing is allocated); `lookupName` says which name the frame carries.
   */
  lookup(bytes: Uint8Array): T | typeof NOT_A_STREAM_FRAME | typeof UNKNOWN_STREAM {
    const length = bytes.length;
    const start = PREFIX.length;
    if (length <= start) return NOT_A_STREAM_FRAME;
    for (let i = 0; i < start; i++) if (bytes[i] !== PREFIX[i]) return NOT_A_STREAM_FRAME;
    let end = start;
    let hash = 0x811c9dc5;
    while (end < length) {
      const byte = bytes[end]!;
      if (byte === QUOTE) break;
      hash = Math.imul(hash ^ byte, 0x01000193);
      end++;
    }
    if (end === length) return NOT_A_STREAM_FRAME;
    hash >>>= 0;
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const entry = slots[at]!;
      if (entry === EMPTY) return UNKNOWN_STREAM;
      const name = this.names[entry];
      if (this.hashes[at] === hash && name !== undefined && sameBytes(name, bytes, start, end)) {
        return this.values[entry]!;
      }
    }
  }

  private place(entry: number, hash: number): void {
    const mask = this.slots.length - 1;
    let at = hash & mask;
    while (this.slots[at] !== EMPTY) at = (at + 1) & mask;
    this.slots[at] = entry;
    this.hashes[at] = hash;
    this.used++;
  }

  private rebuild(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    this.hashes = new Uint32Array(size);
    this.used = 0;
    for (let entry = 0; entry < this.names.length; entry++) {
      const name = this.names[entry];
      if (name !== undefined) this.place(entry, hashOf(name, 0, name.length));
    }
  }
}

function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

function sameBytes(name: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}
