import type { StreamPosition } from './history.ts';
import type { ReplyError } from './codes.ts';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.ts';

/**
 * The client-to-server protocol: JSON text frames, one request each, with an optional `id` the
 * reply echoes. Parsing is hand-written (no schema library on this path) and returns a result
 * rather than throwing, so every bad frame becomes an `error` reply with a stable code.
 * docs/PROTOCOL.md documents every message.
 */

export type RequestId = string | number;
export const DATA_FORMATS = ['json', 'binary'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];
export const CLIENT_OPS = ['subscribe', 'unsubscribe', 'ping', 'auth'] as const;
export type ClientOp = (typeof CLIENT_OPS)[number];

export interface SubscribeRequest {
  op: 'subscribe';
  id?: RequestId;
  topics: string[];
  /** Raw filter JSON; compiled (and rejected with BAD_FILTER) by the session. */
  filter?: unknown;
  format: DataFormat;
  /** Per concrete topic, the last position the client saw: it receives what it missed. */
  since?: Record<string, StreamPosition>;
}
export interface UnsubscribeRequest {
  op: 'unsubscribe';
  id?: RequestId;
  topics: string[];
}
export interface PingRequest {
  op: 'ping';
  id?: RequestId;
}
export interface AuthRequest {
  op: 'auth';
  id?: RequestId;
  token?: string;
  apiKey?: string;
}
export type ClientRequest = SubscribeRequest | UnsubscribeRequest | PingRequest | AuthRequest;

export type ParseResult =
  { ok: true; request: ClientRequest } | { ok: false; code: ReplyError; message: string; id?: RequestId };

/** Topics one request may name; the per-connection subscription limit applies on top. */
export const MAX_TOPICS_PER_REQUEST = 256;
const MAX_ID_LENGTH = 64;

export function parseClientMessage(text: string): ParseResult {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return fail('BAD_JSON', 'the frame is not valid JSON');
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return fail('BAD_JSON', 'a request is a JSON object');
  }
  const fields = message as Record<string, unknown>;
  const id = fields.id;
  if (id !== undefined && !isRequestId(id)) {
    return fail('BAD_REQUEST', `id must be a number or a string of at most ${MAX_ID_LENGTH} characters`);
  }
  const bad = (code: ReplyError, text: string) => fail(code, text, id as RequestId | undefined);
  // JSON.parse takes any depth; the filter compiler and the checks below recurse.
  if (nestsDeeperThan(text))
    return bad('BAD_REQUEST', `the request nests deeper than ${MAX_JSON_DEPTH} levels`);
  switch (fields.op) {
    case 'subscribe': {
      const topics = topicList(fields.topics);
      if (typeof topics === 'string') return bad('BAD_REQUEST', topics);
      const format = fields.format ?? 'json';
      if (!DATA_FORMATS.includes(format as DataFormat)) {
        return bad('BAD_REQUEST', `format must be one of ${DATA_FORMATS.join(', ')}`);
      }
      const since = fields.since === undefined ? undefined : positions(fields.since);
      if (typeof since === 'string') return bad('BAD_REQUEST', since);
      return ok({
        op: 'subscribe',
        ...(id === undefined ? {} : { id: id as RequestId }),
        topics,
        filter: fields.filter,
        format: format as DataFormat,
        ...(since === undefined ? {} : { since }),
      });
    }
    case 'unsubscribe': {
      const topics = topicList(fields.topics);
      if (typeof topics === 'string') return bad('BAD_REQUEST', topics);
      return ok({ op: 'unsubscribe', ...(id === undefined ? {} : { id: id as RequestId }), topics });
    }
    case 'ping':
      return ok({ op: 'ping', ...(id === undefined ? {} : { id: id as RequestId }) });
    case 'auth': {
      const { token, apiKey } = fields;
      if (token !== undefined && typeof token !== 'string')
        return bad('BAD_REQUEST', 'token must be a string');
      if (apiKey !== undefined && typeof apiKey !== 'string')
        return bad('BAD_REQUEST', 'apiKey must be a string');
      if ((token === undefined) === (apiKey === undefined)) {
        return bad('BAD_REQUEST', 'auth takes exactly one of token or apiKey');
      }
      return ok({
        op: 'auth',
        ...(id === undefined ? {} : { id: id as RequestId }),
        ...(token === undefined ? {} : { token: token as string }),
        ...(apiKey === undefined ? {} : { apiKey: apiKey as string }),
      });
    }
    default:
      return bad(
        fields.op === undefined ? 'BAD_REQUEST' : 'UNKNOWN_OP',
        fields.op === undefined
          ? `a request needs an op: ${CLIENT_OPS.join(', ')}`
          : `unknown op ${JSON.stringify(fields.op).slice(0, 40)}; known: ${CLIENT_OPS.join(', ')}`,
      );
  }
}

/**
 * The `id` of a request that will not be processed (refused by the rate limit), so that its
 * error reply can still echo it; undefined when the frame has none or is not a JSON request.
 */
export function requestIdOf(data: Buffer, isBinary: boolean, maxFrameBytes: number): RequestId | undefined {
  if (isBinary || data.length > maxFrameBytes) return undefined;
  try {
    const id = (JSON.parse(data.toString('utf8')) as { id?: unknown } | null)?.id;
    return isRequestId(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The text of an `error` reply. */
export function errorReply(code: ReplyError, message: string, id?: RequestId): string {
  return JSON.stringify({ type: 'error', ...(id === undefined ? {} : { id }), code, message });
}

function ok(request: ClientRequest): ParseResult {
  return { ok: true, request };
}

function fail(code: ReplyError, message: string, id?: RequestId): ParseResult {
  return id === undefined ? { ok: false, code, message } : { ok: false, code, message, id };
}

function isRequestId(id: unknown): id is RequestId {
  return (
    (typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && id.length <= MAX_ID_LENGTH)
  );
}

/** The topics array, or a message saying what is wrong with it (grammar is checked later). */
function topicList(value: unknown): string[] | string {
  if (!Array.isArray(value) || value.length === 0) return 'topics must be a non-empty array of strings';
  if (value.length > MAX_TOPICS_PER_REQUEST)
    return `topics may list at most ${MAX_TOPICS_PER_REQUEST} entries`;
  if (!value.every((topic) => typeof topic === 'string'))
    return 'topics must be a non-empty array of strings';
  return value as string[];
}

function positions(value: unknown): Record<string, StreamPosition> | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'since must be an object of topic: {"epoch": string, "offset": number}';
  }
  // No prototype: a topic named `__proto__` must become a key like any other (and then be
  // refused as matching no requested topic), not set the object's prototype and vanish.
  const result: Record<string, StreamPosition> = Object.create(null) as Record<string, StreamPosition>;
  for (const [topic, position] of Object.entries(value)) {
    const { epoch, offset } = (position ?? {}) as Partial<StreamPosition>;
    if (typeof epoch !== 'string' || !Number.isSafeInteger(offset) || (offset as number) < 0) {
      return `since.${topic} must be {"epoch": string, "offset": non-negative integer}`;
    }
    result[topic] = { epoch, offset: offset as number };
  }
  return result;
}
