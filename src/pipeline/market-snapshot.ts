import { allMarketData, type MessageBus, type Payload, type Unsubscribe } from '../bus/index.ts';
import { formatDecimal, QUOTE, type SymbolRegistry, Tick, TRADE } from '../wire/index.ts';

export interface SnapshotRow {
  venue: string;
  symbol: string;
  price: string | null;
  bidPrice: string | null;
  askPrice: string | null;
  trades: number;
}

/** No value yet. NaN rather than a number, since a price may be negative or zero. */
const NONE = Number.NaN;

/**
 * The latest trade price and top of book per symbol, kept from the bus for the REST API and the
 * dashboard. It reads ticks in place and stores mantissas in typed arrays: no object per tick.
 */
export class MarketSnapshot {
  private price = new Float64Array(0);
  private bid = new Float64Array(0);
  private ask = new Float64Array(0);
  private trades = new Float64Array(0);
  private readonly tick = new Tick();
  private readonly unsubscribes: Unsubscribe[];

  constructor(
    bus: MessageBus,
    private readonly registry: SymbolRegistry,
  ) {
    this.unsubscribes = [
      bus.subscribe(allMarketData('trade'), this.onTick),
      bus.subscribe(allMarketData('quote'), this.onTick),
    ];
  }

  /** Rows for the first `limit` symbols in id order (the configured order). */
  rows(limit: number): SnapshotRow[] {
    const rows: SnapshotRow[] = [];
    const count = Math.min(limit, this.registry.size);
    for (let id = 0; id < count; id++) {
      const info = this.registry.info(id);
      const decimal = (values: Float64Array) =>
        id < values.length && !Number.isNaN(values[id]!) ? formatDecimal(values[id]!, info.priceScale) : null;
      rows.push({
        venue: info.venue,
        symbol: info.symbol,
        price: decimal(this.price),
        bidPrice: decimal(this.bid),
        askPrice: decimal(this.ask),
        trades: id < this.trades.length ? this.trades[id]! : 0,
      });
    }
    return rows;
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private readonly onTick = (payload: Payload): void => {
    if (!(payload instanceof Uint8Array)) return;
    const tick = this.tick.wrap(payload, 0);
    const id = tick.symbolId;
    if (id >= this.price.length) this.grow(id);
    if (tick.type === TRADE) {
      this.price[id] = tick.price;
      this.trades[id]!++;
    } else if (tick.type === QUOTE) {
      this.bid[id] = tick.bidPrice;
      this.ask[id] = tick.askPrice;
    }
  };

  private grow(id: number): void {
    const size = Math.max(id + 1, this.price.length * 2, 256);
    const grown = (old: Float64Array, fill: number) => {
      const next = new Float64Array(size).fill(fill);
      next.set(old);
      return next;
    };
    this.price = grown(this.price, NONE);
    this.bid = grown(this.bid, NONE);
    this.ask = grown(this.ask, NONE);
    this.trades = grown(this.trades, 0);
  }
}
