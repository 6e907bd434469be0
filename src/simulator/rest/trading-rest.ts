import { z } from 'zod';
import type { SimulatedExchange } from '../exchange.ts';
import { formatUnits } from '../matching/amounts.ts';
import type { OrderId } from '../matching/matching-engine.ts';
import {
  integerParam,
  type Params,
  parseOrderParams,
  required,
  symbolParam,
} from '../matching/order-params.ts';
import { rejections } from '../matching/rejection.ts';
import {
  canceledOrderJson,
  defaultResponseType,
  newOrderJson,
  queriedOrderJson,
  RESPONSE_TYPES,
  type ResponseType,
  tradeJson,
} from './order-json.ts';
import { apiKeyAccount, callParams, type RestCall, signedAccount } from './signed-request.ts';

/** Default and maximum `limit` of allOrders and myTrades (Binance's). */
const DEFAULT_LIST_LIMIT = 500;
const MAX_LIST_LIMIT = 1_000;

export type RestRoute = (call: RestCall) => string;

/**
 * Binance's signed trading endpoints (`/api/v3/order`, `openOrders`, `allOrders`, `myTrades`,
 * `account`), the listenKey endpoints (`/api/v3/userDataStream`, API key only) and the
 * simulator's account admin (`/sim/accounts`). Answers are JSON strings; refusals throw an
 * ExchangeRejection.
 */
export function tradingRoutes(exchange: SimulatedExchange): Record<string, RestRoute> {
  const { engine, accounts, ledger, userData, symbols } = exchange;
  const symbolIndex = (name: string) => exchange.market.symbolIndex(name);

  const signed = (call: RestCall) => {
    const params = callParams(call);
    const account = signedAccount(call, params, accounts, Date.now());
    return { params, account };
  };

  const orderIdOf = (params: Params): OrderId => {
    const orderId = integerParam(params, 'orderId');
    if (orderId !== undefined) return { orderId };
    const clientOrderId = params.get('origClientOrderId');
    if (clientOrderId === undefined) throw rejections.mandatory('orderId');
    return { clientOrderId };
  };

  const responseType = (params: Params): ResponseType | undefined => {
    const text = params.get('newOrderRespType');
    if (text === undefined) return undefined;
    if (!(RESPONSE_TYPES as readonly string[]).includes(text))
      throw rejections.invalidParameter('newOrderRespType');
    return text as ResponseType;
  };

  const listLimit = (params: Params) => {
    const limit = integerParam(params, 'limit') ?? DEFAULT_LIST_LIMIT;
    if (limit < 1) throw rejections.invalidParameter('limit');
    return Math.min(limit, MAX_LIST_LIMIT);
  };

  return {
    'POST /api/v3/order': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const request = parseOrderParams(params, account.id, index, symbols[index]!);
      const type = responseType(params);
      const { order, fills } = engine.place(request, Date.now());
      return JSON.stringify(newOrderJson(order, symbols[index]!, fills, type ?? defaultResponseType(order)));
    },
    'POST /api/v3/order/test': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      parseOrderParams(params, account.id, index, symbols[index]!);
      responseType(params);
      return '{}';
    },
    'DELETE /api/v3/order': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const order = engine.cancel(account.id, index, orderIdOf(params), Date.now());
      return JSON.stringify(
        canceledOrderJson(order, symbols[index]!, params.get('newClientOrderId') ?? `cancel${order.orderId}`),
      );
    },
    'DELETE /api/v3/openOrders': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const canceled = engine.cancelAll(account.id, index, Date.now());
      return JSON.stringify(
        canceled.map((order) => canceledOrderJson(order, symbols[index]!, `cancel${order.orderId}`)),
      );
    },
    'GET /api/v3/order': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const order = engine.find(account.id, index, orderIdOf(params));
      if (order === undefined) throw rejections.noSuchOrder();
      return JSON.stringify(queriedOrderJson(order, symbols[index]!));
    },
    'GET /api/v3/openOrders': (call) => {
      const { params, account } = signed(call);
      const index = params.has('symbol') ? symbolParam(params, symbolIndex) : undefined;
      const open = engine.openOrders(account.id, index);
      return JSON.stringify(open.map((order) => queriedOrderJson(order, symbols[order.symbolIndex]!)));
    },
    'GET /api/v3/allOrders': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const fromId = integerParam(params, 'orderId');
      const limit = listLimit(params);
      const orders = engine
        .allOrders(account.id, index)
        .filter((order) => fromId === undefined || order.orderId >= fromId);
      const chosen = fromId === undefined ? orders.slice(-limit) : orders.slice(0, limit);
      return JSON.stringify(chosen.map((order) => queriedOrderJson(order, symbols[index]!)));
    },
    'GET /api/v3/myTrades': (call) => {
      const { params, account } = signed(call);
      const index = symbolParam(params, symbolIndex);
      const orderId = integerParam(params, 'orderId');
      const fromId = integerParam(params, 'fromId');
      const limit = listLimit(params);
      const trades = engine
        .trades(account.id, index)
        .filter(
          (trade) =>
            (orderId === undefined || trade.order.orderId === orderId) &&
            (fromId === undefined || trade.fill.tradeId >= fromId),
        );
      const chosen = fromId === undefined ? trades.slice(-limit) : trades.slice(0, limit);
      return JSON.stringify(chosen.map((trade) => tradeJson(trade.order, trade.fill, symbols[index]!)));
    },
    'GET /api/v3/account': (call) => {
      const { params, account } = signed(call);
      const omitZero = params.get('omitZeroBalances') === 'true';
      const balances = [...ledger.balances(account.id)]
        .filter(([, balance]) => !omitZero || balance.free + balance.locked > 0n)
        .map(([asset, balance]) => ({
          asset,
          free: formatUnits(balance.free),
          locked: formatUnits(balance.locked),
        }));
      const basisPoints = (rate: bigint) => Number(rate / 10_000n);
      return JSON.stringify({
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
      });
    },
    'POST /api/v3/userDataStream': (call) => {
      const account = apiKeyAccount(call, accounts);
      return JSON.stringify({ listenKey: userData.create(account.id, Date.now()) });
    },
    'PUT /api/v3/userDataStream': (call) => {
      const account = apiKeyAccount(call, accounts);
      const key = required(callParams(call), 'listenKey');
      if (!userData.keepAlive(account.id, key, Date.now())) throw rejections.unknownListenKey();
      return '{}';
    },
    'DELETE /api/v3/userDataStream': (call) => {
      const account = apiKeyAccount(call, accounts);
      const key = required(callParams(call), 'listenKey');
      if (!userData.close(account.id, key)) throw rejections.unknownListenKey();
      return '{}';
    },
    'POST /sim/accounts': (call) => {
      let body: unknown;
      try {
        body = JSON.parse(call.body);
      } catch {
        throw rejections.invalidJsonBody();
      }
      try {
        const { account, secretKey } = accounts.create(body, Date.now());
        return JSON.stringify({
          id: account.id,
          name: account.name,
          apiKey: account.apiKey,
          keyType: account.keyType,
          ...(secretKey === undefined ? {} : { secretKey }),
        });
      } catch (error) {
        if (error instanceof z.ZodError)
          throw rejections.badAccount(
            error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '),
          );
        if (error instanceof Error) throw rejections.badAccount(error.message);
        throw error;
      }
    },
    'GET /sim/accounts': () =>
      JSON.stringify(
        accounts.list().map((account) => ({
          id: account.id,
          name: account.name,
          apiKey: account.apiKey,
          keyType: account.keyType,
          openOrders: engine.openOrders(account.id).length,
          balances: Object.fromEntries(
            [...ledger.balances(account.id)].map(([asset, balance]) => [
              asset,
              { free: formatUnits(balance.free), locked: formatUnits(balance.locked) },
            ]),
          ),
        })),
      ),
  };
}
