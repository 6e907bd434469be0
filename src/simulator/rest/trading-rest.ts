import { z } from 'zod';
import type { SimAccount } from '../accounts/accounts.ts';
import { type Json, TradingOperations } from '../api/trading-operations.ts';
import type { SimulatedExchange } from '../exchange.ts';
import { formatUnits, parseUnits } from '../matching/amounts.ts';
import { type Params, required } from '../matching/order-params.ts';
import { rejections } from '../matching/rejection.ts';
import { apiKeyAccount, callParams, type RestCall, signedAccount } from './signed-request.ts';

export type RestRoute = (call: RestCall) => string;

/** `POST /sim/deposits`: money into an account (a negative amount takes it out). */
const transferSchema = z
  .object({
    apiKey: z.string().min(1),
    asset: z.string().regex(/^[A-Z0-9]{1,20}$/, 'asset names are A-Z and 0-9'),
    amount: z.string().regex(/^-?\d{1,20}(\.\d{1,8})?$/, 'a decimal with at most 8 decimals'),
  })
  .strict();

/**
 * Binance's signed trading endpoints (`/api/v3/order`, `order/test`, `order/cancelReplace`,
 * `openOrders`, `allOrders`, `myTrades`, `account`), the listenKey endpoints
 * (`/api/v3/userDataStream`, API key only) and the simulator's account admin (`/sim/accounts`).
 * Answers are JSON strings; refusals throw an ExchangeRejection.
 */
export function tradingRoutes(exchange: SimulatedExchange): Record<string, RestRoute> {
  const { engine, accounts, ledger, userData } = exchange;
  const operations = new TradingOperations(exchange);

  /** A SIGNED endpoint running one operation. */
  const signed =
    (operation: (account: SimAccount, params: Params) => Json): RestRoute =>
    (call) => {
      const params = callParams(call);
      return JSON.stringify(operation(signedAccount(call, params, accounts, Date.now()), params));
    };
  const bind = (operation: (account: SimAccount, params: Params) => Json) => operation.bind(operations);

  return {
    'POST /api/v3/order': signed(bind(operations.placeOrder)),
    'POST /api/v3/order/test': signed(bind(operations.testOrder)),
    'POST /api/v3/order/cancelReplace': signed(bind(operations.cancelReplace)),
    'POST /api/v3/orderList/oco': signed(bind(operations.placeOco)),
    'DELETE /api/v3/orderList': signed(bind(operations.cancelOrderList)),
    'GET /api/v3/orderList': signed(bind(operations.orderListStatus)),
    'GET /api/v3/openOrderList': signed(bind(operations.openOrderLists)),
    'DELETE /api/v3/order': signed(bind(operations.cancelOrder)),
    'DELETE /api/v3/openOrders': signed(bind(operations.cancelOpenOrders)),
    'GET /api/v3/order': signed(bind(operations.orderStatus)),
    'GET /api/v3/openOrders': signed(bind(operations.openOrders)),
    'GET /api/v3/allOrders': signed(bind(operations.allOrders)),
    'GET /api/v3/myTrades': signed(bind(operations.myTrades)),
    'GET /api/v3/account': signed(bind(operations.accountStatus)),
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
    'POST /sim/deposits': (call) => {
      let body: unknown;
      try {
        body = JSON.parse(call.body);
      } catch {
        throw rejections.invalidJsonBody();
      }
      const parsed = transferSchema.safeParse(body);
      if (!parsed.success)
        throw rejections.badAccount(
          parsed.error.issues
            .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
            .join('; '),
        );
      const { apiKey, asset, amount } = parsed.data;
      const account = accounts.byApiKey(apiKey);
      if (account === undefined) throw rejections.rejectedApiKey();
      const units = parseUnits(amount.replace(/^-/, ''));
      if (typeof units !== 'bigint') throw rejections.badAccount('amount: a decimal with at most 8 decimals');
      const now = Date.now();
      const withdrawal = amount.startsWith('-');
      if (withdrawal) {
        if (!ledger.withdraw(account.id, asset, units)) throw rejections.insufficientBalance();
      } else {
        ledger.deposit(account.id, asset, units);
      }
      userData.balanceUpdated(account.id, asset, withdrawal ? -units : units, now);
      userData.balancesChanged(account.id, [asset], now);
      const balance = ledger.balance(account.id, asset);
      return JSON.stringify({ asset, free: formatUnits(balance.free), locked: formatUnits(balance.locked) });
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
