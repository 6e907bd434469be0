import { SimulatedExchange } from '../../src/simulator/exchange.ts';
import { EXCHANGE_SIMULATOR_DEFAULTS } from '../../src/simulator/options.ts';
import {
  AT_TOUCH,
  emptyMarketEvent,
  type MarketEvent,
  type MarketEventSource,
} from '../../src/simulator/market/market-event-source.ts';
import { simulatedUniverse } from '../../src/simulator/market/universe.ts';
import { ExchangeMarket } from '../../src/simulator/streams/exchange-market.ts';

/**
 * A market that does exactly what a test tells it: each `quote`/`trade` call is one market event
 * applied at once. BTCUSDT (prices in cents, quantities in 10^-5 BTC) starts at 100.00 / 100.01
 * with 1 BTC on each side.
 */
export class ScriptedSource implements MarketEventSource {
  readonly symbols = simulatedUniverse(['BTCUSDT']);
  private readonly queue: MarketEvent[] = [];
  bid = 10_000;
  ask = 10_001;
  size = 100_000;

  next(event: MarketEvent): boolean {
    const queued = this.queue.shift();
    if (queued === undefined) return false;
    Object.assign(event, queued);
    return true;
  }

  initialTouch(symbolIndex: number, into: MarketEvent): void {
    Object.assign(into, {
      symbolIndex,
      bidPrice: this.bid,
      bidSize: this.size,
      askPrice: this.ask,
      askSize: this.size,
      trade: false,
    });
  }

  push(event: Partial<MarketEvent>): void {
    this.queue.push({
      ...emptyMarketEvent(),
      bidPrice: this.bid,
      bidSize: this.size,
      askPrice: this.ask,
      askSize: this.size,
      ...event,
    });
  }
}

export interface ScriptedExchange {
  source: ScriptedSource;
  market: ExchangeMarket;
  exchange: SimulatedExchange;
  /** Moves the touch (one event). */
  quote(bid: number, ask: number, size?: number): void;
  /** The market trades `quantity` at its touch: a buyer lifting the ask when `buyer`. */
  trade(buyer: boolean, quantity: number): void;
  /** A recorded print at `price` (not at the touch). */
  print(price: number, quantity: number, buyer: boolean): void;
}

export function scriptedExchange(balances: Record<string, string>[] = []): ScriptedExchange {
  const source = new ScriptedSource();
  const market = new ExchangeMarket(source, 1);
  const exchange = new SimulatedExchange(
    market,
    balances.map((owned, i) => ({
      apiKey: `key${i}abcdefghijklmnop`,
      secretKey: `secret${i}abcdefghijklmnop`,
      balances: owned,
    })),
    EXCHANGE_SIMULATOR_DEFAULTS,
    0,
  );
  market.book(0);
  const step = () => market.generate(1, Date.now());
  return {
    source,
    market,
    exchange,
    quote(bid, ask, size = source.size) {
      source.bid = bid;
      source.ask = ask;
      source.size = size;
      source.push({ bidPrice: bid, askPrice: ask, bidSize: size, askSize: size });
      step();
    },
    trade(buyer, quantity) {
      source.push({ trade: true, tradeSide: buyer ? 1 : 2, tradeSize: quantity, tradePrice: AT_TOUCH });
      step();
    },
    print(price, quantity, buyer) {
      source.push({
        quote: false,
        trade: true,
        tradeSide: buyer ? 1 : 2,
        tradeSize: quantity,
        tradePrice: price,
      });
      step();
    },
  };
}
