/**
 * Request weights of the REST endpoints, as Binance's docs give them ("Weight" of each endpoint),
 * charged per IP against `requestWeightPerMinute` (api/rate-limits.ts). The simulator's own
 * `/sim/*` endpoints weigh nothing.
 */

type Weight = number | ((query: URLSearchParams) => number);

/** How many symbols `symbols=["A","B"]` names (a malformed list is refused later anyway). */
function symbolCount(query: URLSearchParams): number {
  const list = query.get('symbols');
  if (list === null) return 0;
  return (list.match(/"/g)?.length ?? 0) / 2;
}

/** 2 for one symbol, 40 for up to 100, 80 for more or all (ticker/24hr). */
function tickerWeight(query: URLSearchParams): number {
  if (query.has('symbol')) return 2;
  const count = symbolCount(query);
  if (count === 0 || count > 100) return 80;
  return count <= 20 ? 2 : 40;
}

/** 4 per symbol, at most 200 (ticker, ticker/tradingDay). */
function perSymbolWeight(query: URLSearchParams): number {
  return query.has('symbol') ? 4 : Math.min(200, 4 * Math.max(1, symbolCount(query)));
}

function depthWeight(query: URLSearchParams): number {
  const limit = Number(query.get('limit') ?? 100);
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1_000) return 50;
  return 250;
}

const oneOrAll = (one: number, all: number) => (query: URLSearchParams) => (query.has('symbol') ? one : all);

export const REQUEST_WEIGHTS: Readonly<Record<string, Weight>> = {
  'GET /api/v3/ping': 1,
  'GET /api/v3/time': 1,
  'GET /api/v3/exchangeInfo': 20,
  'GET /api/v3/depth': depthWeight,
  'GET /api/v3/trades': 25,
  'GET /api/v3/historicalTrades': 25,
  'GET /api/v3/aggTrades': 4,
  'GET /api/v3/klines': 2,
  'GET /api/v3/uiKlines': 2,
  'GET /api/v3/avgPrice': 2,
  'GET /api/v3/ticker/24hr': tickerWeight,
  'GET /api/v3/ticker/tradingDay': perSymbolWeight,
  'GET /api/v3/ticker': perSymbolWeight,
  'GET /api/v3/ticker/price': oneOrAll(2, 4),
  'GET /api/v3/ticker/bookTicker': oneOrAll(2, 4),
  'POST /api/v3/order': 1,
  'POST /api/v3/order/test': 1,
  'POST /api/v3/order/cancelReplace': 1,
  'POST /api/v3/orderList/oco': 1,
  'DELETE /api/v3/orderList': 1,
  'GET /api/v3/orderList': 4,
  'GET /api/v3/openOrderList': 6,
  'DELETE /api/v3/order': 1,
  'DELETE /api/v3/openOrders': 1,
  'GET /api/v3/order': 4,
  'GET /api/v3/openOrders': oneOrAll(6, 80),
  'GET /api/v3/allOrders': 20,
  'GET /api/v3/myTrades': 20,
  'GET /api/v3/account': 20,
  'POST /api/v3/userDataStream': 2,
  'PUT /api/v3/userDataStream': 2,
  'DELETE /api/v3/userDataStream': 2,
};

export function requestWeight(route: string, query: URLSearchParams): number {
  const weight = REQUEST_WEIGHTS[route];
  if (weight === undefined) return 0;
  return typeof weight === 'number' ? weight : weight(query);
}
