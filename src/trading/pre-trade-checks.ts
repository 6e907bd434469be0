import { TokenBucket } from '../gateway/index.ts';
import { decimal, multiply } from './amounts.ts';

/**
 * Why the pre-trade checks refuse an order (docs/ERRORS.md, "Trading"). Stable codes: clients
 * and bots branch on them.
 */
export const PRE_TRADE_REJECTIONS = {
  KILL_SWITCH: 'the kill switch is engaged for this account or for all accounts',
  MAX_ORDER_QUANTITY: 'the quantity is above the largest allowed per order',
  MAX_ORDER_NOTIONAL: "the order's value (quantity × price) is above the largest allowed",
  PRICE_COLLAR: 'the limit price is further from the last price than the collar allows',
  NO_REFERENCE_PRICE: 'no last price is known for the symbol, so value and collar cannot be checked',
  MAX_OPEN_ORDERS: 'the account has as many open orders as allowed',
  ORDER_RATE: "the account's order rate is above the allowed orders per second",
} as const;
export type PreTradeRejection = keyof typeof PRE_TRADE_REJECTIONS;

/** Limits of the pre-trade checks; amounts in units of 10^-8. */
export interface PreTradeLimits {
  maxOrderQuantity: bigint;
  /** In the quote asset (USDT for BTCUSDT). */
  maxOrderNotional: bigint;
  /** A limit price may differ from the last price by at most this percentage. */
  priceCollarPercent: number;
  maxOpenOrders: number;
  /** New orders per second per account, with a burst of the same size. */
  ordersPerSecond: number;
}

/** What the checks read of an order. */
export interface CheckedOrder {
  type: 'LIMIT' | 'MARKET';
  quantity: bigint;
  price?: bigint | undefined;
}

/** A refusal of the checks: its code and a message saying the numbers. */
export class PreTradeError extends Error {
  constructor(
    readonly code: PreTradeRejection,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The checks every order passes before it is written and sent (NautilusTrader's RiskEngine, in
 * the submit path): the kill switch, per-order quantity and value, a price collar against the
 * last price, the open-order count and the order rate. They run in microseconds on what the
 * account already knows; they throw a PreTradeError, whose code the orders API answers with.
 */
export class PreTradeChecks {
  private globalKill = false;
  private readonly killed = new Set<string>();
  private readonly rates = new Map<string, TokenBucket>();

  constructor(readonly limits: PreTradeLimits) {}

  /** Engages or releases the kill switch of one account, or of all when `account` is undefined. */
  setKillSwitch(account: string | undefined, engaged: boolean): void {
    if (account === undefined) this.globalKill = engaged;
    else if (engaged) this.killed.add(account);
    else this.killed.delete(account);
  }

  killSwitch(): { global: boolean; accounts: string[] } {
    return { global: this.globalKill, accounts: [...this.killed] };
  }

  isKilled(account: string): boolean {
    return this.globalKill || this.killed.has(account);
  }

  /** Throws a PreTradeError for the first check the order fails; `lastPrice` in units. */
  check(account: string, order: CheckedOrder, lastPrice: bigint | undefined, openOrders: number): void {
    const limits = this.limits;
    if (this.isKilled(account))
      throw new PreTradeError(
        'KILL_SWITCH',
        `the kill switch is engaged for ${this.globalKill ? 'all accounts' : account}`,
      );
    if (order.quantity > limits.maxOrderQuantity)
      throw new PreTradeError(
        'MAX_ORDER_QUANTITY',
        `quantity ${decimal(order.quantity)} is above the limit of ${decimal(limits.maxOrderQuantity)}`,
      );
    if (lastPrice === undefined || lastPrice <= 0n)
      throw new PreTradeError('NO_REFERENCE_PRICE', 'no last price is known for the symbol yet');
    const price = order.price ?? lastPrice;
    const notional = multiply(price, order.quantity);
    if (notional > limits.maxOrderNotional)
      throw new PreTradeError(
        'MAX_ORDER_NOTIONAL',
        `value ${decimal(notional)} is above the limit of ${decimal(limits.maxOrderNotional)}`,
      );
    if (order.price !== undefined) {
      const distance = order.price > lastPrice ? order.price - lastPrice : lastPrice - order.price;
      // In hundredths of a percent, integer arithmetic: 5% is 500.
      if (distance * 10_000n > lastPrice * BigInt(Math.round(limits.priceCollarPercent * 100)))
        throw new PreTradeError(
          'PRICE_COLLAR',
          `price ${decimal(order.price)} is more than ${limits.priceCollarPercent}% from the last price ${decimal(lastPrice)}`,
        );
    }
    if (openOrders >= limits.maxOpenOrders)
      throw new PreTradeError(
        'MAX_OPEN_ORDERS',
        `${openOrders} orders are open, the limit is ${limits.maxOpenOrders}`,
      );
    let rate = this.rates.get(account);
    if (rate === undefined) {
      rate = new TokenBucket({ ratePerSecond: limits.ordersPerSecond, burst: limits.ordersPerSecond });
      this.rates.set(account, rate);
    }
    if (!rate.take())
      throw new PreTradeError('ORDER_RATE', `more than ${limits.ordersPerSecond} orders per second`);
  }
}
