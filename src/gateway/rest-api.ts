import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { parseTopic } from '../bus/index.ts';
import { isTickwireError } from '../errors.ts';
import { type Authenticator, credentialFromHandshake } from './auth.ts';
import type { Cluster } from './cluster.ts';
import type { Gateway } from './gateway.ts';
import { type RouteHandler, type RouteKey, readJsonBody, sendError, sendJson } from './http-server.ts';
import { LANES } from './lanes.ts';
import { canManage, type Principal } from './permissions.ts';
import { DATA_FORMATS } from './protocol.ts';

const subscribeBody = z
  .object({
    connection: z.string().min(1),
    topics: z.array(z.string()).min(1).max(256),
    filter: z.unknown().optional(),
    format: z.enum(DATA_FORMATS).default('json'),
  })
  .strict();

const broadcastBody = z
  .object({
    topic: z.string(),
    data: z.json(),
    priority: z.enum(LANES).default('normal'),
  })
  .strict();

/**
 * The management API under /api/v1/websocket (admin only): list and close connections, list
 * subscriptions, subscribe a connection server-side, broadcast to every node sharing the bus; and
 * the nodes of the cluster under /api/v1/cluster. Bodies are validated with zod;
 * every 4xx names what is wrong, as `{"error":{"code","message"}}`.
 */
export function managementRoutes(
  gateway: Gateway,
  auth: Authenticator,
  cluster: Cluster,
): Partial<Record<RouteKey, RouteHandler>> {
  const admin =
    (handler: RouteHandler): RouteHandler =>
    async (request, response, params) => {
      if (await authorized(request, response, auth)) await handler(request, response, params);
    };
  return {
    'GET /api/v1/websocket/connections': admin((_request, response) =>
      sendJson(response, 200, { connections: gateway.connections() }),
    ),
    'DELETE /api/v1/websocket/connections/:id': admin((_request, response, { id }) => {
      const session = gateway.session(id!);
      if (!session) return sendError(response, 404, 'UNKNOWN_CONNECTION', `no connection ${id}`);
      session.close('DISCONNECTED_BY_ADMIN');
      sendJson(response, 200, { closed: id });
    }),
    'GET /api/v1/websocket/subscriptions': admin((_request, response) =>
      sendJson(response, 200, {
        topics: gateway.hub.counts(),
        connections: Object.fromEntries(gateway.connections().map((c) => [c.id, c.subscriptions])),
      }),
    ),
    'POST /api/v1/websocket/subscriptions': admin(async (request, response) => {
      const body = await validBody(request, response, subscribeBody);
      if (!body) return;
      const session = gateway.session(body.connection);
      if (!session) return sendError(response, 404, 'UNKNOWN_CONNECTION', `no connection ${body.connection}`);
      const problem = session.subscribeFromServer(body.topics, body.filter, body.format);
      if (problem) return sendError(response, 400, problem.code, problem.message);
      sendJson(response, 200, { connection: body.connection, subscribed: body.topics });
    }),
    'POST /api/v1/websocket/broadcast': admin(async (request, response) => {
      const body = await validBody(request, response, broadcastBody);
      if (!body) return;
      try {
        parseTopic(body.topic);
      } catch (error) {
        return sendError(response, 400, 'BAD_TOPIC', (error as Error).message);
      }
      sendJson(response, 200, {
        topic: body.topic,
        ...(await cluster.broadcast(body.topic, body.data, body.priority)),
      });
    }),
    'GET /api/v1/cluster/nodes': admin((_request, response) =>
      sendJson(response, 200, { nodes: cluster.nodes() }),
    ),
  };
}

/**
 * The caller's principal, from credentials in the Authorization or X-API-Key header; 401
 * otherwise. The query forms a WebSocket handshake accepts (browsers cannot set its headers) are
 * refused here: a URL is written into access logs and proxy logs, and a key there would leak.
 */
export async function authenticated(
  request: IncomingMessage,
  response: ServerResponse,
  auth: Authenticator,
): Promise<Principal | undefined> {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  if (query.has('api_key') || query.has('token')) {
    sendError(
      response,
      400,
      'CREDENTIAL_IN_QUERY',
      'the REST API takes its credential in the X-API-Key or Authorization header, never in the URL',
    );
    return undefined;
  }
  try {
    const credential = credentialFromHandshake(request);
    if (credential.token === undefined && credential.apiKey === undefined) {
      sendError(response, 401, 'UNAUTHORIZED', 'this endpoint needs an API key or a token');
      return undefined;
    }
    return await auth.authenticate(credential);
  } catch (error) {
    if (!isTickwireError(error)) throw error;
    sendError(response, 401, error.code, error.message);
  }
  return undefined;
}

/** An admin's principal (see `authenticated`); undefined after answering 401/403 otherwise. */
export async function authorized(
  request: IncomingMessage,
  response: ServerResponse,
  auth: Authenticator,
): Promise<Principal | undefined> {
  const principal = await authenticated(request, response, auth);
  if (principal === undefined) return undefined;
  if (canManage(principal)) return principal;
  sendError(response, 403, 'FORBIDDEN', `account ${principal.account} is not an admin`);
  return undefined;
}

/** The request's JSON body checked with `schema`; a 400 naming each problem otherwise. */
export async function validBody<T extends z.ZodType>(
  request: IncomingMessage,
  response: ServerResponse,
  schema: T,
): Promise<z.output<T> | undefined> {
  const json = await readJsonBody(request, response);
  if (json === undefined) return undefined;
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`);
  sendError(response, 400, 'BAD_REQUEST', problems.join('; '));
  return undefined;
}
