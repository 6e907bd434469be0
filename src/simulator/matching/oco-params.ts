import { type Params, required } from './order-params.ts';
import { parseOrderParams } from './order-params.ts';
import type { OrderRequest } from './order.ts';
import { rejections } from './rejection.ts';
import type { SymbolSpec } from './symbol-rules.ts';

/** The leg types each OCO side allows above and below the market (Binance's rules). */
const ALLOWED = {
  SELL: {
    above: ['LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
    below: ['STOP_LOSS', 'STOP_LOSS_LIMIT'],
  },
  BUY: {
    above: ['STOP_LOSS', 'STOP_LOSS_LIMIT'],
    below: ['LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'],
  },
} as const;

/** What an OCO request parses to: the above and below legs and the list's client id. */
export interface OcoRequest {
  legs: [OrderRequest, OrderRequest];
  listClientOrderId: string | undefined;
}

/**
 * The parameters of `POST /api/v3/orderList/oco` and `orderList.place.oco`: `side`, `quantity`,
 * and per leg `aboveType`/`belowType` with its `Price`, `StopPrice`, `TimeInForce`,
 * `ClientOrderId`. Each leg is parsed as a single order would be (same refusals); then the leg
 * types must suit the side and the above leg's price must be above the below leg's.
 */
export function parseOcoParams(
  params: Params,
  accountId: number,
  symbolIndex: number,
  spec: SymbolSpec,
): OcoRequest {
  const side = required(params, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw rejections.invalidSide();
  const leg = (position: 'above' | 'below'): OrderRequest => {
    const type = required(params, `${position}Type`);
    if (!(ALLOWED[side][position] as readonly string[]).includes(type))
      throw rejections.invalidParameter(`${position}Type`);
    const legParams = new Map<string, string>([
      ['side', side],
      ['type', type],
      ['quantity', required(params, 'quantity')],
    ]);
    const copy = (from: string, to: string) => {
      const value = params.get(from);
      if (value !== undefined) legParams.set(to, value);
    };
    copy(`${position}Price`, 'price');
    copy(`${position}StopPrice`, 'stopPrice');
    copy(`${position}TimeInForce`, 'timeInForce');
    copy(`${position}ClientOrderId`, 'newClientOrderId');
    copy('selfTradePreventionMode', 'selfTradePreventionMode');
    return parseOrderParams(legParams, accountId, symbolIndex, spec);
  };
  const above = leg('above');
  const below = leg('below');
  const level = (order: OrderRequest) => order.stopPrice ?? order.price ?? 0;
  if (level(above) <= level(below)) throw rejections.badPriceRelationship();
  const listClientOrderId = params.get('listClientOrderId');
  if (listClientOrderId !== undefined && !/^[.A-Z:/a-z0-9_-]{1,36}$/.test(listClientOrderId))
    throw rejections.illegalChars('listClientOrderId');
  return { legs: [above, below], listClientOrderId };
}
