/**
 * What the trading benchmark and its child processes agree on: the account, its keys at the
 * exchange and at Tickwire, the symbols it trades, and the operations each child serves over IPC.
 */

export const OWNER = 'acc1';
export const OWNER_API_KEY = 'bench-key-0123456789';
export const OWNER_EXCHANGE = {
  apiKey: 'benchOwnerKey0123456789abcdef',
  apiSecret: 'bench-owner-secret-0123456789',
};
export const MAKER_EXCHANGE = {
  apiKey: 'benchMakerKey0123456789abcdef',
  apiSecret: 'bench-maker-secret-0123456789',
};
export const TRADED_SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
/** The order size of the scripted flow and of each burst fill, BTC. */
export const FLOW_QUANTITY = '0.001';

/** The exchange simulator process. */
export type TradingExchangeOps = {
  /**
   * At least `fills` fills of the owner's, made in the exchange's own process as fast as it matches
   * (the counterparty is not what is measured): in turns, 100 resting sells of the maker's, then a
   * buy of the owner's that takes them (and what the market offers below). Replies with the
   * owner's fills made; times are the exchange's wall clock, ms.
   */
  burst: { request: { fills: number }; reply: { fills: number; startedMs: number; endedMs: number } };
};
export type TradingExchangeReady = { url: string; wsUrl: string };

export interface NodeStats {
  mdPublished: number;
  conflated: number;
  cpuMs: number;
  elapsedMs: number;
  rssMb: number;
  /** Fills published on the owner's topic since the reset, and the first one's event time and the last one's publish time. */
  fills: number;
  firstFillEventMs: number;
  lastFillPublishedMs: number;
}

/** Tickwire's node: the platform with the owner's trading account on the exchange, and a market feed over TCP. */
export type TradingNodeOps = {
  /** Reads market data from the market source at this port (the flood). */
  connectMarket: { request: { port: number }; reply: Record<string, never> };
  reset: { request: Record<string, never>; reply: Record<string, never> };
  stats: { request: Record<string, never>; reply: NodeStats };
};
export type TradingNodeReady = { port: number; url: string };

export interface EventLatencies {
  /** µs from the event's own time to its receipt, per event type, over every owner client. */
  byType: Record<string, number[]>;
}

/** The owner's clients and the order flow, in one process at ordinary priority. */
export type OwnerOps = {
  connect: {
    request: { port: number; count: number; first: number };
    reply: { connected: number };
  };
  /** Starts two bots and, for `durationMs`, a market order every `intervalMs` through the orders API; returns what the clients measured. */
  flow: {
    request: { durationMs: number; intervalMs: number };
    reply: EventLatencies & { orders: number; rejected: number };
  };
  /**
   * `count` orders one after another, each a resting bid through the orders API: µs from the POST
   * to its order_status_update NEW on the owner's socket; and the same order straight to the
   * exchange's WebSocket API, µs to its answer (the baseline).
   */
  submit: {
    request: { count: number; exchangeUrl: string; exchangeWsUrl: string };
    reply: { toAckUs: number[]; exchangeUs: number[] };
  };
  /** Waits until the clients have `fills` fills since the last call (or the timeout). */
  fills: { request: { fills: number; timeoutMs: number }; reply: { received: number } };
};
