import { parseMantissa, parseUnits } from './amounts.ts';
import {
  isConditional,
  ORDER_SIDES,
  ORDER_TYPES,
  type OrderRequest,
  type OrderSide,
  type OrderType,
  STP_MODES,
  type StpMode,
  TIME_IN_FORCE,
  type TimeInForce,
} from './order.ts';
import { rejections } from './rejection.ts';
import type { SymbolSpec } from './symbol-rules.ts';

/** Request parameters by name, as REST (query and form body) and the WebSocket API give them. */
export type Params = ReadonlyMap<string, string>;

const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Which parameters each order type takes (Binance's "Other info" table of POST /api/v3/order). */
const NEEDS: Record<OrderType, { timeInForce: boolean; price: boolean; stopPrice: boolean }> = {
  LIMIT: { timeInForce: true, price: true, stopPrice: false },
  MARKET: { timeInForce: false, price: false, stopPrice: false },
  LIMIT_MAKER: { timeInForce: false, price: true, stopPrice: false },
  STOP_LOSS: { timeInForce: false, price: false, stopPrice: true },
  STOP_LOSS_LIMIT: { timeInForce: true, price: true, stopPrice: true },
  TAKE_PROFIT: { timeInForce: false, price: false, stopPrice: true },
  TAKE_PROFIT_LIMIT: { timeInForce: true, price: true, stopPrice: true },
};

/** A mandatory parameter's text, or -1102. */
export function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw rejections.mandatory(name);
  return value;
}

/** The `symbol` parameter as a symbol index (-1102 absent, -1121 unknown). */
export function symbolParam(params: Params, symbolIndex: (name: string) => number | undefined): number {
  const index = symbolIndex(required(params, 'symbol'));
  if (index === undefined) throw rejections.badSymbol();
  return index;
}

/** An optional integer parameter (ids, limits, times). */
export function integerParam(params: Params, name: string): number | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  if (!/^-?\d{1,19}$/.test(text)) throw rejections.illegalChars(name);
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw rejections.invalidParameter(name);
  return value;
}

function enumParam<T extends string>(
  params: Params,
  name: string,
  values: readonly T[],
  invalid: () => Error,
): T {
  const text = required(params, name);
  if (!(values as readonly string[]).includes(text)) throw invalid();
  return text as T;
}

function mantissa(params: Params, name: string, scale: number, filter: string): number | undefined {
  const text = params.get(name);
  if (text === undefined) return undefined;
  const value = parseMantissa(text, scale);
  if (value === 'syntax') throw rejections.illegalChars(name);
  if (value === 'precision') throw rejections.filterFailure(filter);
  if (value === 'range') throw rejections.invalidParameter(name);
  return value;
}

/**
 * The order parameters of `POST /api/v3/order` and `order.place` as an OrderRequest, with
 * Binance's refusals for what is missing, malformed or sent when not required.
 */
export function parseOrderParams(
  params: Params,
  accountId: number,
  symbolIndex: number,
  spec: SymbolSpec,
): OrderRequest {
  const side = enumParam<OrderSide>(params, 'side', ORDER_SIDES, rejections.invalidSide);
  const type = enumParam<OrderType>(params, 'type', ORDER_TYPES, rejections.invalidOrderType);
  const needs = NEEDS[type];
  const request: OrderRequest = { accountId, symbolIndex, side, type };
  const has = (name: string) => params.has(name);
  if (needs.timeInForce)
    request.timeInForce = enumParam<TimeInForce>(
      params,
      'timeInForce',
      TIME_IN_FORCE,
      rejections.invalidTimeInForce,
    );
  else if (has('timeInForce')) throw rejections.notRequired('timeInForce');
  if (needs.price) {
    required(params, 'price');
    request.price = mantissa(params, 'price', spec.priceScale, 'PRICE_FILTER');
  } else if (has('price')) throw rejections.notRequired('price');
  if (needs.stopPrice) {
    required(params, 'stopPrice');
    request.stopPrice = mantissa(params, 'stopPrice', spec.priceScale, 'PRICE_FILTER');
  } else if (has('stopPrice')) throw rejections.notRequired('stopPrice');
  if (type === 'MARKET' && has('quoteOrderQty')) {
    if (has('quantity')) throw rejections.notRequired('quoteOrderQty');
    const units = parseUnits(required(params, 'quoteOrderQty'));
    if (units === 'syntax') throw rejections.illegalChars('quoteOrderQty');
    if (units === 'precision') throw rejections.tooMuchPrecision('quoteOrderQty');
    request.quoteOrderQty = units;
  } else {
    if (has('quoteOrderQty')) throw rejections.notRequired('quoteOrderQty');
    required(params, 'quantity');
    request.quantity = mantissa(params, 'quantity', spec.sizeScale, 'LOT_SIZE');
  }
  const clientOrderId = params.get('newClientOrderId');
  if (clientOrderId !== undefined) {
    if (!CLIENT_ORDER_ID.test(clientOrderId)) throw rejections.illegalChars('newClientOrderId');
    request.clientOrderId = clientOrderId;
  }
  const stp = params.get('selfTradePreventionMode');
  if (stp !== undefined) {
    if (!(STP_MODES as readonly string[]).includes(stp))
      throw rejections.invalidParameter('selfTradePreventionMode');
    request.stpMode = stp as StpMode;
  }
  if (isConditional(type) && request.stopPrice === undefined) throw rejections.mandatory('stopPrice');
  return request;
}
