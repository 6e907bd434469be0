import { randomBytes } from 'node:crypto';
import { decimal } from './amounts.ts';
import type { MarketReference } from './market-reference.ts';
import { MANUAL, type OrderOrigin, type TrackedOrder } from './order-tracker.ts';
import type { PreTradeChecks } from './pre-trade-checks.ts';
import type { OrderChannel } from './order-channel.ts';
import { ExchangeError } from './signed-rest.ts';
import { NotSentError } from './ws-api-orders.ts';
import type { TradingAccount } from './trading-account.ts';

/** An order as Tickwire's orders API and its bots place it (amounts in units of 10^-8). */
export interface NewOrder {
  symbol: string;
  side: 'BUY' | 'SELL';
  type: 'LIMIT' | 'MARKET';
  quantity: bigint;
  /** LIMIT only. */
  price?: bigint | undefined;
  timeInForce?: 'GTC' | 'IOC' | 'FOK' | undefined;
  clientOrderId?: string | undefined;
}

/** A client order id Tickwire makes: unique, within Binance's 36 characters `[A-Za-z0-9_-]`. */
export function newClientOrderId(): string {
  return `tw-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/**
 * The submit path of one account: the pre-trade checks, then the order written PENDING_NEW, then
 * sent to the exchange; the exchange's acknowledgement and fills come back on the user-data stream
 * (the order's state moves there, not here). A refusal by the exchange is stored and published as
 * REJECTED with its reason. An order whose request failed without an answer (a timeout, a dropped
 * connection) stays PENDING_NEW until the stream or the next reconciliation says what became of it.
 */
export class OrderEntry {
  /** Client ids of requests in flight in this process (not orphans of an earlier one). */
  readonly inFlight = new Set<string>();

  constructor(
    private readonly account: TradingAccount,
    private readonly channel: OrderChannel,
    private readonly checks: PreTradeChecks,
    private readonly market: MarketReference,
  ) {}

  /** Throws a PreTradeError when a check refuses; otherwise resolves with the order once sent. */
  async submit(request: NewOrder, origin: OrderOrigin = MANUAL): Promise<TrackedOrder> {
    const book = this.account.book;
    const open = book.orders().filter((order) => order.isOpen).length;
    this.checks.check(this.account.account, request, this.market.lastPrice(request.symbol), open);
    const clientOrderId = request.clientOrderId ?? newClientOrderId();
    const order = await this.account.expect({
      symbol: request.symbol,
      clientOrderId,
      side: request.side,
      orderType: request.type,
      quantity: request.quantity,
      ...(request.price === undefined ? {} : { price: request.price }),
      origin,
    });
    this.inFlight.add(clientOrderId);
    try {
      await this.channel.place({
        symbol: request.symbol,
        side: request.side,
        type: request.type,
        quantity: decimal(request.quantity),
        ...(request.type === 'LIMIT'
          ? { price: decimal(request.price!), timeInForce: request.timeInForce ?? 'GTC' }
          : {}),
        newClientOrderId: clientOrderId,
        newOrderRespType: 'ACK',
      });
    } catch (error) {
      if (error instanceof ExchangeError || error instanceof NotSentError)
        await this.account.refused(clientOrderId, error.message);
      // Otherwise the outcome is unknown: the stream or the next reconciliation tells.
    } finally {
      this.inFlight.delete(clientOrderId);
    }
    return order;
  }

  /** Cancels a live order; resolves with it (CANCELED arrives on the stream). */
  async cancel(order: TrackedOrder): Promise<TrackedOrder> {
    if (!(await this.account.cancelling(order.clientOrderId))) return order;
    try {
      await this.channel.cancel({ symbol: order.symbol, origClientOrderId: order.clientOrderId });
    } catch (error) {
      // Refused: the order ended meanwhile (filled, or never reached the exchange). Not sent: it stands.
      if (error instanceof ExchangeError || error instanceof NotSentError)
        await this.account.cancelRefused(order.clientOrderId);
      else throw error;
    }
    return order;
  }
}
