import type { SimAccount } from '../accounts/accounts.ts';
import type { SimulatedExchange } from '../exchange.ts';
import { formatUnits } from '../matching/amounts.ts';
import type { OrderId } from '../matching/matching-engine.ts';
import { integerParam, type Params, parseOrderParams, symbolParam } from '../matching/order-params.ts';
import { ExchangeRejection, rejections } from '../matching/rejection.ts';
import { parseOcoParams } from '../matching/oco-params.ts';
import {
  canceledOrderJson,
  defaultResponseType,
  newOrderJson,
  orderListJson,
  queriedOrderJson,
  RESPONSE_TYPES,
  type ResponseType,
  tradeJson,
} from './order-json.ts';

/** Default and maximum `limit` of allOrders and myTrades (Binance's). */
const DEFAULT_LIST_LIMIT = 500;
const MAX_LIST_LIMIT = 1_000;

export type Json = Record<string, unknown> | Record<string, unknown>[];

/**
 * The account operations both APIs offer, on parameters already authenticated: REST
 * (`POST /api/v3/order`, …) and the WebSocket API (`order.place`, …) differ only in how a request
 * arrives, is signed and is answered. Each returns the answer's JSON value or throws an
 * ExchangeRejection.
 */
export class TradingOperations {
  constructor(private readonly exchange: SimulatedExchange) {}

  placeOrder(account: SimAccount, params: Params): Json {
    const { engine, symbols } = this.exchange;
    this.exchange.limits.chargeOrder(account.id, Date.now());
    const index = this.symbol(params);
    const request = parseOrderParams(params, account.id, index, symbols[index]!);
    const type = responseType(params);
    const { order, fills } = engine.place(request, Date.now());
    return newOrderJson(order, symbols[index]!, fills, type ?? defaultResponseType(order));
  }

  /** An OCO list (`POST /api/v3/orderList/oco`, `orderList.place.oco`); counts as two orders. */
  placeOco(account: SimAccount, params: Params): Json {
    const { engine, symbols, limits } = this.exchange;
    const now = Date.now();
    limits.chargeOrder(account.id, now);
    limits.chargeOrder(account.id, now);
    const index = this.symbol(params);
    const { legs, listClientOrderId } = parseOcoParams(params, account.id, index, symbols[index]!);
    const type = responseType(params);
    const list = engine.placeOneCancelsOther(legs, listClientOrderId, now);
    // No leg takes at placement, so there are no fills: each leg's report is its RESULT.
    const reports =
      type === 'ACK'
        ? undefined
        : list.orders.map((order) => newOrderJson(order, symbols[index]!, [], 'RESULT'));
    return orderListJson(list, symbols[index]!, reports);
  }

  cancelOrderList(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const list = this.exchange.engine.cancelList(
      account.id,
      orderListIdOf(params, 'listClientOrderId'),
      Date.now(),
    );
    const spec = this.exchange.symbols[index]!;
    return orderListJson(
      list,
      spec,
      list.orders.map((order) => canceledOrderJson(order, spec, `cancel${order.orderId}`)),
    );
  }

  orderListStatus(account: SimAccount, params: Params): Json {
    const list = this.exchange.engine.findList(account.id, orderListIdOf(params, 'origClientOrderId'));
    if (list === undefined) throw rejections.unknownOrderList();
    return orderListJson(list, this.exchange.symbols[list.symbolIndex]!);
  }

  openOrderLists(account: SimAccount): Json {
    return this.exchange.engine
      .openLists(account.id)
      .map((list) => orderListJson(list, this.exchange.symbols[list.symbolIndex]!));
  }

  /** Validates an order as placeOrder would, without placing it. */
  testOrder(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    parseOrderParams(params, account.id, index, this.exchange.symbols[index]!);
    responseType(params);
    return {};
  }

  cancelOrder(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const order = this.exchange.engine.cancel(account.id, index, orderIdOf(params, ''), Date.now());
    return canceledOrderJson(
      order,
      this.exchange.symbols[index]!,
      params.get('newClientOrderId') ?? `cancel${order.orderId}`,
    );
  }

  cancelOpenOrders(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const canceled = this.exchange.engine.cancelAll(account.id, index, Date.now());
    return canceled.map((order) =>
      canceledOrderJson(order, this.exchange.symbols[index]!, `cancel${order.orderId}`),
    );
  }

  /**
   * Cancels an order and places a new one (`cancelReplaceMode` STOP_ON_FAILURE: no new order when
   * the cancel fails; ALLOW_FAILURE: the new order either way). A partial failure is -2021, a
   * whole one -2022, each with both outcomes in `data`, as Binance answers.
   */
  cancelReplace(account: SimAccount, params: Params): Json {
    const mode = params.get('cancelReplaceMode');
    if (mode === undefined) throw rejections.mandatory('cancelReplaceMode');
    if (mode !== 'STOP_ON_FAILURE' && mode !== 'ALLOW_FAILURE')
      throw rejections.invalidParameter('cancelReplaceMode');
    const index = this.symbol(params);
    // The new order is checked before anything is cancelled: a malformed one fails the whole request.
    parseOrderParams(params, account.id, index, this.exchange.symbols[index]!);
    const outcome = (
      run: () => Json,
    ): { ok: true; value: Json } | { ok: false; error: ExchangeRejection } => {
      try {
        return { ok: true, value: run() };
      } catch (error) {
        if (error instanceof ExchangeRejection) return { ok: false, error };
        throw error;
      }
    };
    const cancelParams = new Map(params);
    cancelParams.delete('newClientOrderId');
    const cancelClientOrderId = params.get('cancelNewClientOrderId');
    if (cancelClientOrderId !== undefined) cancelParams.set('newClientOrderId', cancelClientOrderId);
    const cancelId = orderIdOf(params, 'cancel');
    if ('orderId' in cancelId) cancelParams.set('orderId', String(cancelId.orderId));
    else cancelParams.set('origClientOrderId', cancelId.clientOrderId);
    const canceled = outcome(() => this.cancelOrder(account, cancelParams));
    const placed =
      canceled.ok || mode === 'ALLOW_FAILURE' ? outcome(() => this.placeOrder(account, params)) : undefined;
    const errorJson = (error: ExchangeRejection) => ({ code: error.code, msg: error.msg });
    const data = {
      cancelResult: canceled.ok ? 'SUCCESS' : 'FAILURE',
      newOrderResult: placed === undefined ? 'NOT_ATTEMPTED' : placed.ok ? 'SUCCESS' : 'FAILURE',
      cancelResponse: canceled.ok ? canceled.value : errorJson(canceled.error),
      newOrderResponse: placed === undefined ? null : placed.ok ? placed.value : errorJson(placed.error),
    };
    if (canceled.ok && placed?.ok === true) return data;
    const failedBoth = !canceled.ok && placed?.ok !== true;
    throw new ExchangeRejection(
      failedBoth ? -2022 : -2021,
      failedBoth ? 'Order cancel-replace failed.' : 'Order cancel-replace partially failed.',
      failedBoth ? 400 : 409,
      data,
    );
  }

  orderStatus(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const order = this.exchange.engine.find(account.id, index, orderIdOf(params, ''));
    if (order === undefined) throw rejections.noSuchOrder();
    return queriedOrderJson(order, this.exchange.symbols[index]!);
  }

  openOrders(account: SimAccount, params: Params): Json {
    const index = params.has('symbol') ? this.symbol(params) : undefined;
    const open = this.exchange.engine.openOrders(account.id, index);
    return open.map((order) => queriedOrderJson(order, this.exchange.symbols[order.symbolIndex]!));
  }

  allOrders(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const fromId = integerParam(params, 'orderId');
    const limit = listLimit(params);
    const orders = this.exchange.engine
      .allOrders(account.id, index)
      .filter((order) => fromId === undefined || order.orderId >= fromId);
    const chosen = fromId === undefined ? orders.slice(-limit) : orders.slice(0, limit);
    return chosen.map((order) => queriedOrderJson(order, this.exchange.symbols[index]!));
  }

  myTrades(account: SimAccount, params: Params): Json {
    const index = this.symbol(params);
    const orderId = integerParam(params, 'orderId');
    const fromId = integerParam(params, 'fromId');
    const limit = listLimit(params);
    const trades = this.exchange.engine
      .trades(account.id, index)
      .filter(
        (trade) =>
          (orderId === undefined || trade.order.orderId === orderId) &&
          (fromId === undefined || trade.fill.tradeId >= fromId),
      );
    const chosen = fromId === undefined ? trades.slice(-limit) : trades.slice(0, limit);
    return chosen.map((trade) => tradeJson(trade.order, trade.fill, this.exchange.symbols[index]!));
  }

  accountStatus(account: SimAccount, params: Params): Json {
    const omitZero = params.get('omitZeroBalances') === 'true';
    const balances = [...this.exchange.ledger.balances(account.id)]
      .filter(([, balance]) => !omitZero || balance.free + balance.locked > 0n)
      .map(([asset, balance]) => ({
        asset,
        free: formatUnits(balance.free),
        locked: formatUnits(balance.locked),
      }));
    // Binance's integer commissions are in basis points (0.0015 → 15).
    const basisPoints = (rate: bigint) => Number(rate / 10_000n);
    return {
      makerCommission: basisPoints(account.rates.maker),
      takerCommission: basisPoints(account.rates.taker),
      buyerCommission: 0,
      sellerCommission: 0,
      commissionRates: {
        maker: formatUnits(account.rates.maker),
        taker: formatUnits(account.rates.taker),
        buyer: '0.00000000',
        seller: '0.00000000',
      },
      canTrade: true,
      canWithdraw: false,
      canDeposit: false,
      brokered: false,
      requireSelfTradePrevention: false,
      preventSor: false,
      updateTime: Date.now(),
      accountType: 'SPOT',
      balances,
      permissions: ['SPOT'],
      uid: account.id,
    };
  }

  private symbol(params: Params): number {
    return symbolParam(params, (name) => this.exchange.market.symbolIndex(name));
  }
}

/** The order a request names: `<prefix>OrderId`, else `<prefix>OrigClientOrderId` (cancelReplace uses prefix `cancel`). */
function orderIdOf(params: Params, prefix: '' | 'cancel'): OrderId {
  const idName = prefix === '' ? 'orderId' : 'cancelOrderId';
  const clientName = prefix === '' ? 'origClientOrderId' : 'cancelOrigClientOrderId';
  const orderId = integerParam(params, idName);
  if (orderId !== undefined) return { orderId };
  const clientOrderId = params.get(clientName);
  if (clientOrderId === undefined) throw rejections.mandatory(idName);
  return { clientOrderId };
}

/** The list a request names: `orderListId`, else its client id (named `clientName`). */
function orderListIdOf(
  params: Params,
  clientName: 'listClientOrderId' | 'origClientOrderId',
): { orderListId: number } | { listClientOrderId: string } {
  const orderListId = integerParam(params, 'orderListId');
  if (orderListId !== undefined) return { orderListId };
  const listClientOrderId = params.get(clientName);
  if (listClientOrderId === undefined) throw rejections.mandatory('orderListId');
  return { listClientOrderId };
}

function responseType(params: Params): ResponseType | undefined {
  const text = params.get('newOrderRespType');
  if (text === undefined) return undefined;
  if (!(RESPONSE_TYPES as readonly string[]).includes(text))
    throw rejections.invalidParameter('newOrderRespType');
  return text as ResponseType;
}

function listLimit(params: Params): number {
  const limit = integerParam(params, 'limit') ?? DEFAULT_LIST_LIMIT;
  if (limit < 1) throw rejections.invalidParameter('limit');
  return Math.min(limit, MAX_LIST_LIMIT);
}
