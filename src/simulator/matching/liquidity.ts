import { ASK, BID, type BookSide, type OrderBook } from '../market/order-book.ts';
import { quantityFor, quoteUnits } from './amounts.ts';
import { type Order, remaining, workingType } from './order.ts';
import { reaches, type RestingOrders } from './resting-orders.ts';
import type { SymbolSpec } from './symbol-rules.ts';

/**
 * Walks the liquidity an order would meet now (the accounts' resting orders, less its own when
 * self-trade prevention would stop it, and the market's book; best price first, up to its limit)
 * without changing anything: the quantity it would get and what that costs, capped by its
 * quantity or quote budget. What a market order locks, and whether a FOK order can fill.
 */
export function walkLiquidity(
  order: Order,
  spec: SymbolSpec,
  book: OrderBook,
  resting: RestingOrders | undefined,
): { quantity: number; quote: bigint } {
  const side: BookSide = order.side === 'BUY' ? ASK : BID;
  const limited = workingType(order) === 'LIMIT';
  const levels = new Map<number, number>();
  for (let i = 0; i < book.depth(side); i++) levels.set(book.prices[side][i]!, book.quantities[side][i]!);
  for (const price of resting?.sidePrices(side) ?? []) {
    let sum = 0;
    for (const maker of resting!.level(side, price)!)
      if (maker.accountId !== order.accountId || order.stpMode === 'NONE') sum += remaining(maker);
    levels.set(price, (levels.get(price) ?? 0) + sum);
  }
  const prices = [...levels.keys()].sort((a, b) => (side === ASK ? a - b : b - a));
  let quantity = 0;
  let quote = 0n;
  for (const price of prices) {
    if (limited && !reaches(side, price, order.price)) break;
    let take = levels.get(price)!;
    if (order.origQuoteOrderQty > 0n) {
      take = Math.min(
        take,
        quantityFor(order.origQuoteOrderQty - quote, price, spec.priceScale, spec.sizeScale),
      );
    } else {
      take = Math.min(take, order.origQty - quantity);
    }
    if (take <= 0) break;
    quantity += take;
    quote += quoteUnits(price, take, spec.priceScale, spec.sizeScale);
  }
  return { quantity, quote };
}

/** True when an order's limit price would take liquidity now (LIMIT_MAKER's check). */
export function crossesBook(order: Order, book: OrderBook, resting: RestingOrders | undefined): boolean {
  const side: BookSide = order.side === 'BUY' ? ASK : BID;
  const marketBest = book.best(side);
  const accountBest = resting?.best(side);
  return (
    (marketBest !== undefined && reaches(side, marketBest, order.price)) ||
    (accountBest !== undefined && reaches(side, accountBest, order.price))
  );
}
