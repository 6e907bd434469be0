import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

  return createServer((request, response) => {
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
  });
}

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
 * Reads a JSON request body. Answers 413 (BODY_TOO_LARGE) or 400 (BAD_JSON) itself and returns
 * undefined in those cases, so a handler only goes on with a parsed body.
 */
export async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      sendError(response, 413, 'BODY_TOO_LARGE', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      request.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    sendError(response, 400, 'BAD_JSON', 'the request body is not valid JSON');
    return undefined;
  }
}
