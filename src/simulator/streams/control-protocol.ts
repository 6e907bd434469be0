/**
 * The JSON control messages of Binance's stream endpoints (SUBSCRIBE, UNSUBSCRIBE,
 * LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY) and their replies: `{"result":…,"id":…}` on
 * success, `{"error":{"code":…,"msg":…},"id":…}` otherwise, with the codes and messages of the
 * "Error Messages" table (0 unknown property, 1 bad value type, 2 invalid request, 3 invalid JSON).
 * Pure functions: the connection applies what a request asks.
 */

export const CONTROL_METHODS = [
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'LIST_SUBSCRIPTIONS',
  'SET_PROPERTY',
  'GET_PROPERTY',
] as const;
export type ControlMethod = (typeof CONTROL_METHODS)[number];

/** A request id: a 64-bit integer, an alphanumeric string of at most 36 characters, or null. */
export type RequestId = number | string | null;

export type ControlRequest =
  | { method: 'SUBSCRIBE' | 'UNSUBSCRIBE'; streams: string[]; id: RequestId }
  | { method: 'LIST_SUBSCRIPTIONS'; id: RequestId }
  | { method: 'SET_PROPERTY'; property: 'combined'; value: boolean; id: RequestId }
  | { method: 'GET_PROPERTY'; property: 'combined'; id: RequestId };

export type ParsedControl = { ok: true; request: ControlRequest } | { ok: false; reply: string };

export const CONTROL_ERROR_CODES = {
  unknownProperty: 0,
  badValueType: 1,
  invalidRequest: 2,
  invalidJson: 3,
} as const;

const ID_STRING = /^[A-Za-z0-9]{1,36}$/;
const METHODS: ReadonlySet<string> = new Set(CONTROL_METHODS);

export function resultReply(result: string, id: RequestId): string {
  return `{"result":${result},"id":${JSON.stringify(id)}}`;
}

export function errorReply(code: number, message: string, id: RequestId): string {
  return `{"error":{"code":${code},"msg":${JSON.stringify(message)}},"id":${JSON.stringify(id)}}`;
}

const invalid = (message: string, id: RequestId = null): ParsedControl => ({
  ok: false,
  reply: errorReply(CONTROL_ERROR_CODES.invalidRequest, `Invalid request: ${message}`, id),
});

/** Parses one text frame from a client into a request, or the error reply Binance would send. */
export function parseControlMessage(text: string): ParsedControl {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    const { line, column } = errorPosition(text, error);
    return {
      ok: false,
      reply: errorReply(
        CONTROL_ERROR_CODES.invalidJson,
        `Invalid JSON: expected value at line ${line} column ${column}`,
        null,
      ),
    };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return invalid('expected a JSON object');
  }
  const fields = message as Record<string, unknown>;
  const id = fields.id === undefined ? null : fields.id;
  if (!validId(id)) return invalid('request ID must be an unsigned integer');
  const method = fields.method;
  if (method === undefined) return invalid(`missing field \`method\` at line 1 column ${text.length}`, id);
  if (typeof method !== 'string' || !METHODS.has(method)) {
    const shown = typeof method === 'string' ? method : JSON.stringify(method);
    return invalid(
      `unknown variant \`${shown}\`, expected one of ${CONTROL_METHODS.map((name) => `\`${name}\``).join(', ')} at line 1 column ${methodEnd(text)}`,
      id,
    );
  }
  const params = fields.params;
  switch (method as ControlMethod) {
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE': {
      if (!Array.isArray(params) || params.length === 0) return invalid('invalid stream', id);
      if (!params.every((param): param is string => typeof param === 'string'))
        return invalid('invalid stream', id);
      return { ok: true, request: { method: method as 'SUBSCRIBE' | 'UNSUBSCRIBE', streams: params, id } };
    }
    case 'LIST_SUBSCRIPTIONS':
      if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
        return invalid('too many parameters', id);
      }
      return { ok: true, request: { method: 'LIST_SUBSCRIPTIONS', id } };
    case 'SET_PROPERTY': {
      if (!Array.isArray(params) || typeof params[0] !== 'string')
        return invalid('property name must be a string', id);
      if (params.length > 2) return invalid('too many parameters', id);
      if (params[0] !== 'combined') return unknownProperty(id);
      if (typeof params[1] !== 'boolean') {
        return {
          ok: false,
          reply: errorReply(CONTROL_ERROR_CODES.badValueType, 'Invalid value type: expected Boolean', id),
        };
      }
      return { ok: true, request: { method: 'SET_PROPERTY', property: 'combined', value: params[1], id } };
    }
    case 'GET_PROPERTY': {
      if (!Array.isArray(params) || typeof params[0] !== 'string')
        return invalid('property name must be a string', id);
      if (params.length > 1) return invalid('too many parameters', id);
      if (params[0] !== 'combined') return unknownProperty(id);
      return { ok: true, request: { method: 'GET_PROPERTY', property: 'combined', id } };
    }
  }
}

function unknownProperty(id: RequestId): ParsedControl {
  return { ok: false, reply: errorReply(CONTROL_ERROR_CODES.unknownProperty, 'Unknown property', id) };
}

function validId(id: unknown): id is RequestId {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isInteger(id);
  return typeof id === 'string' && ID_STRING.test(id);
}

/** Column just past the value of `"method"`, where a JSON deserializer notices an unknown variant. */
function methodEnd(text: string): number {
  const match = /"method"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\s]+)/.exec(text);
  return match === null ? 1 : match.index + match[0].length;
}

/** Line and column (1-based) of a JSON.parse failure, from the position V8 reports when it does. */
function errorPosition(text: string, error: unknown): { line: number; column: number } {
  const found = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  const position = found === null ? Math.max(0, text.length - 1) : Number(found[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return { line, column };
}
