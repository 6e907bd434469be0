import {
  ALLOWED_FLAGS_WITH_SIDE,
  ALLOWED_FLAGS_WITHOUT_SIDE,
  BAR_INTERVALS,
  BODY_SLOTS,
  HAS_SIDE,
  INTERVAL_MASK,
  MAX_SCALE,
  MAX_SYMBOL_ID,
  MAX_VENUE_ID,
  type MessageType,
  RESERVED_FLAG,
  SEQUENCE_SLOT,
  SIDE_MASK,
  type SlotSpec,
} from './layout.ts';

/**
 * What makes a tick valid, as messages: each function returns why a value is not allowed, or
 * undefined. The writers call these only after their fast combined check failed, to name the
 * culprit; validateTick calls them on untrusted bytes. One set of rules for both, so whatever a
 * writer can produce validates, and whatever validates can be rewritten byte for byte.
 */

export function headerProblem(
  venueId: number,
  symbolId: number,
  priceScale: number,
  sizeScale: number,
): string | undefined {
  if ((venueId & MAX_VENUE_ID) !== venueId) return `venueId ${venueId} is not an integer 0..${MAX_VENUE_ID}`;
  if ((symbolId & MAX_SYMBOL_ID) !== symbolId) {
    return `symbolId ${symbolId} is not an integer 0..${MAX_SYMBOL_ID} (2^24-1)`;
  }
  if ((priceScale & MAX_SCALE) !== priceScale)
    return `priceScale ${priceScale} is not an integer 0..${MAX_SCALE}`;
  if ((sizeScale & MAX_SCALE) !== sizeScale)
    return `sizeScale ${sizeScale} is not an integer 0..${MAX_SCALE}`;
  return undefined;
}

/** Problems with the flag word of a `type` tick; bar interval bits are checked by intervalProblem. */
export function flagsProblem(type: MessageType, flags: number): string | undefined {
  if ((flags & 0xffff) !== flags) return `flags ${flags} is not a u16`;
  if ((flags & RESERVED_FLAG) !== 0) return `flags 0x${hex4(flags)} set reserved bit 15`;
  const side = flags & SIDE_MASK;
  if (side === SIDE_MASK)
    return `flags 0x${hex4(flags)} carry side 3, which is invalid (0 none, 1 buy/bid, 2 sell/ask)`;
  if (!HAS_SIDE[type] && side !== 0)
    return `flags 0x${hex4(flags)} carry side ${side}; a ${type} tick has no side`;
  if (type !== 'bar' && (flags & INTERVAL_MASK) !== 0) {
    return `flags 0x${hex4(flags)} set bar-interval bits 4-7 on a ${type} tick`;
  }
  const allowed = HAS_SIDE[type] ? ALLOWED_FLAGS_WITH_SIDE : ALLOWED_FLAGS_WITHOUT_SIDE;
  if ((flags & ~INTERVAL_MASK & ~allowed) !== 0)
    return `flags 0x${hex4(flags)} set bits this version does not define`;
  return undefined;
}

export function intervalProblem(interval: number): string | undefined {
  if ((interval & 0xf) !== interval) {
    return `bar interval code ${interval} is not an integer 0..15 (index into ${BAR_INTERVALS.join(',')})`;
  }
  return undefined;
}

export function slotProblem(slot: SlotSpec, value: number): string | undefined {
  if (!Number.isSafeInteger(value)) return `${slot.name} ${value} is not an integer within ±(2^53-1)`;
  switch (slot.kind) {
    case 'price':
      return undefined;
    case 'size':
    case 'count':
      return value < 0 ? `${slot.name} ${value} is negative` : undefined;
    case 'zero':
      return value !== 0 ? `${slot.name} ${value} must be 0` : undefined;
  }
}

/** The first problem among the sequence slot and the four body values of a `type` tick. */
export function valuesProblem(
  type: MessageType,
  sequenceSlot: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): string | undefined {
  const body = BODY_SLOTS[type];
  return (
    slotProblem(SEQUENCE_SLOT[type], sequenceSlot) ??
    slotProblem(body[0], v0) ??
    slotProblem(body[1], v1) ??
    slotProblem(body[2], v2) ??
    slotProblem(body[3], v3)
  );
}

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}
