import { FEES_ACCOUNT, type Ledger, MARKET_ACCOUNT } from '../accounts/ledger.ts';
import { ASK, BID, type BookSide, type OrderBook } from '../market/order-book.ts';
import { baseUnits, quantityFor, quoteUnits } from './amounts.ts';
import {
  DEFAULT_STP_MODE,
  type Execution,
  type ExecutionType,
  type Fill,
  isConditional,
  isOpen,
  type Order,
  type OrderList,
  type OrderRequest,
  type OrderStatus,
  remaining,
  triggersAt,
  workingType,
} from './order.ts';
import { crossesBook, walkLiquidity } from './liquidity.ts';
import { rejections } from './rejection.ts';
import { consumeAhead, reaches, RestingOrders, restingSide } from './resting-orders.ts';
import { checkNotional, checkPrice, checkQuantity, SYMBOL_LIMITS, type SymbolSpec } from './symbol-rules.ts';

/** What the matching engine needs of the simulated market (ExchangeMarket implements it). */
export interface MarketAccess {
  /** The symbol's market book (built on first use); the engine listens to its level changes. */
  book(index: number): OrderBook;
  /** Last trade price mantissa (the starting price before any trade). */
  lastPrice(index: number): number;
  /** An account's order took `quantity` of the market's own level: the book shrinks, diff streams see it. */
  consume(index: number, side: BookSide, price: number, quantity: number): void;
  /** Prints a trade on the public streams and returns its trade id. */
  printTrade(index: number, price: number, quantity: number, buyerAggressor: boolean, now: number): number;
}

/** Where the engine reports what it did: executions as they happen, balances once per operation. */
export interface ExecutionListener {
  executed(execution: Execution): void;
  /** An order list started (EXEC_STARTED) or is done (ALL_DONE). */
  listUpdated(list: OrderList, time: number): void;
  balancesChanged(accountId: number, assets: readonly string[], time: number): void;
}

/** Commission rates in units of 10^-8 (0.001 = 100_000n). */
export interface CommissionRates {
  maker: bigint;
  taker: bigint;
}

export interface PlaceResult {
  order: Order;
  fills: Fill[];
}

export interface TradeRecord {
  readonly order: Order;
  readonly fill: Fill;
}

/** Closed orders and trades kept per account and symbol for queries; the oldest go first past this. */
const MAX_HISTORY = 10_000;
const RATE_UNIT = 100_000_000n;

/**
 * The simulated exchange's matching (docs/SIMULATOR.md, "Matching"). Per symbol, the liquidity a
 * taker meets is the accounts' resting orders plus the simulated market's book, best price first;
 * at one price, the market quantity queued ahead of a resting order goes before it. Resting
 * orders also fill when the simulated market trades at or through their price (after the quantity
 * ahead of them) or moves its touch across them. Every balance moves through the Ledger, every fill
 * is printed on the public streams, every change of an order is reported as an Execution.
 *
 * Synchronous and single-threaded: a placement is matched before `place` returns, so the answer
 * carries its fills, as Binance's FULL response does.
 */
export class MatchingEngine {
  private readonly resting: (RestingOrders | undefined)[];
  private readonly stops: Order[][];
  private readonly byId = new Map<number, Order>();
  /** Open orders per account, then per symbol. */
  private readonly openByAccount = new Map<number, Map<number, Set<Order>>>();
  private readonly history = new Map<string, { orders: Order[]; trades: TradeRecord[] }>();
  private readonly clientIds = new Map<string, Order>();
  /** Order lists by id; done lists are dropped with their legs' history. */
  private readonly lists = new Map<number, OrderList>();
  private nextListId = 1;
  private readonly touched = new Map<number, Set<string>>();
  private readonly triggered: Order[] = [];
  private nextOrderId = 1;
  private draining = false;
  /** Orders placed, and fills made (both sides of an account-to-account trade count). */
  ordersPlaced = 0;
  fillsMade = 0;

  constructor(
    private readonly market: MarketAccess,
    readonly symbols: readonly SymbolSpec[],
    private readonly ledger: Ledger,
    private readonly rates: (accountId: number) => CommissionRates,
    private readonly listener: ExecutionListener,
  ) {
    for (const spec of symbols) {
      if (spec.priceScale > 8 || spec.sizeScale > 8)
        throw new RangeError(`${spec.symbol}: the exchange keeps at most 8 decimals`);
    }
    this.resting = new Array<RestingOrders | undefined>(symbols.length);
    this.stops = Array.from({ length: symbols.length }, () => []);
  }

  // ---------------------------------------------------------------- requests

  /** Checks, locks, matches and rests or expires an order; throws an ExchangeRejection when refused. */
  place(request: OrderRequest, now: number): PlaceResult {
    const order = this.admit(request, -1, now);
    this.lock(order, this.lockNeeded(order));
    const fills: Fill[] = [];
    this.enter(order, now);
    if (isConditional(order.type)) this.stops[order.symbolIndex]!.push(order);
    else this.work(order, now, fills);
    this.drainTriggers(now);
    this.flushBalances(now);
    return { order, fills };
  }

  /**
   * Places an OCO list: legs that must neither take nor trigger now (a LIMIT_MAKER resting, stops
   * waiting), one lock for the list (the most any leg needs), held by the first leg until another
   * starts executing. Throws an ExchangeRejection, placing nothing, when any leg is refused.
   */
  placeOneCancelsOther(
    legs: readonly OrderRequest[],
    listClientOrderId: string | undefined,
    now: number,
  ): OrderList {
    const orderListId = this.nextListId++;
    const orders = legs.map((leg) => this.admit(leg, orderListId, now));
    const lock = orders.reduce((most, order) => {
      const needed = this.lockNeeded(order);
      return needed > most ? needed : most;
    }, 0n);
    this.lock(orders[0]!, lock);
    const list: OrderList = {
      orderListId,
      listClientOrderId: listClientOrderId ?? `simlist${orderListId}`,
      accountId: orders[0]!.accountId,
      symbolIndex: orders[0]!.symbolIndex,
      orders,
      transactionTime: now,
      done: false,
      updateTime: now,
    };
    this.lists.set(orderListId, list);
    for (const order of orders) this.enter(order, now);
    this.listener.listUpdated(list, now);
    for (const order of orders) {
      if (isConditional(order.type)) this.stops[order.symbolIndex]!.push(order);
      else this.rest(order);
    }
    this.flushBalances(now);
    return list;
  }

  /** An order list of the account, while its history is kept. */
  findList(
    accountId: number,
    id: { orderListId: number } | { listClientOrderId: string },
  ): OrderList | undefined {
    const list =
      'orderListId' in id
        ? this.lists.get(id.orderListId)
        : [...this.lists.values()].find(
            (candidate) =>
              candidate.listClientOrderId === id.listClientOrderId && candidate.accountId === accountId,
          );
    return list?.accountId === accountId ? list : undefined;
  }

  /** The account's order lists still executing, oldest first. */
  openLists(accountId: number): OrderList[] {
    return [...this.lists.values()].filter((list) => list.accountId === accountId && !list.done);
  }

  /** Cancels every open leg of a list; throws -2011 when it is unknown or already done. */
  cancelList(
    accountId: number,
    id: { orderListId: number } | { listClientOrderId: string },
    now: number,
  ): OrderList {
    const list = this.findList(accountId, id);
    if (list === undefined || list.done) throw rejections.unknownOrderList();
    for (const order of list.orders) if (isOpen(order)) this.finish(order, 'CANCELED', 'CANCELED', now);
    this.flushBalances(now);
    return list;
  }

  /** Cancels an open order by id or client id; throws -2011 when it is unknown or no longer open. */
  cancel(accountId: number, symbolIndex: number, id: OrderId, now: number): Order {
    const order = this.find(accountId, symbolIndex, id);
    if (order === undefined || !isOpen(order)) throw rejections.unknownOrder();
    // Cancelling a leg of an order list cancels the list, as on Binance.
    const legs = order.orderListId >= 0 ? this.lists.get(order.orderListId)!.orders : [order];
    for (const leg of legs) if (isOpen(leg)) this.finish(leg, 'CANCELED', 'CANCELED', now);
    this.flushBalances(now);
    return order;
  }

  /** Cancels every open order of the account on the symbol; throws -2011 when there is none. */
  cancelAll(accountId: number, symbolIndex: number, now: number): Order[] {
    const open = this.openOrders(accountId, symbolIndex);
    if (open.length === 0) throw rejections.unknownOrder();
    for (const order of open) this.finish(order, 'CANCELED', 'CANCELED', now);
    this.flushBalances(now);
    return open;
  }

  /** An order of the account, open or closed (while its history is kept). */
  find(accountId: number, symbolIndex: number, id: OrderId): Order | undefined {
    const order =
      'orderId' in id
        ? this.byId.get(id.orderId)
        : this.clientIds.get(clientKey(accountId, symbolIndex, id.clientOrderId));
    if (order === undefined || order.accountId !== accountId || order.symbolIndex !== symbolIndex)
      return undefined;
    return order;
  }

  /** Open orders of the account, on one symbol or all, oldest first. */
  openOrders(accountId: number, symbolIndex?: number): Order[] {
    const bySymbol = this.openByAccount.get(accountId);
    if (bySymbol === undefined) return [];
    if (symbolIndex !== undefined) return [...(bySymbol.get(symbolIndex) ?? [])];
    return [...bySymbol.values()].flatMap((orders) => [...orders]).sort((a, b) => a.orderId - b.orderId);
  }

  /** Every kept order of the account on a symbol, oldest first. */
  allOrders(accountId: number, symbolIndex: number): readonly Order[] {
    return this.history.get(`${accountId}:${symbolIndex}`)?.orders ?? [];
  }

  /** Every kept trade of the account on a symbol, oldest first. */
  trades(accountId: number, symbolIndex: number): readonly TradeRecord[] {
    return this.history.get(`${accountId}:${symbolIndex}`)?.trades ?? [];
  }

  /** Checks a request and builds its order (no lock, not yet known to anyone). */
  private admit(request: OrderRequest, orderListId: number, now: number): Order {
    const spec = this.symbols[request.symbolIndex]!;
    this.check(request, spec);
    const clientOrderId = request.clientOrderId ?? `sim${this.nextOrderId}`;
    const existing = this.clientIds.get(clientKey(request.accountId, request.symbolIndex, clientOrderId));
    if (existing !== undefined && isOpen(existing)) throw rejections.duplicateClientOrderId();
    const conditional = isConditional(request.type);
    const order: Order = {
      orderId: this.nextOrderId++,
      orderListId,
      accountId: request.accountId,
      symbolIndex: request.symbolIndex,
      clientOrderId,
      side: request.side,
      type: request.type,
      timeInForce: request.timeInForce,
      price: request.price ?? 0,
      stopPrice: request.stopPrice ?? 0,
      origQty: request.quantity ?? 0,
      origQuoteOrderQty: request.quoteOrderQty ?? 0n,
      stpMode: request.stpMode ?? DEFAULT_STP_MODE,
      time: now,
      executedQty: 0,
      cumulativeQuote: 0n,
      status: 'NEW',
      updateTime: now,
      isWorking: !conditional,
      workingTime: conditional ? -1 : now,
      locked: 0n,
      ahead: 0,
      executions: 0,
    };
    if (conditional && triggersAt(order, this.market.lastPrice(order.symbolIndex)))
      throw rejections.wouldTrigger();
    if (
      order.type === 'LIMIT_MAKER' &&
      crossesBook(order, this.market.book(order.symbolIndex), this.resting[order.symbolIndex])
    )
      throw rejections.wouldTake();
    return order;
  }

  /** Locks what an admitted order needs; -2010 when the account cannot. */
  private lock(order: Order, amount: bigint): void {
    if (!this.ledger.lock(order.accountId, this.lockAsset(order), amount))
      throw rejections.insufficientBalance();
    order.locked = amount;
    this.touch(order.accountId, this.lockAsset(order));
  }

  /** Makes a locked order known (ids, history, open set) and reports it NEW. */
  private enter(order: Order, now: number): void {
    this.ordersPlaced++;
    this.byId.set(order.orderId, order);
    this.clientIds.set(clientKey(order.accountId, order.symbolIndex, order.clientOrderId), order);
    this.record(order);
    this.open(order);
    this.report(order, 'NEW', undefined, now);
  }

  /**
   * A leg of an OCO list starts executing (its first fill, or its trigger): the other legs expire,
   * and the list's lock passes to this leg if another held it.
   */
  private claimList(order: Order | undefined, now: number): void {
    if (order === undefined || order.orderListId < 0) return;
    for (const sibling of this.lists.get(order.orderListId)!.orders) {
      if (sibling === order || !isOpen(sibling)) continue;
      order.locked += sibling.locked;
      sibling.locked = 0n;
      this.finish(sibling, 'EXPIRED', 'EXPIRED', now);
    }
  }

  // ---------------------------------------------------------------- the market's hooks

  /** True when the symbol has resting or conditional orders, so the market must report to the engine. */
  watches(index: number): boolean {
    return (this.resting[index]?.count ?? 0) > 0 || this.stops[index]!.length > 0;
  }

  /**
   * The simulated market traded `quantity` at `price` (the aggressor buying when `buyerAggressor`).
   * Resting orders better than the price fill entirely (the trade went through them); at the price,
   * they fill from the part of the trade beyond the market quantity queued ahead of them. Returns
   * the quantity they took at `price`, which the market leaves out of its own print.
   */
  marketTraded(index: number, price: number, quantity: number, buyerAggressor: boolean, now: number): number {
    const resting = this.resting[index];
    let absorbed = 0;
    if (resting !== undefined && resting.count > 0) {
      const side: BookSide = buyerAggressor ? ASK : BID;
      this.fillThrough(resting, side, price, now);
      let left = quantity;
      const queue = resting.level(side, price);
      while (left > 0 && queue !== undefined && queue.length > 0) {
        const head = queue[0]!;
        if (head.ahead > 0) {
          const passed = Math.min(left, head.ahead);
          consumeAhead(queue, passed);
          left -= passed;
          continue;
        }
        const filled = Math.min(left, remaining(head));
        this.fillAgainstMarket(head, price, filled, true, now);
        left -= filled;
        absorbed += filled;
      }
    }
    this.checkStops(index, price);
    this.drainTriggers(now);
    this.flushBalances(now);
    return absorbed;
  }

  /** The market's touch moved: resting orders it crossed (a bid at or above a resting sell) fill entirely. */
  touchMoved(index: number, bidPrice: number, askPrice: number, now: number): void {
    const resting = this.resting[index];
    if (resting === undefined || resting.count === 0) return;
    this.fillThrough(resting, ASK, bidPrice, now, true);
    this.fillThrough(resting, BID, askPrice, now, true);
    this.drainTriggers(now);
    this.flushBalances(now);
  }

  // ---------------------------------------------------------------- matching

  /** Matches a working order as a taker, then rests it (GTC limit) or expires what is left. */
  private work(order: Order, now: number, fills: Fill[]): void {
    if (order.timeInForce === 'FOK' && this.walk(order).quantity < order.origQty) {
      this.finish(order, 'EXPIRED', 'EXPIRED', now);
      return;
    }
    this.take(order, now, fills);
    if (!isOpen(order)) return;
    const rests =
      order.type === 'LIMIT_MAKER' || (workingType(order) === 'LIMIT' && order.timeInForce === 'GTC');
    if (rests && remaining(order) > 0) this.rest(order);
    else if (isOpen(order)) this.finish(order, 'EXPIRED', 'EXPIRED', now);
  }

  private take(order: Order, now: number, fills: Fill[]): void {
    const index = order.symbolIndex;
    const takerSide: BookSide = order.side === 'BUY' ? ASK : BID;
    const book = this.market.book(index);
    const resting = this.resting[index];
    const limited = workingType(order) === 'LIMIT';
    while (isOpen(order)) {
      const marketBest = book.best(takerSide);
      const accountBest = resting?.best(takerSide);
      const price =
        marketBest === undefined
          ? accountBest
          : accountBest === undefined
            ? marketBest
            : takerSide === ASK
              ? Math.min(marketBest, accountBest)
              : Math.max(marketBest, accountBest);
      if (price === undefined || (limited && !reaches(takerSide, price, order.price))) return;
      if (!this.takeLevel(order, takerSide, price, book, resting, now, fills)) return;
    }
  }

  /** Takes what the order wants at one price; false when the order can take no more (budget, STP). */
  private takeLevel(
    order: Order,
    side: BookSide,
    price: number,
    book: OrderBook,
    resting: RestingOrders | undefined,
    now: number,
    fills: Fill[],
  ): boolean {
    let market = book.quantityAt(side, price);
    let fromMarket = 0;
    const queue = resting?.level(side, price);
    let progressed = true;
    while (isOpen(order)) {
      const wanted = this.wanted(order, price);
      if (wanted === 0) {
        progressed = false;
        break;
      }
      const head = queue?.[0];
      if (head !== undefined && (head.ahead === 0 || market === 0)) {
        if (head.accountId === order.accountId && order.stpMode !== 'NONE') {
          if (!this.preventSelfTrade(order, head, now)) {
            progressed = false;
            break;
          }
          continue;
        }
        const quantity = Math.min(wanted, remaining(head));
        fills.push(this.trade(order, head, price, quantity, now));
        continue;
      }
      if (market === 0) break;
      const quantity = Math.min(wanted, market, head === undefined ? Infinity : head.ahead);
      fills.push(this.fillAgainstMarket(order, price, quantity, false, now));
      market -= quantity;
      fromMarket += quantity;
      consumeAhead(queue, quantity);
    }
    if (fromMarket > 0) this.market.consume(order.symbolIndex, side, price, fromMarket);
    return progressed && isOpen(order);
  }

  /** What an order may still take at `price`: its remaining quantity, or what its quote budget buys. */
  private wanted(order: Order, price: number): number {
    if (order.origQuoteOrderQty === 0n) return remaining(order);
    const spec = this.symbols[order.symbolIndex]!;
    return quantityFor(
      order.origQuoteOrderQty - order.cumulativeQuote,
      price,
      spec.priceScale,
      spec.sizeScale,
    );
  }

  /** Self-trade prevention under the taker's mode; false when the taker itself expired. */
  private preventSelfTrade(taker: Order, maker: Order, now: number): boolean {
    const mode = taker.stpMode;
    if (mode === 'EXPIRE_MAKER' || mode === 'EXPIRE_BOTH')
      this.finish(maker, 'TRADE_PREVENTION', 'EXPIRED_IN_MATCH', now);
    if (mode === 'EXPIRE_TAKER' || mode === 'EXPIRE_BOTH') {
      this.finish(taker, 'TRADE_PREVENTION', 'EXPIRED_IN_MATCH', now);
      return false;
    }
    return true;
  }

  /** Resting orders on `side` at prices better than `price` (or at it, when `inclusive`) fill entirely. */
  private fillThrough(
    resting: RestingOrders,
    side: BookSide,
    price: number,
    now: number,
    inclusive = false,
  ): void {
    for (;;) {
      const best = resting.best(side);
      if (best === undefined) return;
      const through =
        side === ASK
          ? best < price || (inclusive && best === price)
          : best > price || (inclusive && best === price);
      if (!through) return;
      const queue = resting.level(side, best)!;
      const head = queue[0]!;
      this.fillAgainstMarket(head, best, remaining(head), true, now);
    }
  }

  /** A trade between a taker and a resting account order; returns the taker's fill. */
  private trade(taker: Order, maker: Order, price: number, quantity: number, now: number): Fill {
    const buying = taker.side === 'BUY';
    return this.execute(buying ? taker : maker, buying ? maker : taker, price, quantity, buying, now, taker);
  }

  /** A fill between an account order (resting when `maker`) and the simulated market. */
  private fillAgainstMarket(
    order: Order,
    price: number,
    quantity: number,
    maker: boolean,
    now: number,
  ): Fill {
    const buying = order.side === 'BUY';
    // The market is the aggressor when the account order was resting.
    const buyerAggressor = maker ? !buying : buying;
    return this.execute(
      buying ? order : undefined,
      buying ? undefined : order,
      price,
      quantity,
      buyerAggressor,
      now,
      order,
    );
  }

  /**
   * One trade: printed on the public streams, settled, and reported to each account side, the
   * maker's report first. An absent side is the simulated market. Returns `of`'s fill.
   */
  private execute(
    buyer: Order | undefined,
    seller: Order | undefined,
    price: number,
    quantity: number,
    buyerAggressor: boolean,
    now: number,
    of: Order,
  ): Fill {
    this.claimList(buyer, now);
    this.claimList(seller, now);
    const tradeId = this.market.printTrade(of.symbolIndex, price, quantity, buyerAggressor, now);
    const { buyerFill, sellerFill } = this.settle(
      buyer,
      seller,
      price,
      quantity,
      tradeId,
      buyerAggressor,
      now,
    );
    const [first, firstFill, second, secondFill] = buyerAggressor
      ? [seller, sellerFill, buyer, buyerFill]
      : [buyer, buyerFill, seller, sellerFill];
    if (first !== undefined) this.applyFill(first, firstFill, now);
    if (second !== undefined) this.applyFill(second, secondFill, now);
    return of === buyer ? buyerFill : sellerFill;
  }

  /**
   * Moves the money of one trade: the buyer's quote (from what its order locked) to the seller, the
   * seller's base (locked) to the buyer, each side's commission from what it received to the fees
   * account. An absent side is the simulated market. Returns each side's fill.
   */
  private settle(
    buyer: Order | undefined,
    seller: Order | undefined,
    price: number,
    quantity: number,
    tradeId: number,
    buyerIsTaker: boolean,
    now: number,
  ): { buyerFill: Fill; sellerFill: Fill } {
    const spec = this.symbols[(buyer ?? seller)!.symbolIndex]!;
    const quote = quoteUnits(price, quantity, spec.priceScale, spec.sizeScale);
    const base = baseUnits(quantity, spec.sizeScale);
    const buyerAccount = buyer?.accountId ?? MARKET_ACCOUNT;
    const sellerAccount = seller?.accountId ?? MARKET_ACCOUNT;
    if (buyer !== undefined) {
      this.spendLocked(buyer, spec.quoteAsset, quote);
      this.ledger.transfer(buyerAccount, spec.quoteAsset, quote, true, sellerAccount);
      // A limit buy filled below its limit locked more than it spent: that part is free again.
      if (buyer.price > 0) {
        const surplus = quoteUnits(buyer.price, quantity, spec.priceScale, spec.sizeScale) - quote;
        const release = surplus < buyer.locked ? surplus : buyer.locked;
        if (release > 0n) {
          this.ledger.unlock(buyerAccount, spec.quoteAsset, release);
          buyer.locked -= release;
        }
      }
    } else {
      this.ledger.transfer(MARKET_ACCOUNT, spec.quoteAsset, quote, false, sellerAccount);
    }
    if (seller !== undefined) {
      this.spendLocked(seller, spec.baseAsset, base);
      this.ledger.transfer(sellerAccount, spec.baseAsset, base, true, buyerAccount);
    } else {
      this.ledger.transfer(MARKET_ACCOUNT, spec.baseAsset, base, false, buyerAccount);
    }
    const buyerFee = buyer === undefined ? 0n : this.commission(buyerAccount, base, buyerIsTaker);
    const sellerFee = seller === undefined ? 0n : this.commission(sellerAccount, quote, !buyerIsTaker);
    this.ledger.transfer(buyerAccount, spec.baseAsset, buyerFee, false, FEES_ACCOUNT);
    this.ledger.transfer(sellerAccount, spec.quoteAsset, sellerFee, false, FEES_ACCOUNT);
    this.touch(buyerAccount, spec.baseAsset, spec.quoteAsset);
    this.touch(sellerAccount, spec.baseAsset, spec.quoteAsset);
    const fill = (fee: bigint, asset: string, maker: boolean): Fill => ({
      tradeId,
      price,
      quantity,
      quote,
      commission: fee,
      commissionAsset: asset,
      maker,
      time: now,
    });
    return {
      buyerFill: fill(buyerFee, spec.baseAsset, !buyerIsTaker),
      sellerFill: fill(sellerFee, spec.quoteAsset, buyerIsTaker),
    };
  }

  /** Takes `amount` off what the order locked, locking more first when rounding left it short. */
  private spendLocked(order: Order, asset: string, amount: bigint): void {
    if (order.locked < amount) {
      const missing = amount - order.locked;
      if (!this.ledger.lock(order.accountId, asset, missing))
        throw new RangeError('fill exceeds the balance locked for it');
      order.locked += missing;
    }
    order.locked -= amount;
  }

  private commission(accountId: number, received: bigint, taker: boolean): bigint {
    const rates = this.rates(accountId);
    return (received * (taker ? rates.taker : rates.maker)) / RATE_UNIT;
  }

  private applyFill(order: Order, fill: Fill, now: number): Fill {
    order.executedQty += fill.quantity;
    order.cumulativeQuote += fill.quote;
    order.updateTime = now;
    this.fillsMade++;
    this.history.get(historyKey(order))!.trades.push({ order, fill });
    const filled =
      remaining(order) === 0 || (order.origQuoteOrderQty > 0n && this.wanted(order, fill.price) === 0);
    if (filled) {
      this.report(order, 'TRADE', fill, now, 'FILLED');
      this.close(order, now);
    } else {
      this.report(order, 'TRADE', fill, now, 'PARTIALLY_FILLED');
    }
    return fill;
  }

  // ---------------------------------------------------------------- order lifecycle

  private rest(order: Order): void {
    const index = order.symbolIndex;
    let resting = this.resting[index];
    if (resting === undefined) {
      resting = new RestingOrders();
      this.resting[index] = resting;
      this.market.book(index).listeners.push(resting);
    }
    order.ahead = this.market.book(index).quantityAt(restingSide(order), order.price);
    resting.add(order);
  }

  /** Ends an open order with `status`, unlocking what it still holds. */
  private finish(order: Order, type: ExecutionType, status: OrderStatus, now: number): void {
    order.updateTime = now;
    this.report(order, type, undefined, now, status);
    this.close(order, now);
  }

  private close(order: Order, now: number): void {
    this.resting[order.symbolIndex]?.remove(order);
    const stops = this.stops[order.symbolIndex]!;
    const at = stops.indexOf(order);
    if (at >= 0) stops.splice(at, 1);
    this.openByAccount.get(order.accountId)?.get(order.symbolIndex)?.delete(order);
    if (order.locked > 0n) {
      this.ledger.unlock(order.accountId, this.lockAsset(order), order.locked);
      this.touch(order.accountId, this.lockAsset(order));
      order.locked = 0n;
    }
    order.updateTime = now;
    const list = order.orderListId >= 0 ? this.lists.get(order.orderListId) : undefined;
    if (list !== undefined && !list.done && !list.orders.some(isOpen)) {
      list.done = true;
      list.updateTime = now;
      this.listener.listUpdated(list, now);
    }
  }

  private open(order: Order): void {
    let bySymbol = this.openByAccount.get(order.accountId);
    if (bySymbol === undefined) {
      bySymbol = new Map();
      this.openByAccount.set(order.accountId, bySymbol);
    }
    let open = bySymbol.get(order.symbolIndex);
    if (open === undefined) {
      open = new Set();
      bySymbol.set(order.symbolIndex, open);
    }
    open.add(order);
  }

  private record(order: Order): void {
    const key = historyKey(order);
    let entry = this.history.get(key);
    if (entry === undefined) {
      entry = { orders: [], trades: [] };
      this.history.set(key, entry);
    }
    entry.orders.push(order);
    if (entry.orders.length > MAX_HISTORY * 1.1) {
      const dropped = entry.orders.splice(0, entry.orders.length - MAX_HISTORY).filter((old) => !isOpen(old));
      for (const old of dropped) {
        this.lists.delete(old.orderListId);
        this.byId.delete(old.orderId);
        this.clientIds.delete(clientKey(old.accountId, old.symbolIndex, old.clientOrderId));
      }
    }
    if (entry.trades.length > MAX_HISTORY * 1.1) entry.trades.splice(0, entry.trades.length - MAX_HISTORY);
  }

  private report(
    order: Order,
    type: ExecutionType,
    fill: Fill | undefined,
    now: number,
    status: OrderStatus = order.status,
  ): void {
    order.status = status;
    order.executions++;
    this.listener.executed({
      order,
      type,
      status,
      executedQty: order.executedQty,
      cumulativeQuote: order.cumulativeQuote,
      fill,
      time: now,
    });
  }

  // ---------------------------------------------------------------- conditional orders

  private checkStops(index: number, lastPrice: number): void {
    const stops = this.stops[index]!;
    for (let i = 0; i < stops.length;) {
      const order = stops[i]!;
      if (triggersAt(order, lastPrice)) {
        stops.splice(i, 1);
        this.triggered.push(order);
      } else {
        i++;
      }
    }
  }

  /** Works the orders whose trigger fired, one after another (their own trades may fire more). */
  private drainTriggers(now: number): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let order = this.triggered.shift(); order !== undefined; order = this.triggered.shift()) {
        if (!isOpen(order)) continue;
        order.isWorking = true;
        order.workingTime = now;
        this.claimList(order, now);
        if (!this.relockForMarket(order)) {
          this.finish(order, 'EXPIRED', 'EXPIRED', now);
          continue;
        }
        this.work(order, now, []);
        this.checkStops(order.symbolIndex, this.market.lastPrice(order.symbolIndex));
      }
    } finally {
      this.draining = false;
    }
  }

  // ---------------------------------------------------------------- checks and locks

  /**
   * A triggered stop-market buy locked its quantity at the stop price; what the book charges now
   * may be more. Locks the difference; false when the account cannot pay it.
   */
  private relockForMarket(order: Order): boolean {
    if (order.side !== 'BUY' || workingType(order) !== 'MARKET') return true;
    const cost = this.walk(order).quote;
    if (cost <= order.locked) return true;
    if (!this.ledger.lock(order.accountId, this.lockAsset(order), cost - order.locked)) return false;
    order.locked = cost;
    return true;
  }

  private check(request: OrderRequest, spec: SymbolSpec): void {
    if (request.quantity !== undefined) checkQuantity(spec, request.quantity);
    if (request.price !== undefined) checkPrice(spec, request.price);
    if (request.stopPrice !== undefined) checkPrice(spec, request.stopPrice);
    const isMarket = workingType(request) === 'MARKET';
    const reference = request.price ?? request.stopPrice ?? this.market.lastPrice(request.symbolIndex);
    if (request.quantity !== undefined) checkNotional(spec, reference, request.quantity, isMarket);
    else if (request.quoteOrderQty !== undefined && request.quoteOrderQty < SYMBOL_LIMITS.minNotional)
      throw rejections.filterFailure('NOTIONAL');
    const open = this.openByAccount.get(request.accountId)?.get(request.symbolIndex)?.size ?? 0;
    if (open >= SYMBOL_LIMITS.maxNumOrders) throw rejections.filterFailure('MAX_NUM_ORDERS');
  }

  /** Asset an order locks: the quote for a buy, the base for a sell. */
  private lockAsset(order: Order): string {
    const spec = this.symbols[order.symbolIndex]!;
    return order.side === 'BUY' ? spec.quoteAsset : spec.baseAsset;
  }

  /**
   * What an order locks while it is open. A sell: its base quantity (a sell by quote amount: the
   * quantity the book would take for it). A buy with a price: price × quantity. A market buy: what
   * the book would charge now; a stop-market buy: its quantity at the stop price.
   */
  private lockNeeded(order: Order): bigint {
    const spec = this.symbols[order.symbolIndex]!;
    if (order.side === 'SELL') {
      const quantity = order.origQty > 0 ? order.origQty : this.walk(order).quantity;
      return baseUnits(quantity, spec.sizeScale);
    }
    if (order.origQuoteOrderQty > 0n) return order.origQuoteOrderQty;
    const price = order.price > 0 ? order.price : order.stopPrice;
    if (price > 0) return quoteUnits(price, order.origQty, spec.priceScale, spec.sizeScale);
    return this.walk(order).quote;
  }

  /** The liquidity an order would meet now (matching/liquidity.ts). */
  private walk(order: Order): { quantity: number; quote: bigint } {
    return walkLiquidity(
      order,
      this.symbols[order.symbolIndex]!,
      this.market.book(order.symbolIndex),
      this.resting[order.symbolIndex],
    );
  }

  // ---------------------------------------------------------------- balance reports

  private touch(accountId: number, ...assets: string[]): void {
    if (accountId <= 0) return;
    let set = this.touched.get(accountId);
    if (set === undefined) {
      set = new Set();
      this.touched.set(accountId, set);
    }
    for (const asset of assets) set.add(asset);
  }

  private flushBalances(now: number): void {
    if (this.touched.size === 0) return;
    for (const [accountId, assets] of this.touched)
      this.listener.balancesChanged(accountId, [...assets], now);
    this.touched.clear();
  }
}

/** An order named by its exchange id or by the client's id. */
export type OrderId = { orderId: number } | { clientOrderId: string };

function clientKey(accountId: number, symbolIndex: number, clientOrderId: string): string {
  return `${accountId}:${symbolIndex}:${clientOrderId}`;
}

function historyKey(order: Order): string {
  return `${order.accountId}:${order.symbolIndex}`;
}
