import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { type Pattern, topicProblem } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';
import { ApiKeyTable } from './api-keys.ts';
import { createTokenVerifier, MIN_HS256_SECRET_BYTES, rsaPublicKeyProblem } from './auth-jwt.ts';
import {
  accountPrincipal,
  anonymousPrincipal,
  DEFAULT_ANONYMOUS_TOPICS,
  type Principal,
} from './permissions.ts';

/**
 * Who is on the other end of a connection. A client presents at most one credential, an API key
 * or a JWT, at connect time or later in an `auth` message; both paths end in `authenticate`, which
 * resolves to a Principal or rejects with AUTH_INVALID / AUTH_EXPIRED / AUTH_NOT_YET_VALID /
 * AUTH_UNAVAILABLE. No credential at all is not an error: the connection is anonymous.
 * docs/PROTOCOL-auth.md is the user-facing description.
 */

export type { Principal } from './permissions.ts';

/** A credential as the client presented it; at most one of the two. */
export interface Credential {
  token?: string | undefined;
  apiKey?: string | undefined;
}

export interface Authenticator {
  /** The principal of a connection that presents no credential. */
  readonly anonymous: Principal;
  authenticate(credential: Credential): Promise<Principal>;
}

export const DEFAULT_LEEWAY_SECONDS = 30;
const MAX_LEEWAY_SECONDS = 3600;
const MIN_API_KEY_LENGTH = 16;

const patternSchema = z
  .string()
  .superRefine((text, context) => {
    const problem = topicProblem(text, true);
    if (problem !== undefined)
      context.addIssue({ code: 'custom', message: `pattern ${JSON.stringify(text)} ${problem}` });
  })
  .transform((text) => text as Pattern);

const accountSchema = z.string().superRefine((text, context) => {
  if (topicProblem(text, false) !== undefined || text.includes('.')) {
    context.addIssue({
      code: 'custom',
      message: `account ${JSON.stringify(text)} is not one topic segment (1+ characters of A-Z a-z 0-9 _ - :)`,
    });
  }
});

const apiKeySchema = z
  .object({
    key: z.string().min(MIN_API_KEY_LENGTH, `must be at least ${MIN_API_KEY_LENGTH} characters`),
    account: accountSchema,
    admin: z.boolean().default(false),
    /** Extra patterns on top of the account's own (see permissions.ts). */
    topics: z.array(patternSchema).default([]),
  })
  .strict();

/** The `auth` section of the configuration; every part has a default, so `{}` is valid. */
export const authConfigSchema = z
  .object({
    apiKeys: z
      .array(apiKeySchema)
      .default([])
      .superRefine((entries, context) => {
        const firstIndex = new Map<string, number>();
        for (const [index, { key }] of entries.entries()) {
          const first = firstIndex.get(key);
          // The message names positions, never the key: config errors end up in logs.
          if (first !== undefined) {
            context.addIssue({
              code: 'custom',
              path: [index, 'key'],
              message: `repeats the key of apiKeys[${first}]`,
            });
          } else firstIndex.set(key, index);
        }
      }),
    jwt: z
      .object({
        hs256Secret: z
          .string()
          .refine(
            (secret) => Buffer.byteLength(secret, 'utf8') >= MIN_HS256_SECRET_BYTES,
            `must be at least ${MIN_HS256_SECRET_BYTES} bytes`,
          )
          .optional(),
        rs256PublicKey: z
          .string()
          .superRefine((pem, context) => {
            const problem = rsaPublicKeyProblem(pem);
            if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
          })
          .optional(),
        issuer: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
        leewaySeconds: z.coerce
          .number({ error: 'must be a whole number of seconds' })
          .int('must be a whole number of seconds')
          .min(0, 'must be at least 0')
          .max(MAX_LEEWAY_SECONDS, `must be at most ${MAX_LEEWAY_SECONDS}`)
          .default(DEFAULT_LEEWAY_SECONDS),
      })
      .strict()
      .prefault({}),
    anonymous: z
      .object({ topics: z.array(patternSchema).default([...DEFAULT_ANONYMOUS_TOPICS]) })
      .strict()
      .prefault({}),
  })
  .strict();

export type AuthConfig = z.output<typeof authConfigSchema>;
export type AuthConfigInput = z.input<typeof authConfigSchema>;

/**
 * Builds the authenticator. Takes the config section either as the config loader produced it or
 * raw (it is validated again here, which is cheap and makes a hand-built config safe); an invalid
 * one throws BAD_CONFIG naming each bad field.
 */
export function createAuthenticator(config: AuthConfigInput = {}): Authenticator {
  const parsed = authConfigSchema.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`);
    throw new TickwireError('BAD_CONFIG', `invalid auth configuration: ${problems.join('; ')}`);
  }
  const { apiKeys, jwt, anonymous: anonymousConfig } = parsed.data;
  const keyTable = new ApiKeyTable(apiKeys);
  const verifyToken = createTokenVerifier(jwt);
  const anonymous = anonymousPrincipal(anonymousConfig.topics);

  return {
    anonymous,
    async authenticate({ token, apiKey }) {
      if (token !== undefined && apiKey !== undefined) {
        throw new TickwireError('AUTH_INVALID', 'both a token and an API key were given; send exactly one');
      }
      if (apiKey !== undefined) {
        if (apiKey.length === 0) throw new TickwireError('AUTH_INVALID', 'the API key is empty');
        const grant = keyTable.lookup(apiKey);
        if (grant === undefined) {
          throw new TickwireError('AUTH_INVALID', 'the API key matches no configured key');
        }
        return accountPrincipal(grant.account, 'api-key', grant.admin, grant.topics);
      }
      if (token !== undefined) {
        if (token.length === 0) throw new TickwireError('AUTH_INVALID', 'the token is empty');
        if (verifyToken === undefined) {
          throw new TickwireError(
            'AUTH_UNAVAILABLE',
            'a token was given but this server has no JWT key configured (jwt.hs256Secret or jwt.rs256PublicKey); use an API key',
          );
        }
        const claims = await verifyToken(token);
        return accountPrincipal(claims.account, 'jwt', claims.admin, claims.topics);
      }
      return anonymous;
    },
  };
}

/**
 * The credential a WebSocket upgrade request carries: `Authorization: Bearer <token>`,
 * `X-API-Key: <key>`, `?token=` or `?api_key=` (browsers cannot set headers on a WebSocket, hence
 * the query forms). More than one is AUTH_INVALID rather than a silent pick, so a client never
 * ends up as a different principal than it meant to be.
 */
export function credentialFromHandshake(request: Pick<IncomingMessage, 'headers' | 'url'>): Credential {
  const found: { source: string; kind: keyof Credential; value: string }[] = [];
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const scheme = authorization.split(' ', 1)[0] ?? '';
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    // Name the scheme only when there is one: a bare value is likely the secret itself.
    if (scheme.toLowerCase() !== 'bearer' && scheme !== authorization) {
      throw new TickwireError(
        'AUTH_INVALID',
        `the Authorization header scheme ${JSON.stringify(scheme)} is not supported; use "Bearer <token>"`,
      );
    }
    if (match === null) {
      throw new TickwireError(
        'AUTH_INVALID',
        'the Authorization header must be "Bearer <token>": one token, no spaces inside it',
      );
    }
    found.push({ source: 'the Authorization header', kind: 'token', value: match[1] ?? '' });
  }
  const keyHeader = request.headers['x-api-key'];
  for (const value of keyHeader === undefined ? [] : [keyHeader].flat()) {
    found.push({ source: 'the X-API-Key header', kind: 'apiKey', value: value.trim() });
  }
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
  for (const [name, kind] of [
    ['token', 'token'],
    ['api_key', 'apiKey'],
  ] as const) {
    for (const value of query.getAll(name)) found.push({ source: `?${name}=`, kind, value });
  }

  if (found.length > 1) {
    throw new TickwireError(
      'AUTH_INVALID',
      `more than one credential: ${found.map((entry) => entry.source).join(' and ')}; send exactly one`,
    );
  }
  const [only] = found;
  if (only === undefined) return {};
  if (only.value.length === 0) throw new TickwireError('AUTH_INVALID', `${only.source} is empty`);
  return { [only.kind]: only.value };
}

function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}
