import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  type Authenticator,
  authenticated,
  authorized,
  type RouteHandler,
  type RouteKey,
  sendError,
  sendJson,
  validBody,
} from '../gateway/index.ts';
import { decimal, units } from './amounts.ts';
import { positiveDecimal, symbolName } from './schemas.ts';
import { BotError } from './bots/bot-host.ts';
import { PreTradeError } from './pre-trade-checks.ts';
import type { TradingDesk } from './trading-desk.ts';
import { fillView, orderView } from './trading-publisher.ts';
import type { TradingService } from './trading-service.ts';
import type { AccountFill, PositionView } from './views.ts';

const newOrderBody = z
  .object({
    symbol: symbolName,
    side: z.enum(['BUY', 'SELL']),
    type: z.enum(['LIMIT', 'MARKET']),
    quantity: positiveDecimal,
    price: positiveDecimal.optional(),
    timeInForce: z.enum(['GTC', 'IOC', 'FOK']).optional(),
    clientOrderId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,36}$/, 'client order ids are 1-36 characters A-Z, a-z, 0-9, _ and -')
      .optional(),
  })
  .strict()
  .refine((body) => (body.type === 'LIMIT') === (body.price !== undefined), {
    path: ['price'],
    message: 'a LIMIT order needs a price, a MARKET order takes none',
  });

const stopBody = z.object({ closePosition: z.boolean().default(false) }).strict();
const killSwitchBody = z.object({ account: z.string().min(1).optional(), engaged: z.boolean() }).strict();

/** HTTP status of each pre-trade refusal: a rate is 429, the rest are rules the order broke (422). */
function preTradeStatus(error: PreTradeError): number {
  return error.code === 'ORDER_RATE' ? 429 : 422;
}

/**
 * The orders API (docs/TRADING.md, "Orders API"): each route acts on the caller's own account
 * (the account of its API key or token), never another's. Bodies are validated with zod; every
 * refusal is `{"error":{"code","message"}}` with a code listed in docs/ERRORS.md.
 */
export function tradingRoutes(
  service: TradingService,
  auth: Authenticator,
): Partial<Record<RouteKey, RouteHandler>> {
  /** A route of the caller's trading account; 404 NO_TRADING_ACCOUNT when it has none. */
  const own =
    (handler: (desk: TradingDesk, ...args: Parameters<RouteHandler>) => unknown): RouteHandler =>
    async (request, response, params) => {
      const principal = await authenticated(request, response, auth);
      if (principal === undefined) return;
      const desk = principal.account === null ? undefined : service.desk(principal.account);
      if (desk === undefined)
        return sendError(
          response,
          404,
          'NO_TRADING_ACCOUNT',
          `account ${principal.account} has no trading account configured`,
        );
      try {
        await handler(desk, request, response, params);
      } catch (error) {
        if (!answered(response, error)) throw error;
      }
    };
  const query = (url: string | undefined) => new URL(url ?? '/', 'http://localhost').searchParams;

  return {
    'POST /api/v1/orders': own(async (desk, request, response) => {
      const body = await validBody(request, response, newOrderBody);
      if (!body) return;
      if (desk.market.rulesOf(body.symbol) === undefined)
        return sendError(
          response,
          400,
          'UNKNOWN_SYMBOL',
          `account ${desk.config.account} does not trade ${body.symbol}`,
        );
      const order = await desk.entry.submit({
        ...body,
        quantity: units(body.quantity),
        price: body.price === undefined ? undefined : units(body.price),
      });
      if (order.state === 'REJECTED')
        return sendJson(response, 422, {
          error: {
            code: 'EXCHANGE_REJECTED',
            message: order.rejectReason ?? 'the exchange refused the order',
          },
          order: orderView(order),
        });
      sendJson(response, 201, { order: orderView(order) });
    }),
    'DELETE /api/v1/orders/:id': own(async (desk, _request, response, { id }) => {
      const book = desk.account.book;
      const order = book.byClientOrderId(id!) ?? (/^\d+$/.test(id!) ? book.order(Number(id)) : undefined);
      if (order === undefined) return sendError(response, 404, 'UNKNOWN_ORDER', `no order ${id}`);
      if (!order.isOpen) return sendError(response, 409, 'ORDER_NOT_OPEN', `order ${id} is ${order.state}`);
      await desk.entry.cancel(order);
      sendJson(response, 200, { order: orderView(order) });
    }),
    'GET /api/v1/orders': own((desk, request, response) => {
      const params = query(request.url);
      const symbol = params.get('symbol');
      const open = params.get('open') === 'true';
      const orders = desk.account.book
        .orders()
        .filter((order) => (symbol === null || order.symbol === symbol) && (!open || order.isOpen));
      sendJson(response, 200, { orders: orders.map(orderView) });
    }),
    'GET /api/v1/fills': own(async (desk, request, response) => {
      const symbol = query(request.url).get('symbol') ?? undefined;
      const fills = await desk.account.fills(symbol);
      sendJson(response, 200, {
        fills: fills.map((fill): AccountFill => ({
          symbol: fill.symbol,
          orderId: fill.orderId,
          clientOrderId: fill.clientOrderId,
          side: fill.side,
          ...fillView(fill),
          time: fill.time,
        })),
      });
    }),
    'GET /api/v1/positions': own((desk, _request, response) => {
      const book = desk.account.book;
      sendJson(response, 200, {
        positions: book.symbols().map((symbol): PositionView => {
          const position = book.position(symbol);
          const mark = desk.market.lastPrice(symbol);
          return {
            symbol,
            baseAsset: position.baseAsset,
            quoteAsset: position.quoteAsset,
            quantity: decimal(position.baseQuantity),
            averagePrice: decimal(position.averagePrice),
            cashFlow: decimal(position.cashFlow),
            realizedPnl: decimal(position.realized),
            markPrice: mark === undefined ? null : decimal(mark),
            unrealizedPnl: mark === undefined ? null : decimal(position.unrealized(mark)),
            otherFees: Object.fromEntries(
              [...position.otherFees].map(([asset, fee]) => [asset, decimal(fee)]),
            ),
          };
        }),
      });
    }),
    'GET /api/v1/bots': own((desk, _request, response) =>
      sendJson(response, 200, { bots: desk.bots.list().map((bot) => desk.bots.view(bot, false)) }),
    ),
    'POST /api/v1/bots': own(async (desk, request, response) => {
      const body = await validBody(request, response, z.unknown());
      if (body === undefined) return;
      const bot = await desk.bots.create(body);
      sendJson(response, 201, { bot: desk.bots.view(bot, true) });
    }),
    'GET /api/v1/bots/:id': own((desk, _request, response, { id }) =>
      sendJson(response, 200, { bot: desk.bots.view(desk.bots.get(id!), true) }),
    ),
    'DELETE /api/v1/bots/:id': own(async (desk, _request, response, { id }) => {
      await desk.bots.delete(id!);
      sendJson(response, 200, { deleted: id });
    }),
    'POST /api/v1/bots/:id/start': own(async (desk, _request, response, { id }) => {
      const bot = desk.bots.get(id!);
      await bot.start();
      sendJson(response, 200, { bot: desk.bots.view(bot, false) });
    }),
    'POST /api/v1/bots/:id/pause': own(async (desk, _request, response, { id }) => {
      const bot = desk.bots.get(id!);
      await bot.pause();
      sendJson(response, 200, { bot: desk.bots.view(bot, false) });
    }),
    'POST /api/v1/bots/:id/stop': own(async (desk, request, response, { id }) => {
      const body = await validBody(request, response, stopBody);
      if (!body) return;
      const bot = desk.bots.get(id!);
      await bot.stop(body.closePosition);
      sendJson(response, 200, { bot: desk.bots.view(bot, false) });
    }),
    'GET /api/v1/trading/kill-switch': async (request, response) => {
      if (await authorized(request, response, auth)) sendJson(response, 200, service.checks.killSwitch());
    },
    'POST /api/v1/trading/kill-switch': async (request, response) => {
      if (!(await authorized(request, response, auth))) return;
      const body = await validBody(request, response, killSwitchBody);
      if (!body) return;
      await service.setKillSwitch(body.account, body.engaged);
      sendJson(response, 200, service.checks.killSwitch());
    },
  };
}

/** Answers the refusals a trading route may throw; false for anything else (a 500). */
function answered(response: ServerResponse, error: unknown): boolean {
  if (error instanceof PreTradeError) {
    sendError(response, preTradeStatus(error), error.code, error.message);
    return true;
  }
  if (error instanceof BotError) {
    sendError(response, error.status, error.code, error.message);
    return true;
  }
  if (error instanceof z.ZodError) {
    const problems = error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
    sendError(response, 400, 'BAD_REQUEST', problems.join('; '));
    return true;
  }
  return false;
}
