import { FLAG, Tick } from '../../src/wire/index.ts';

/** Writes a quote into a fresh 64-byte tick (or into `options.tick`). */
export function quoteTick(
  symbolId: number,
  sequence: number,
  bid: number,
  ask: number,
  options: { venueId?: number; exchangeMs?: number; receiveMs?: number; tick?: Tick } = {},
): Tick {
  const tick = options.tick ?? new Tick();
  const exchangeMs = options.exchangeMs ?? 1_700_000_000_000;
  return tick.writeQuote(
    options.venueId ?? 1,
    symbolId,
    2,
    3,
    sequence,
    0,
    exchangeMs,
    0,
    options.receiveMs ?? exchangeMs,
    0,
    bid,
    1_000,
    ask,
    1_000,
  );
}

export function tradeTick(symbolId: number, sequence: number, price: number, venueId = 1): Tick {
  const at = 1_700_000_000_000;
  return new Tick().writeTrade(venueId, symbolId, 2, 3, sequence, 1, at, 0, at, 0, price, 500, sequence);
}

export const QUALITY_FLAGS =
  FLAG.gap | FLAG.outOfOrder | FLAG.duplicate | FLAG.crossed | FLAG.spike | FLAG.stale;
