import { TickwireError } from '../errors.ts';
import { symbolHash64 } from './hash.ts';
import { MAX_SCALE, MAX_SYMBOL_ID } from './layout.ts';
import { isVenue, VENUES, type Venue, venueId } from './venues.ts';

/**
 * Symbol names: 1-32 characters A-Z 0-9, the form exchanges use for spot pairs (BTCUSDT). With a
 * venue from VENUES this makes the canonical key `VENUE:SYMBOL` a single topic segment.
 */
export const SYMBOL_NAME = /^[A-Z0-9]{1,32}$/;

export interface SymbolScales {
  /** Decimals of prices (0..15). */
  readonly priceScale: number;
  /** Decimals of sizes and volumes (0..15). */
  readonly sizeScale: number;
}

export interface SymbolInfo extends SymbolScales {
  /** Dense registry id: the tick's symbolId. */
  readonly id: number;
  /** Canonical key `VENUE:SYMBOL`. */
  readonly key: string;
  readonly venue: Venue;
  readonly venueId: number;
  readonly symbol: string;
  /** FNV-1a 64 of `key`, high and low u32 halves. */
  readonly hashHi: number;
  readonly hashLo: number;
}

/**
 * Maps symbols to dense ids 0, 1, 2… in registration order. Ids are what ticks carry, so every
 * process that shares ticks must register the same symbols in the same order: the same config
 * read the same way gives the same ids across restarts. Processes that cannot share an order
 * agree on the key's 64-bit hash instead (SymbolInfo.hashHi/hashLo).
 */
export class SymbolRegistry implements Iterable<SymbolInfo> {
  private readonly byId: SymbolInfo[] = [];
  private readonly byKey = new Map<string, SymbolInfo>();
  /** Per venue id, symbol name -> id: lookups from a feed need no string concatenation. */
  private readonly byVenue: Map<string, number>[] = VENUES.map(() => new Map());

  /**
   * Registers `venue:symbol` and returns its id; registering an existing key with the same scales
   * returns the existing id. Throws BAD_CONFIG for a malformed name or scale, or when the key is
   * already registered with other scales; UNKNOWN_VENUE for a venue not in VENUES.
   */
  register(venue: Venue, symbol: string, scales: SymbolScales): number {
    const vid = venueId(venue);
    if (typeof symbol !== 'string' || !SYMBOL_NAME.test(symbol)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `symbol ${JSON.stringify(symbol)} must be 1-32 characters of A-Z and 0-9 (uppercase)`,
      );
    }
    const { priceScale, sizeScale } = scales;
    checkScale(`priceScale of ${venue}:${symbol}`, priceScale);
    checkScale(`sizeScale of ${venue}:${symbol}`, sizeScale);
    const key = `${venue}:${symbol}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      if (existing.priceScale !== priceScale || existing.sizeScale !== sizeScale) {
        throw new TickwireError(
          'BAD_CONFIG',
          `${key} is registered with priceScale ${existing.priceScale}, sizeScale ${existing.sizeScale}; ` +
            `registering it again with priceScale ${priceScale}, sizeScale ${sizeScale} conflicts`,
        );
      }
      return existing.id;
    }
    const id = this.byId.length;
    if (id > MAX_SYMBOL_ID) {
      throw new TickwireError(
        'WIRE_OVERFLOW',
        `cannot register ${key}: all ${MAX_SYMBOL_ID + 1} symbol ids are taken`,
      );
    }
    const hash = symbolHash64(key);
    const info: SymbolInfo = Object.freeze({
      id,
      key,
      venue,
      venueId: vid,
      symbol,
      priceScale,
      sizeScale,
      hashHi: hash.hi,
      hashLo: hash.lo,
    });
    this.byId.push(info);
    this.byKey.set(key, info);
    this.byVenue[vid - 1]!.set(symbol, id);
    return id;
  }

  /** The id of `venue:symbol`, or undefined when not registered (or the venue is unknown). */
  idOf(venue: string, symbol: string): number | undefined {
    const index = (VENUES as readonly string[]).indexOf(venue);
    return index < 0 ? undefined : this.byVenue[index]!.get(symbol);
  }

  /** The id of a canonical key `VENUE:SYMBOL`, or undefined. */
  idOfKey(key: string): number | undefined {
    return this.byKey.get(key)?.id;
  }

  /** The symbol with this id. Throws UNKNOWN_SYMBOL for an id never handed out. */
  info(id: number): SymbolInfo {
    const info = this.byId[id];
    if (info === undefined) {
      throw new TickwireError(
        'UNKNOWN_SYMBOL',
        `symbol id ${id} is not registered (ids 0..${this.byId.length - 1} are)`,
      );
    }
    return info;
  }

  /** Like idOf, but throws UNKNOWN_SYMBOL (or UNKNOWN_VENUE) naming the key. */
  requireId(venue: string, symbol: string): number {
    if (!isVenue(venue)) venueId(venue);
    const id = this.idOf(venue, symbol);
    if (id === undefined) {
      throw new TickwireError(
        'UNKNOWN_SYMBOL',
        `symbol ${JSON.stringify(`${venue}:${symbol}`)} is not registered`,
      );
    }
    return id;
  }

  get size(): number {
    return this.byId.length;
  }

  /** Symbols in id order. */
  [Symbol.iterator](): Iterator<SymbolInfo> {
    return this.byId[Symbol.iterator]();
  }
}

function checkScale(field: string, scale: number): void {
  if (!Number.isInteger(scale) || scale < 0 || scale > MAX_SCALE) {
    throw new TickwireError('BAD_CONFIG', `${field} is ${scale}; it must be an integer 0..${MAX_SCALE}`);
  }
}

/** Quote assets recognised at the end of a Binance-style symbol name, longest first. */
export const QUOTE_ASSETS = [
  'FDUSD',
  'USDT',
  'USDC',
  'TUSD',
  'BUSD',
  'EUR',
  'TRY',
  'BTC',
  'ETH',
  'BNB',
  'USD',
] as const;

/** `BTCUSDT` as `BTC` and `USDT`, by the known quote assets; undefined for a name ending in none. */
export function knownQuoteSplit(symbol: string): { base: string; quote: string } | undefined {
  for (const quote of QUOTE_ASSETS)
    if (symbol.length > quote.length && symbol.endsWith(quote))
      return { base: symbol.slice(0, -quote.length), quote };
  return undefined;
}
