import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';

/**
 * A route is `METHOD /path`, e.g. `GET /health`; a segment `:name` captures that segment
 * (`DELETE /api/v1/websocket/connections/:id`).
 */
export type RouteKey = `${'GET' | 'POST' | 'DELETE'} /${string}`;
export type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  params: Record<string, string>,
) => void | Promise<void>;

export interface HttpServerOptions {
  routes: Partial<Record<RouteKey, RouteHandler>>;
  /**
   * A connection must send its whole request head (an upgrade's included) within this long, or it
   * is answered 408 and closed: a client that never finishes its headers must not hold a file
   * descriptor for Node's default minute.
   */
  headerTimeoutMs?: number;
  /** Told about every handler that threw, after the client got a 500. */
  onHandlerError?: (error: unknown, route: string) => void;
}

interface Route {
  readonly segments: readonly string[];
  readonly methods: Map<string, RouteHandler>;
}

/**
 * The one HTTP server of a node: REST, health, metrics and the dashboard share it (the WebSocket
 * gateway attaches to its `upgrade` event). Unknown paths get 404 and known paths with another
 * method 405, both as JSON error bodies with a stable code, like every other error reply.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const routes = new Map<string, Route>();
  for (const [key, handler] of Object.entries(options.routes)) {
    if (!handler) continue;
    const [method, path] = key.split(' ') as [string, string];
    const route = routes.get(path) ?? { segments: path.split('/'), methods: new Map<string, RouteHandler>() };
    route.methods.set(method, handler);
    routes.set(path, route);
  }

  const headerTimeoutMs = options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS;
  const server = createServer(
    // Node looks for expired headers on this interval only: a few checks per timeout.
    { connectionsCheckingInterval: Math.max(50, Math.floor(headerTimeoutMs / 4)) },
    (request, response) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const found = findRoute(routes, path);
      if (!found) {
        sendError(response, 404, 'NOT_FOUND', `no route for ${path}`);
        return;
      }
      const handler = found.route.methods.get(request.method ?? 'GET');
      if (!handler) {
        response.setHeader('allow', [...found.route.methods.keys()].join(', '));
        sendError(response, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`);
        return;
      }
      Promise.resolve()
        .then(() => handler(request, response, found.params))
        .catch((error: unknown) => {
          if (!response.headersSent)
            sendError(response, 500, 'INTERNAL', 'the handler failed; see the server log');
          else response.destroy();
          options.onHandlerError?.(error, `${request.method} ${path}`);
        });
    },
  );
  server.headersTimeout = headerTimeoutMs;
  return server;
}

/** The default of the `headerTimeoutMs` setting (README, "Configuration"). */
export const DEFAULT_HEADER_TIMEOUT_MS = 5_000;

function findRoute(
  routes: Map<string, Route>,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const exact = routes.get(path);
  if (exact) return { route: exact, params: {} };
  const segments = path.split('/');
  for (const route of routes.values()) {
    if (route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = route.segments.every((segment, i) => {
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = decodeURIComponent(segments[i]!);
        return segments[i] !== '';
      }
      return segment === segments[i];
    });
    if (matches) return { route, params };
  }
  return undefined;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

export function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: { code, message } });
}

/** Largest request body read; bigger ones get 413. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON request body of at most `maxBytes`. Answers 413 (BODY_TOO_LARGE) or 400 (BAD_JSON)
 * itself and returns undefined in those cases, so a handler only goes on with a parsed body.
 */
export async function readJsonBody(
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes = MAX_BODY_BYTES,
): Promise<unknown> {
  const tooLarge = (): undefined => {
    sendError(response, 413, 'BODY_TOO_LARGE', `this request's body is limited to ${maxBytes} bytes`);
    request.resume();
    return undefined;
  };
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return tooLarge();
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (nestsDeeperThan(text)) {
    sendError(response, 400, 'BAD_REQUEST', `the request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    sendError(response, 400, 'BAD_JSON', 'the request body is not valid JSON');
    return undefined;
  }
}
