import {
  BAR,
  BOOK,
  BOOK_SIDES,
  MESSAGE_TYPES,
  QUOTE,
  type SymbolRegistry,
  Tick,
  TRADE,
  TRADE_SIDES,
} from '../wire/index.ts';
import { type FieldId, type FixedPointFields, TICK_FIELDS } from './filter.ts';

const F = Object.fromEntries(TICK_FIELDS.map((name, id) => [name, id])) as Record<
  (typeof TICK_FIELDS)[number],
  FieldId
>;

/**
 * The FixedPointFields a filter reads, over a tick in place: no object per message. `wrap` it on
 * the tick being delivered, then evaluate any number of filters against it.
 */
export class TickFields implements FixedPointFields {
  private readonly tick = new Tick();

  constructor(private readonly registry: SymbolRegistry) {}

  wrap(bytes: Uint8Array): this {
    this.tick.wrap(bytes, 0);
    return this;
  }

  mantissa(field: FieldId): number | undefined {
    const tick = this.tick;
    const type = tick.type;
    switch (field) {
      case F.price:
        return type === TRADE || type === BOOK ? tick.price : undefined;
      case F.size:
        return type === TRADE || type === BOOK ? tick.size : undefined;
      case F.bidPrice:
        return type === QUOTE ? tick.bidPrice : undefined;
      case F.bidSize:
        return type === QUOTE ? tick.bidSize : undefined;
      case F.askPrice:
        return type === QUOTE ? tick.askPrice : undefined;
      case F.askSize:
        return type === QUOTE ? tick.askSize : undefined;
      case F.open:
        return type === BAR ? tick.open : undefined;
      case F.high:
        return type === BAR ? tick.high : undefined;
      case F.low:
        return type === BAR ? tick.low : undefined;
      case F.close:
        return type === BAR ? tick.close : undefined;
      case F.volume:
        return type === BAR ? tick.volume : undefined;
      case F.seq:
        return type === BAR ? undefined : tick.sequence;
      case F.tradeId:
        return type === TRADE ? tick.tradeId : undefined;
      default:
        return undefined;
    }
  }

  scale(field: FieldId): number {
    switch (field) {
      case F.price:
      case F.bidPrice:
      case F.askPrice:
      case F.open:
      case F.high:
      case F.low:
      case F.close:
        return this.tick.priceScale;
      case F.size:
      case F.bidSize:
      case F.askSize:
      case F.volume:
        return this.tick.sizeScale;
      default:
        return 0;
    }
  }

  text(field: FieldId): string | undefined {
    const tick = this.tick;
    switch (field) {
      case F.side:
        if (tick.type === TRADE) return TRADE_SIDES[tick.side];
        return tick.type === BOOK ? BOOK_SIDES[tick.side] : undefined;
      case F.symbol:
        return this.registry.info(tick.symbolId).symbol;
      case F.venue:
        return this.registry.info(tick.symbolId).venue;
      case F.type:
        return MESSAGE_TYPES[tick.type - 1];
      default:
        return undefined;
    }
  }
}
