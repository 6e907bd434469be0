/**
 * The trading events Tickwire publishes and the latency target of each, ms from the event's own
 * time (the exchange's `E`) to its write on the owner's socket (docs/TRADING.md, "Events"). The
 * lane each travels in is the gateway's rule for its topic family: fills critical, orders and
 * bots high.
 */
export const TRADING_EVENT_TARGETS_MS = {
  order_fill_notification: 10,
  order_status_update: 25,
  order_update: 25,
  bot_status_update: 50,
  bot_cycle_update: 50,
} as const;
export type TradingEventType = keyof typeof TRADING_EVENT_TARGETS_MS;
