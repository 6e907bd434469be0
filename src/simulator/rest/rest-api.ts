import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatDecimal } from '../market/decimal.ts';
import { exchangeInfoJson, symbolInfoJson } from './exchange-info.ts';
import type { SimulatedExchange } from '../exchange.ts';
import { ExchangeRejection } from '../matching/rejection.ts';
import type { ExchangeMarket } from '../streams/exchange-market.ts';
import { ASK, BID } from '../market/order-book.ts';
import { levelsJson } from '../streams/payloads.ts';
import { REQUEST_WEIGHTS, requestWeight } from './request-weights.ts';
import type { RestCall } from './signed-request.ts';
import { type RestRoute, tradingRoutes } from './trading-rest.ts';

/** Binance REST errors the simulator answers with (HTTP 400, `{"code":…,"msg":…}`). */
export const REST_ERRORS = {
  unknown: -1000,
  illegalChars: -1100,
  tooManyParameters: -1101,
  mandatoryParameter: -1102,
  badSymbol: -1121,
  badCombination: -1128,
  invalidParameter: -1130,
  duplicateSymbols: -1151,
} as const;

/** Depth limits: Binance's default and its cap (a larger limit returns the cap). */
const DEFAULT_DEPTH_LIMIT = 100;
const MAX_DEPTH_LIMIT = 5_000;
const SYMBOL_PATTERN = /^[A-Z0-9-_.]{1,20}$/;
const SYMBOL_RANGE = '^[A-Z0-9-_.]{1,20}$';
const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';

export interface RestContext {
  readonly market: ExchangeMarket;
  readonly exchange: SimulatedExchange;
  /** Applies a fault request (throws a RestError with a message for a bad one). */
  applyFault(body: unknown): Record<string, unknown>;
  stats(): unknown;
}

/** An answer other than 200: HTTP status and JSON body. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(body);
  }
}

const binanceError = (code: number, message: string): RestError =>
  new RestError(400, `{"code":${code},"msg":${JSON.stringify(message)}}`);

/**
 * The REST endpoints of Binance Spot market data the simulator serves (`/api/v3/ping`, `time`,
 * `depth`, `exchangeInfo`, `ticker/price`), plus its own `/sim/stats` and `POST /sim/faults`.
 */
export function createRestHandler(
  context: RestContext,
): (request: IncomingMessage, response: ServerResponse) => void {
  let allSymbolsJson: string | undefined;
  const market = context.market;
  const limits = context.exchange.limits;

  const symbolParam = (value: string): number => {
    if (!SYMBOL_PATTERN.test(value)) {
      throw binanceError(
        REST_ERRORS.illegalChars,
        `Illegal characters found in parameter 'symbol'; legal range is '${SYMBOL_RANGE}'.`,
      );
    }
    const index = market.symbolIndex(value);
    if (index === undefined) throw binanceError(REST_ERRORS.badSymbol, 'Invalid symbol.');
    return index;
  };

  const symbolsParam = (value: string): number[] => {
    let names: unknown;
    try {
      names = JSON.parse(value);
    } catch {
      names = undefined;
    }
    if (
      !Array.isArray(names) ||
      !names.every((name) => typeof name === 'string' && SYMBOL_PATTERN.test(name))
    ) {
      throw binanceError(
        REST_ERRORS.illegalChars,
        `Illegal characters found in parameter 'symbols'; legal range is '${SYMBOLS_RANGE}'.`,
      );
    }
    if (names.length === 0) {
      throw binanceError(
        REST_ERRORS.mandatoryParameter,
        "Mandatory parameter 'symbols' was not sent, was empty/null, or malformed.",
      );
    }
    if (new Set(names).size !== names.length) {
      throw binanceError(REST_ERRORS.duplicateSymbols, 'Symbol is present multiple times in the list.');
    }
    return (names as string[]).map((name) => symbolParam(name));
  };

  /** The symbols a request names with `symbol` or `symbols`, or undefined for all. */
  const selectedSymbols = (query: URLSearchParams): number[] | undefined => {
    const one = query.get('symbol');
    const many = query.get('symbols');
    if (one !== null && many !== null)
      throw binanceError(REST_ERRORS.badCombination, 'Combination of optional parameters invalid.');
    if (one !== null) return [symbolParam(one)];
    if (many !== null) return symbolsParam(many);
    return undefined;
  };

  const routes: Record<string, RestRoute> = {
    ...tradingRoutes(context.exchange),
    'GET /api/v3/ping': () => '{}',
    'GET /api/v3/time': () => `{"serverTime":${Date.now()}}`,
    'GET /api/v3/depth': ({ query }) => {
      const symbol = query.get('symbol');
      if (symbol === null || symbol === '') {
        throw binanceError(
          REST_ERRORS.mandatoryParameter,
          "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
        );
      }
      const index = symbolParam(symbol);
      const limitText = query.get('limit');
      let limit = DEFAULT_DEPTH_LIMIT;
      if (limitText !== null) {
        if (!/^[0-9]{1,20}$/.test(limitText)) {
          throw binanceError(
            REST_ERRORS.illegalChars,
            "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
          );
        }
        limit = Number(limitText);
        if (limit < 1)
          throw binanceError(REST_ERRORS.invalidParameter, "Data sent for parameter 'limit' is not valid.");
        limit = Math.min(limit, MAX_DEPTH_LIMIT);
      }
      const book = market.book(index);
      const { priceScale, sizeScale } = market.symbols[index]!;
      return `{"lastUpdateId":${book.updateId},"bids":${levelsJson(book.prices[BID], book.quantities[BID], limit, priceScale, sizeScale)},"asks":${levelsJson(book.prices[ASK], book.quantities[ASK], limit, priceScale, sizeScale)}}`;
    },
    'GET /api/v3/exchangeInfo': ({ query }) => {
      const selected = selectedSymbols(query);
      if (selected === undefined) {
        allSymbolsJson ??= market.symbols.map(symbolInfoJson).join(',');
        return exchangeInfoJson(Date.now(), allSymbolsJson, context.exchange.limits.settings);
      }
      return exchangeInfoJson(
        Date.now(),
        selected.map((index) => symbolInfoJson(market.symbols[index]!)).join(','),
        context.exchange.limits.settings,
      );
    },
    'GET /api/v3/ticker/price': ({ query }) => {
      const price = (index: number) => {
        const symbol = market.symbols[index]!;
        return `{"symbol":"${symbol.symbol}","price":"${formatDecimal(market.lastPrice(index), symbol.priceScale)}"}`;
      };
      if (query.get('symbol') !== null && query.get('symbols') === null)
        return price(symbolParam(query.get('symbol')!));
      const selected = selectedSymbols(query) ?? market.symbols.map((_, index) => index);
      return `[${selected.map(price).join(',')}]`;
    },
    'GET /sim/stats': () => JSON.stringify(context.stats()),
    'POST /sim/faults': ({ body }) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new RestError(400, JSON.stringify({ error: 'the body is not valid JSON' }));
      }
      return JSON.stringify(context.applyFault(parsed));
    },
  };

  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = `${request.method ?? 'GET'} ${url.pathname}`;
    const route = routes[key];
    if (route === undefined) {
      send(response, 404, `{"code":${REST_ERRORS.unknown},"msg":${JSON.stringify(`No endpoint ${key}.`)}}`);
      return;
    }
    const answer = (body: string) => {
      const call: RestCall = {
        query: url.searchParams,
        rawQuery: url.search.slice(1),
        body,
        headers: request.headers,
      };
      const now = Date.now();
      const ip = request.socket.remoteAddress ?? '';
      const headers: Record<string, string | number> = {};
      try {
        // Only Binance's endpoints are limited; the simulator's own (/sim/*) weigh nothing.
        const weight = requestWeight(key, url.searchParams);
        if (weight > 0) headers['x-mbx-used-weight-1m'] = limits.chargeWeight(ip, weight, now);
        send(response, 200, route(call), headers);
      } catch (error) {
        if (key in REQUEST_WEIGHTS) headers['x-mbx-used-weight-1m'] = limits.usedWeight(ip, now);
        if (error instanceof RestError) send(response, error.status, error.body, headers);
        else if (error instanceof ExchangeRejection) {
          if (error.retryAfterSeconds !== undefined) headers['retry-after'] = error.retryAfterSeconds;
          send(
            response,
            error.status,
            JSON.stringify({
              code: error.code,
              msg: error.msg,
              ...(error.data === undefined ? {} : { data: error.data }),
            }),
            headers,
          );
        } else
          send(
            response,
            500,
            `{"code":${REST_ERRORS.unknown},"msg":"An unknown error occurred while processing the request."}`,
          );
      }
    };
    if (request.method === 'GET') return answer('');
    readBody(request).then(answer, (error: unknown) =>
      send(response, 400, JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
    );
  };
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string | number> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

const MAX_BODY_BYTES = 65_536;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
