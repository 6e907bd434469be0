import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MARKET_ACCOUNT } from '../../src/simulator/accounts/ledger.ts';
import { ASK, BID } from '../../src/simulator/market/order-book.ts';
import type { Order, OrderRequest } from '../../src/simulator/matching/order.ts';
import { ExchangeRejection } from '../../src/simulator/matching/rejection.ts';
import { scriptedExchange } from './scripted-market.ts';

const USDT = 'USDT';
const BTC = 'BTC';
/** 1 USDT and 1 BTC in ledger units. */
const UNIT = 100_000_000n;

function order(accountId: number, fields: Partial<OrderRequest>): OrderRequest {
  return { accountId, symbolIndex: 0, side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', ...fields };
}

function rejectionCode(run: () => unknown): number {
  try {
    run();
  } catch (error) {
    if (error instanceof ExchangeRejection) return error.code;
    throw error;
  }
  assert.fail('expected a rejection');
}

describe('matching engine', () => {
  it('fills a market buy at the ask, charges the taker fee in the base received, and prints the trade', () => {
    const { exchange } = scriptedExchange([{ USDT: '1000' }]);
    const printed: number[] = [];
    const { order: placed, fills } = exchange.engine.place(
      order(1, { type: 'MARKET', timeInForce: undefined, quantity: 50_000 }),
      1,
    );
    printed.push(...fills.map((fill) => fill.price));
    assert.equal(placed.status, 'FILLED');
    assert.deepEqual(printed, [10_001]);
    // 0.5 BTC at 100.01 = 50.005 USDT; 0.1% of 0.5 BTC = 0.0005 BTC.
    assert.deepEqual(exchange.ledger.balance(1, USDT), { free: 1000n * UNIT - 5_000_500_000n, locked: 0n });
    assert.deepEqual(exchange.ledger.balance(1, BTC), { free: 50_000_000n - 50_000n, locked: 0n });
    assert.equal(fills[0]!.commission, 50_000n);
    assert.equal(fills[0]!.commissionAsset, BTC);
    assert.equal(fills[0]!.maker, false);
  });

  it('walks the levels behind the touch up to the limit, best price first', () => {
    const { exchange, market } = scriptedExchange([{ USDT: '1000000' }]);
    const book = market.book(0);
    const askLevels = book.prices[ASK].slice(0, 3);
    const wanted = book.quantities[ASK][0]! + 1;
    const { order: placed, fills } = exchange.engine.place(
      order(1, { price: askLevels[2]!, quantity: wanted }),
      1,
    );
    assert.equal(placed.status, 'FILLED');
    assert.deepEqual(
      fills.map((fill) => fill.price),
      [askLevels[0], askLevels[1]],
    );
    assert.ok(fills.every((fill) => fill.price <= askLevels[2]!));
  });

  it('fills a resting order only after the market quantity queued ahead of it has traded', () => {
    const scripted = scriptedExchange([{ BTC: '10' }]);
    const { exchange } = scripted;
    // 1 BTC of the market rests at 100.01 before the account's 0.5 BTC.
    const { order: resting } = exchange.engine.place(
      order(1, { side: 'SELL', price: 10_001, quantity: 50_000 }),
      1,
    );
    assert.equal(resting.ahead, 100_000);
    scripted.trade(true, 60_000);
    assert.equal(resting.executedQty, 0);
    assert.equal(resting.ahead, 40_000);
    scripted.trade(true, 60_000);
    // 0.4 BTC of the market first, then 0.2 of ours.
    assert.equal(resting.executedQty, 20_000);
    assert.equal(resting.status, 'PARTIALLY_FILLED');
    // The market's bid moves through the order's price: the rest fills at the order's price.
    scripted.quote(10_002, 10_003);
    assert.equal(resting.status, 'FILLED');
    const prices = exchange.engine.trades(1, 0).map((trade) => trade.fill.price);
    assert.deepEqual(prices, [10_001, 10_001]);
    assert.ok(exchange.engine.trades(1, 0).every((trade) => trade.fill.maker));
  });

  it('fills a resting order entirely when the market trades through its price', () => {
    const scripted = scriptedExchange([{ USDT: '1000' }]);
    const { order: resting } = scripted.exchange.engine.place(
      order(1, { price: 9_998, quantity: 10_000 }),
      1,
    );
    assert.equal(resting.ahead, scripted.market.book(0).quantityAt(BID, 9_998));
    scripted.print(9_997, 1, false);
    assert.equal(resting.status, 'FILLED');
    assert.equal(scripted.exchange.engine.trades(1, 0)[0]!.fill.price, 9_998);
  });

  it('trades account against account at the maker price, each paying its own fee', () => {
    const scripted = scriptedExchange([{ USDT: '1000' }, { BTC: '1' }]);
    scripted.quote(10_000, 10_003);
    const engine = scripted.exchange.engine;
    const { order: maker } = engine.place(order(2, { side: 'SELL', price: 10_001, quantity: 10_000 }), 1);
    assert.equal(maker.ahead, 0);
    const { fills } = engine.place(order(1, { type: 'MARKET', timeInForce: undefined, quantity: 10_000 }), 2);
    assert.deepEqual(
      fills.map((fill) => [fill.price, fill.quantity, fill.maker]),
      [[10_001, 10_000, false]],
    );
    assert.equal(maker.status, 'FILLED');
    // The seller (maker) received 10.001 USDT less 0.1%.
    assert.equal(scripted.exchange.ledger.balance(2, USDT).free, 1_000_100_000n - 1_000_100n);
    assert.equal(scripted.exchange.ledger.balance(MARKET_ACCOUNT, USDT).free, 0n);
  });

  it('expires the maker under self-trade prevention (EXPIRE_MAKER by default) and goes on', () => {
    const scripted = scriptedExchange([{ USDT: '1000', BTC: '1' }]);
    scripted.quote(10_000, 10_003);
    const engine = scripted.exchange.engine;
    const { order: own } = engine.place(order(1, { side: 'SELL', price: 10_001, quantity: 10_000 }), 1);
    const { order: taker, fills } = engine.place(order(1, { price: 10_001, quantity: 10_000 }), 2);
    assert.equal(own.status, 'EXPIRED_IN_MATCH');
    assert.equal(fills.length, 0);
    assert.equal(taker.status, 'NEW');
    assert.equal(scripted.exchange.ledger.balance(1, BTC).locked, 0n);
    const { order: second } = engine.place(
      order(1, { side: 'SELL', price: 10_001, quantity: 10_000, stpMode: 'EXPIRE_TAKER' }),
      3,
    );
    assert.equal(second.status, 'EXPIRED_IN_MATCH');
    assert.equal(taker.status, 'NEW');
  });

  it('refuses what Binance refuses, with its codes, and leaves balances as they were', () => {
    const scripted = scriptedExchange([{ USDT: '10' }]);
    const engine = scripted.exchange.engine;
    assert.equal(
      rejectionCode(() => engine.place(order(1, { price: 10_000, quantity: 100_000 }), 1)),
      -2010,
    );
    assert.equal(
      rejectionCode(() =>
        engine.place(
          order(1, { type: 'LIMIT_MAKER', timeInForce: undefined, price: 10_001, quantity: 1_000 }),
          1,
        ),
      ),
      -2010,
    );
    assert.equal(
      rejectionCode(() => engine.place(order(1, { price: 10_000, quantity: 0 }), 1)),
      -1013,
    );
    assert.equal(
      rejectionCode(() => engine.place(order(1, { price: 10_000, quantity: 1 }), 1)),
      -1013,
    );
    assert.equal(
      rejectionCode(() =>
        engine.place(
          order(1, { type: 'STOP_LOSS_LIMIT', price: 10_100, stopPrice: 9_000, quantity: 1_000 }),
          1,
        ),
      ),
      -2010,
    );
    assert.equal(
      rejectionCode(() => engine.cancel(1, 0, { orderId: 999 }, 1)),
      -2011,
    );
    assert.deepEqual(scripted.exchange.ledger.balance(1, USDT), { free: 10n * UNIT, locked: 0n });
  });

  it('expires a fill-or-kill order the book cannot fill, and triggers a stop-loss on a fall', () => {
    const scripted = scriptedExchange([{ USDT: '100000', BTC: '1' }]);
    const engine = scripted.exchange.engine;
    const { order: fok } = engine.place(
      order(1, { timeInForce: 'FOK', price: 10_001, quantity: 200_000 }),
      1,
    );
    assert.equal(fok.status, 'EXPIRED');
    assert.equal(fok.executedQty, 0);
    assert.equal(scripted.exchange.ledger.balance(1, USDT).locked, 0n);
    const { order: stop } = engine.place(
      order(1, {
        side: 'SELL',
        type: 'STOP_LOSS',
        timeInForce: undefined,
        stopPrice: 9_995,
        quantity: 10_000,
      }),
      2,
    );
    assert.equal(stop.isWorking, false);
    scripted.quote(9_990, 9_992);
    scripted.print(9_995, 1, false);
    assert.equal(stop.status, 'FILLED');
    assert.equal(stop.isWorking, true);
    assert.equal(engine.trades(1, 0).at(-1)!.fill.price, 9_990);
  });

  it('runs an OCO list: one lock for both legs, the other leg expires when one executes', () => {
    const scripted = scriptedExchange([{ BTC: '1', USDT: '0' }]);
    const { engine, ledger } = scripted.exchange;
    const legs: [OrderRequest, OrderRequest] = [
      order(1, {
        side: 'SELL',
        type: 'LIMIT_MAKER',
        timeInForce: undefined,
        price: 10_005,
        quantity: 100_000,
      }),
      order(1, { side: 'SELL', type: 'STOP_LOSS_LIMIT', price: 9_990, stopPrice: 9_995, quantity: 100_000 }),
    ];
    const list = engine.placeOneCancelsOther(legs, 'myList', 1);
    const [above, below] = list.orders;
    // Both legs sell the same 1 BTC: it is locked once.
    assert.deepEqual(ledger.balance(1, BTC), { free: 0n, locked: UNIT });
    assert.deepEqual([above!.locked, below!.locked], [UNIT, 0n]);
    // The market falls through the stop: the stop leg takes the lock and works, the maker leg expires.
    scripted.quote(9_994, 9_996);
    scripted.print(9_995, 1, false);
    assert.equal(above!.status, 'EXPIRED');
    assert.ok(below!.isWorking);
    assert.equal(above!.locked, 0n);
    assert.equal(ledger.balance(1, BTC).locked, below!.locked);
    // The stop leg's limit (99.90) is below the market's bid (99.94): it sells the whole BTC at once.
    assert.equal(below!.status, 'FILLED');
    assert.equal(list.done, true);
    assert.deepEqual(ledger.balance(1, BTC), { free: 0n, locked: 0n });
    assert.ok(ledger.balance(1, USDT).free > 0n);
    ledger.deposit(1, BTC, UNIT);
    // A second list: cancelling one leg cancels the list.
    const second = engine.placeOneCancelsOther(
      [
        order(1, {
          side: 'SELL',
          type: 'LIMIT_MAKER',
          timeInForce: undefined,
          price: 10_050,
          quantity: 10_000,
        }),
        order(1, {
          side: 'SELL',
          type: 'STOP_LOSS',
          timeInForce: undefined,
          stopPrice: 9_900,
          quantity: 10_000,
        }),
      ],
      undefined,
      4,
    );
    engine.cancel(1, 0, { orderId: second.orders[1]!.orderId }, 5);
    assert.deepEqual(
      second.orders.map((leg) => leg.status),
      ['CANCELED', 'CANCELED'],
    );
    assert.equal(ledger.balance(1, BTC).locked, 0n);
    assert.equal(
      rejectionCode(() =>
        engine.placeOneCancelsOther(
          [
            order(1, {
              side: 'SELL',
              type: 'LIMIT_MAKER',
              timeInForce: undefined,
              price: 9_000,
              quantity: 10_000,
            }),
            order(1, {
              side: 'SELL',
              type: 'STOP_LOSS',
              timeInForce: undefined,
              stopPrice: 8_900,
              quantity: 10_000,
            }),
          ],
          undefined,
          6,
        ),
      ),
      -2010,
    );
  });

  it('keeps every invariant over random order flows (fast-check)', () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant('place' as const),
        account: fc.integer({ min: 1, max: 3 }),
        side: fc.constantFrom('BUY' as const, 'SELL' as const),
        type: fc.constantFrom(
          'LIMIT' as const,
          'MARKET' as const,
          'LIMIT_MAKER' as const,
          'STOP_LOSS_LIMIT' as const,
        ),
        timeInForce: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
        offset: fc.integer({ min: -6, max: 6 }),
        quantity: fc.integer({ min: 1_000, max: 300_000 }),
        byQuote: fc.boolean(),
        stp: fc.constantFrom(
          'NONE' as const,
          'EXPIRE_TAKER' as const,
          'EXPIRE_MAKER' as const,
          'EXPIRE_BOTH' as const,
        ),
      }),
      fc.record({
        kind: fc.constant('cancel' as const),
        account: fc.integer({ min: 1, max: 3 }),
        pick: fc.nat(),
      }),
      fc.record({
        kind: fc.constant('oco' as const),
        account: fc.integer({ min: 1, max: 3 }),
        side: fc.constantFrom('BUY' as const, 'SELL' as const),
        gap: fc.integer({ min: 1, max: 6 }),
        quantity: fc.integer({ min: 1_000, max: 200_000 }),
      }),
      fc.record({
        kind: fc.constant('quote' as const),
        move: fc.integer({ min: -4, max: 4 }),
        spread: fc.integer({ min: 1, max: 4 }),
      }),
      fc.record({
        kind: fc.constant('trade' as const),
        buyer: fc.boolean(),
        quantity: fc.integer({ min: 1, max: 200_000 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 60 }), (operations) => {
        const scripted = scriptedExchange([
          { USDT: '50000', BTC: '5' },
          { USDT: '20000', BTC: '1' },
          { USDT: '1000', BTC: '10' },
        ]);
        const { engine } = scripted.exchange;
        let now = 1;
        for (const op of operations) {
          now++;
          try {
            if (op.kind === 'place') {
              const reference = op.side === 'BUY' ? scripted.source.ask : scripted.source.bid;
              const price = Math.max(1, reference + op.offset);
              const request: OrderRequest = {
                accountId: op.account,
                symbolIndex: 0,
                side: op.side,
                type: op.type,
                stpMode: op.stp,
              };
              if (op.type === 'MARKET') {
                if (op.byQuote) request.quoteOrderQty = BigInt(op.quantity) * 10_000n;
                else request.quantity = op.quantity;
              } else {
                request.quantity = op.quantity;
                request.price = price;
                if (op.type !== 'LIMIT_MAKER') request.timeInForce = op.timeInForce;
                if (op.type === 'STOP_LOSS_LIMIT')
                  request.stopPrice = op.side === 'BUY' ? price + 3 : Math.max(1, price - 3);
              }
              engine.place(request, now);
            } else if (op.kind === 'oco') {
              // A take-profit LIMIT_MAKER on one side of the market, a stop on the other.
              const { bid, ask } = scripted.source;
              const sell = op.side === 'SELL';
              const maker = order(op.account, {
                side: op.side,
                type: 'LIMIT_MAKER',
                timeInForce: undefined,
                price: sell ? ask + op.gap : Math.max(1, bid - op.gap),
                quantity: op.quantity,
              });
              const stop = order(op.account, {
                side: op.side,
                type: 'STOP_LOSS_LIMIT',
                stopPrice: sell ? Math.max(2, bid - op.gap) : ask + op.gap,
                price: sell ? Math.max(1, bid - op.gap - 1) : ask + op.gap + 1,
                quantity: op.quantity,
              });
              engine.placeOneCancelsOther(sell ? [maker, stop] : [stop, maker], undefined, now);
            } else if (op.kind === 'cancel') {
              const open = engine.openOrders(op.account, 0);
              if (open.length > 0)
                engine.cancel(op.account, 0, { orderId: open[op.pick % open.length]!.orderId }, now);
            } else if (op.kind === 'quote') {
              const bid = Math.max(10, scripted.source.bid + op.move);
              scripted.quote(bid, bid + op.spread);
            } else {
              scripted.trade(op.buyer, op.quantity);
            }
          } catch (error) {
            if (!(error instanceof ExchangeRejection)) throw error;
          }
        }
        checkInvariants(scripted);
      }),
      { numRuns: 150 },
    );
  });
});

function checkInvariants(scripted: ReturnType<typeof scriptedExchange>): void {
  const { engine, ledger } = scripted.exchange;
  // No balance created or destroyed: all accounts, the market's and the fees' add up to the deposits.
  for (const asset of [USDT, BTC])
    assert.equal(ledger.total(asset), ledger.depositedOf(asset), `${asset} conserved`);
  const orders: Order[] = [];
  for (const account of [1, 2, 3]) {
    const locked = new Map<string, bigint>();
    for (const open of engine.openOrders(account)) {
      const asset = open.side === 'BUY' ? USDT : BTC;
      locked.set(asset, (locked.get(asset) ?? 0n) + open.locked);
    }
    for (const asset of [USDT, BTC]) {
      const balance = ledger.balance(account, asset);
      assert.ok(balance.free >= 0n && balance.locked >= 0n, `account ${account} ${asset} not negative`);
      assert.equal(
        balance.locked,
        locked.get(asset) ?? 0n,
        `account ${account} ${asset} locked = its open orders' locks`,
      );
    }
    orders.push(...engine.allOrders(account, 0));
    for (const { order: owner, fill } of engine.trades(account, 0)) {
      // No fill is worse than its limit.
      if (owner.price > 0)
        assert.ok(
          owner.side === 'BUY' ? fill.price <= owner.price : fill.price >= owner.price,
          'fill within limit',
        );
    }
  }
  for (const placed of orders) {
    const fills = engine.trades(placed.accountId, 0).filter((trade) => trade.order === placed);
    assert.equal(
      placed.executedQty,
      fills.reduce((sum, trade) => sum + trade.fill.quantity, 0),
      'filled = sum of fills',
    );
    assert.equal(
      placed.cumulativeQuote,
      fills.reduce((sum, trade) => sum + trade.fill.quote, 0n),
      'quote = sum of fills',
    );
    if (placed.origQty > 0) assert.ok(placed.executedQty <= placed.origQty, 'never overfilled');
  }
  // No crossed book after matching: resting buys below resting sells and below the market's ask.
  const open = [1, 2, 3].flatMap((account) => engine.openOrders(account, 0)).filter((o) => o.isWorking);
  const bestBuy = Math.max(0, ...open.filter((o) => o.side === 'BUY').map((o) => o.price));
  const bestSell = Math.min(Infinity, ...open.filter((o) => o.side === 'SELL').map((o) => o.price));
  assert.ok(bestBuy < bestSell, `account book not crossed (${bestBuy} < ${bestSell})`);
  const book = scripted.market.book(0);
  assert.ok(bestBuy < (book.best(ASK) ?? Infinity), 'no resting buy at or above the market ask');
  assert.ok(bestSell > (book.best(BID) ?? 0), 'no resting sell at or below the market bid');
}
