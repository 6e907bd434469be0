import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A route is `METHOD /path`, e.g. `GET /health`; paths are exact. */
export type RouteKey = `${'GET' | 'POST' | 'DELETE'} /${string}`;
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpServerOptions {
  routes: Partial<Record<RouteKey, RouteHandler>>;
  /** Told about every handler that threw, after the client got a 500. */
  onHandlerError?: (error: unknown, route: string) => void;
}

/**
 * The one HTTP server of a node: REST, health, metrics and the dashboard share it (the WebSocket
 * gateway attaches to its `upgrade` event). Unknown paths get 404 and known paths with another
 * method 405, both as JSON error bodies with a stable code, like every other error reply.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const byPath = new Map<string, Map<string, RouteHandler>>();
  for (const [key, handler] of Object.entries(options.routes)) {
    if (!handler) continue;
    const [method, path] = key.split(' ') as [string, string];
    const methods = byPath.get(path) ?? new Map<string, RouteHandler>();
    methods.set(method, handler);
    byPath.set(path, methods);
  }

  return createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const methods = byPath.get(path);
    if (!methods) {
      sendError(response, 404, 'NOT_FOUND', `no route for ${path}`);
      return;
    }
    const handler = methods.get(request.method ?? 'GET');
    if (!handler) {
      response.setHeader('allow', [...methods.keys()].join(', '));
      sendError(response, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`);
      return;
    }
    Promise.resolve()
      .then(() => handler(request, response))
      .catch((error: unknown) => {
        if (!response.headersSent)
          sendError(response, 500, 'INTERNAL', 'the handler failed; see the server log');
        else response.destroy();
        options.onHandlerError?.(error, `${request.method} ${path}`);
      });
  });
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
