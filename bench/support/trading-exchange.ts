/**
 * The trading benchmark's exchange: the simulator as `tickwire sim` runs it, two symbols, the
 * owner's account (traded by Tickwire) and a maker's (the counterparty of the bursts), rate limits
 * lifted. Alone in its process: it stands in for the exchange.
 */
import { startExchangeSimulator, TradingOperations } from '../../src/simulator/index.ts';
import { serveRequests } from './ipc.ts';
import {
  FLOW_QUANTITY,
  MAKER_EXCHANGE,
  OWNER_EXCHANGE,
  TRADED_SYMBOLS,
  type TradingExchangeOps,
  type TradingExchangeReady,
} from './trading-protocol.ts';
import { wallClockMs } from './fanout-protocol.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
const balances = { USDT: '1000000000', BTC: '100000', ETH: '1000000' };
/** The maker's sells per turn of a burst, each met by one buy of the owner's: its events go out between turns. */
const BURST_TURN = 100;

const simulator = await startExchangeSimulator({
  symbols: [...TRADED_SYMBOLS],
  eventsPerSecond: 2_000,
  requestWeightPerMinute: 1_000_000_000,
  ordersPer10Seconds: 1_000_000_000,
  accounts: [
    { apiKey: OWNER_EXCHANGE.apiKey, secretKey: OWNER_EXCHANGE.apiSecret, balances },
    { apiKey: MAKER_EXCHANGE.apiKey, secretKey: MAKER_EXCHANGE.apiSecret, balances },
  ],
});
const exchange = simulator.exchange;
const operations = new TradingOperations(exchange);
const owner = exchange.accounts.byApiKey(OWNER_EXCHANGE.apiKey)!;
const maker = exchange.accounts.byApiKey(MAKER_EXCHANGE.apiKey)!;

/** An order's parameters as the exchange's APIs pass them on. */
const params = (fields: Record<string, string>): ReadonlyMap<string, string> =>
  new Map(Object.entries(fields));

serveRequests<TradingExchangeOps>(
  {
    async burst({ fills }) {
      const spec = exchange.symbols[0]!;
      // A price 1% above the market: the owner's buys take what the market offers below it, then
      // the maker's sells resting there. Every fill the owner's buys get is one of its fills.
      const touch = exchange.market.touchOf(0);
      const price = ((touch.askPrice * 1.01) / 10 ** spec.priceScale).toFixed(spec.priceScale);
      const sell = params({
        symbol: spec.symbol,
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'GTC',
        price,
        quantity: FLOW_QUANTITY,
      });
      const buy = params({
        symbol: spec.symbol,
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'IOC',
        price,
        // Twice the maker's sells: the market's offers below the price come first.
        quantity: (Number(FLOW_QUANTITY) * BURST_TURN * 2).toFixed(8),
        newOrderRespType: 'FULL',
      });
      const open = params({ symbol: spec.symbol });
      const startedMs = wallClockMs();
      let made = 0;
      while (made < fills) {
        for (let i = 0; i < BURST_TURN; i++) operations.placeOrder(maker, sell);
        const answer = operations.placeOrder(owner, buy) as { fills: unknown[] };
        made += answer.fills.length;
        // What the market took instead stays with the maker: cleared, below the exchange's open-order limit.
        if (exchange.engine.openOrders(maker.id, 0).length > 0) operations.cancelOpenOrders(maker, open);
        // The next turn after the event loop has written this one's events.
        await new Promise((resolve) => setImmediate(resolve));
      }
      return { fills: made, startedMs, endedMs: wallClockMs() };
    },
  },
  { url: simulator.url, wsUrl: simulator.wsUrl } satisfies TradingExchangeReady,
  MAX_LIFETIME_MS,
);
