import { TickwireError } from '../errors.ts';

/**
 * Byte layout of a shared ring. The header is four 128-byte lines so that what the producer
 * writes, what the consumer writes and the rarely touched wait words never share a cache line
 * (128 bytes rather than 64 also defeats the adjacent-line prefetcher). docs/SHM.md draws it.
 */

/** What the producer does when the ring has fewer free slots than it asked for. */
export const FULL_POLICIES = ['block', 'drop-newest', 'drop-oldest'] as const;
export type FullPolicy = (typeof FULL_POLICIES)[number];

/** "TWRG" read as a little-endian u32: marks a buffer as a Tickwire ring. */
export const RING_MAGIC = 0x47525754;
/** Bumped whenever a field below moves; attach refuses any other version. */
export const RING_LAYOUT_VERSION = 1;
export const CACHE_LINE_BYTES = 128;
export const HEADER_BYTES = 4 * CACHE_LINE_BYTES;
export const DEFAULT_SLOT_SIZE = 64;
export const MAX_CAPACITY = 2 ** 30;
export const MAX_SLOT_SIZE = 65536;

/** Byte offsets of header fields. */
export const HEADER = {
  // Line 0: written once at creation, read-only afterwards.
  magic: 0,
  version: 4,
  slotSize: 8,
  capacity: 12,
  policy: 16,
  // Line 1: written by the producer.
  writeCursor: 128,
  fullEvents: 136,
  droppedNewest: 144,
  droppedOldest: 152,
  producerHighWater: 160,
  // Line 2: written by the consumer (and, for drop-oldest rings, by the producer holding readOwner).
  readCursor: 256,
  consumed: 264,
  consumerHighWater: 272,
  readOwner: 276,
  // Line 3: eventcount words for blocking waits; touched only around a wait.
  dataSignal: 384,
  consumerWaiting: 388,
  spaceSignal: 392,
  producerWaiting: 396,
} as const;

/** Index of a 64-bit header field in a BigInt64Array over the buffer. */
export const I64 = {
  writeCursor: HEADER.writeCursor / 8,
  fullEvents: HEADER.fullEvents / 8,
  droppedNewest: HEADER.droppedNewest / 8,
  droppedOldest: HEADER.droppedOldest / 8,
  readCursor: HEADER.readCursor / 8,
  consumed: HEADER.consumed / 8,
} as const;

/** Index of a 32-bit header field in an Int32Array over the buffer. */
export const I32 = {
  magic: HEADER.magic / 4,
  version: HEADER.version / 4,
  slotSize: HEADER.slotSize / 4,
  capacity: HEADER.capacity / 4,
  policy: HEADER.policy / 4,
  producerHighWater: HEADER.producerHighWater / 4,
  consumerHighWater: HEADER.consumerHighWater / 4,
  readOwner: HEADER.readOwner / 4,
  dataSignal: HEADER.dataSignal / 4,
  consumerWaiting: HEADER.consumerWaiting / 4,
  spaceSignal: HEADER.spaceSignal / 4,
  producerWaiting: HEADER.producerWaiting / 4,
} as const;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Int32 index of the low half of a 64-bit header field (for change detection without BigInt). */
export function lowWordIndex(byteOffset: number): number {
  return byteOffset / 4 + (LITTLE_ENDIAN ? 0 : 1);
}

/** Values of the readOwner word (used only by drop-oldest rings). */
export const READ_OWNER = { idle: 0, reading: 1, dropping: 2 } as const;

export interface RingOptions {
  /** Number of slots; a power of two. */
  readonly capacity: number;
  /** Bytes per slot; a multiple of 8. Defaults to 64 (one tick). */
  readonly slotSize?: number;
  /** Full-ring policy, recorded in the header. Defaults to 'block'. */
  readonly policy?: FullPolicy;
}

/**
 * Everything a thread needs to attach to a ring. A plain object holding a SharedArrayBuffer, so it
 * can be posted or passed in `workerData`: the buffer is shared, not copied.
 */
export interface RingDescriptor {
  readonly buffer: SharedArrayBuffer;
  readonly capacity: number;
  readonly slotSize: number;
  readonly policy: FullPolicy;
}

/** Typed views over one ring's buffer, built once per attached side. */
export interface RingViews {
  readonly descriptor: RingDescriptor;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly words: Int32Array;
  readonly cursors: BigInt64Array;
}

export function ringByteLength(capacity: number, slotSize: number): number {
  return HEADER_BYTES + capacity * slotSize;
}

/** Allocates and initialises a ring. Cursors and counters start at zero. */
export function createRing(options: RingOptions): RingDescriptor {
  const capacity = options.capacity;
  const slotSize = options.slotSize ?? DEFAULT_SLOT_SIZE;
  const policy = options.policy ?? 'block';
  checkCapacity(capacity);
  checkSlotSize(slotSize);
  checkPolicy(policy);
  const buffer = new SharedArrayBuffer(ringByteLength(capacity, slotSize));
  const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  words[I32.magic] = RING_MAGIC;
  words[I32.version] = RING_LAYOUT_VERSION;
  words[I32.slotSize] = slotSize;
  words[I32.capacity] = capacity;
  words[I32.policy] = FULL_POLICIES.indexOf(policy);
  return { buffer, capacity, slotSize, policy };
}

/**
 * Checks that `descriptor.buffer` holds a ring laid out as the descriptor says and returns views
 * over it. Throws RING_LAYOUT_MISMATCH naming the first field that differs.
 */
export function openRing(descriptor: RingDescriptor): RingViews {
  const { buffer, capacity, slotSize, policy } = descriptor;
  if (!(buffer instanceof SharedArrayBuffer)) {
    throw new TickwireError(
      'RING_BAD_ARGUMENT',
      `ring buffer must be a SharedArrayBuffer, got ${typeName(buffer)}`,
    );
  }
  checkCapacity(capacity);
  checkSlotSize(slotSize);
  checkPolicy(policy);
  if (buffer.byteLength < HEADER_BYTES) {
    throw mismatch('buffer length', buffer.byteLength, ringByteLength(capacity, slotSize));
  }
  const words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  const magic = words[I32.magic]! >>> 0;
  if (magic !== RING_MAGIC) throw mismatch('magic', hex(magic), hex(RING_MAGIC));
  expectField('layout version', words[I32.version]!, RING_LAYOUT_VERSION);
  expectField('slot size', words[I32.slotSize]!, slotSize);
  expectField('capacity', words[I32.capacity]!, capacity);
  const headerPolicy = FULL_POLICIES[words[I32.policy]!] ?? `unknown policy code ${words[I32.policy]}`;
  if (headerPolicy !== policy) throw mismatch('full policy', headerPolicy, policy);
  expectField('buffer length', buffer.byteLength, ringByteLength(capacity, slotSize));
  return {
    descriptor,
    bytes: new Uint8Array(buffer),
    view: new DataView(buffer),
    words: new Int32Array(buffer, 0, HEADER_BYTES / 4),
    cursors: new BigInt64Array(buffer, 0, HEADER_BYTES / 8),
  };
}

export function checkCapacity(capacity: number): void {
  if (
    !Number.isInteger(capacity) ||
    capacity < 1 ||
    capacity > MAX_CAPACITY ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new TickwireError(
      'RING_BAD_ARGUMENT',
      `ring capacity must be a power of two between 1 and ${MAX_CAPACITY}, got ${String(capacity)}`,
    );
  }
}

export function checkSlotSize(slotSize: number): void {
  if (!Number.isInteger(slotSize) || slotSize < 8 || slotSize > MAX_SLOT_SIZE || slotSize % 8 !== 0) {
    throw new TickwireError(
      'RING_BAD_ARGUMENT',
      `ring slotSize must be a multiple of 8 between 8 and ${MAX_SLOT_SIZE}, got ${String(slotSize)}`,
    );
  }
}

function checkPolicy(policy: string): void {
  if (!(FULL_POLICIES as readonly string[]).includes(policy)) {
    throw new TickwireError(
      'RING_BAD_ARGUMENT',
      `ring policy must be one of ${FULL_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`,
    );
  }
}

function expectField(field: string, actual: number, expected: number): void {
  if (actual !== expected) throw mismatch(field, actual, expected);
}

function mismatch(field: string, actual: string | number, expected: string | number): TickwireError {
  return new TickwireError(
    'RING_LAYOUT_MISMATCH',
    `ring ${field} differs: buffer has ${actual}, attach expected ${expected}`,
  );
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return typeof value;
}
