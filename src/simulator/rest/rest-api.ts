import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimulatedExchange } from '../exchange.ts';
import { ExchangeRejection } from '../matching/rejection.ts';
import type { ExchangeMarket } from '../streams/exchange-market.ts';
import { marketRoutes, REST_ERRORS } from './market-rest.ts';
import { REQUEST_WEIGHTS, requestWeight } from './request-weights.ts';
import type { RestCall } from './signed-request.ts';
import { type RestRoute, tradingRoutes } from './trading-rest.ts';

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

/**
 * The simulator's HTTP handler: Binance's public market-data endpoints (market-rest.ts), its
 * signed trading and user-data endpoints (trading-rest.ts), and the simulator's own `/sim/stats`,
 * `POST /sim/faults` and `/sim/accounts`. It charges each Binance endpoint's request weight to the
 * caller's IP and answers refusals as Binance does, `{"code":…,"msg":…}`.
 */
export function createRestHandler(
  context: RestContext,
): (request: IncomingMessage, response: ServerResponse) => void {
  const limits = context.exchange.limits;

  const routes: Record<string, RestRoute> = {
    ...tradingRoutes(context.exchange),
    ...marketRoutes(context.market, context.exchange.limits.settings),
    'GET /sim/stats': () => JSON.stringify(context.stats()),
    'GET /sim/labels': ({ query }) => {
      const after = Number(query.get('after') ?? 0);
      if (!Number.isSafeInteger(after) || after < 0)
        throw new RestError(400, JSON.stringify({ error: 'after must be a label id (an integer >= 0)' }));
      return JSON.stringify(context.market.labels.since(after));
    },
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
