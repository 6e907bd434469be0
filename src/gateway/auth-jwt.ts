import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify } from 'jose';
import { type Pattern, topicProblem } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';

/**
 * JWT verification with `jose` (a maintained, dependency-free library) rather than by hand: it
 * already gets the easy-to-miss parts right (strict base64url, `crit` headers, `b64: false`,
 * claim types, RSA modulus of 2048+ bits), and this file only decides policy on top of it.
 */

export const JWT_ALGORITHMS = ['HS256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Longer tokens are refused before any parsing or crypto, so a client cannot make us hash megabytes. */
export const MAX_TOKEN_LENGTH = 8192;
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
export const MIN_HS256_SECRET_BYTES = 32;
const MIN_RSA_BITS = 2048;

export interface JwtSettings {
  readonly hs256Secret?: string | undefined;
  readonly rs256PublicKey?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  readonly leewaySeconds: number;
}

/** What a verified token says about its bearer. */
export interface TokenClaims {
  readonly account: string;
  readonly admin: boolean;
  readonly topics: readonly Pattern[];
}

export type TokenVerifier = (token: string) => Promise<TokenClaims>;

/**
 * A verifier for the configured keys, or undefined when none is configured (then a presented token
 * is AUTH_UNAVAILABLE, not AUTH_INVALID: the client did nothing wrong, the server cannot check it).
 *
 * Each algorithm has its own key and a token's `alg` picks which one, so an HS256 token is never
 * checked with the RSA public key used as an HMAC secret (the classic alg-confusion attack), and
 * `none` or any other algorithm is refused before a key is touched.
 */
export function createTokenVerifier(settings: JwtSettings): TokenVerifier | undefined {
  const keys = new Map<JwtAlgorithm, Uint8Array | KeyObject>();
  if (settings.hs256Secret !== undefined) keys.set('HS256', hs256Key(settings.hs256Secret));
  if (settings.rs256PublicKey !== undefined) keys.set('RS256', rs256Key(settings.rs256PublicKey));
  if (keys.size === 0) return undefined;
  const accepted = [...keys.keys()].join(', ');

  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw invalid(`token is ${token.length} characters long; the limit is ${MAX_TOKEN_LENGTH}`);
    }
    const alg = headerAlgorithm(token);
    const key = keys.get(alg as JwtAlgorithm);
    if (key === undefined) {
      throw invalid(`token alg ${JSON.stringify(alg)} is not accepted; this server accepts ${accepted}`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: [alg],
        clockTolerance: settings.leewaySeconds,
        requiredClaims: ['sub', 'exp'],
        ...(settings.issuer !== undefined && { issuer: settings.issuer }),
        ...(settings.audience !== undefined && { audience: settings.audience }),
      }));
    } catch (error) {
      throw explain(error, alg, settings);
    }
    return claimsOf(payload);
  };
}

/** Why `pem` cannot be the RS256 verification key, or undefined when it can. */
export function rsaPublicKeyProblem(pem: string): string | undefined {
  if (pem.includes('PRIVATE KEY')) {
    return 'holds a private key; configure the public key only (the server never signs tokens)';
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    return `is not a PEM public key (${(error as Error).message})`;
  }
  if (key.asymmetricKeyType !== 'rsa') return `is a ${key.asymmetricKeyType} key, not an RSA key`;
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) return `is a ${bits}-bit RSA key; RS256 needs at least ${MIN_RSA_BITS} bits`;
  return undefined;
}

function hs256Key(secret: string): Uint8Array {
  const bytes = new TextEncoder().encode(secret);
  if (bytes.length < MIN_HS256_SECRET_BYTES) {
    throw new TickwireError(
      'BAD_CONFIG',
      `jwt.hs256Secret is ${bytes.length} bytes; HS256 needs at least ${MIN_HS256_SECRET_BYTES}`,
    );
  }
  return bytes;
}

function rs256Key(pem: string): KeyObject {
  const problem = rsaPublicKeyProblem(pem);
  if (problem !== undefined) throw new TickwireError('BAD_CONFIG', `jwt.rs256PublicKey ${problem}`);
  return createPublicKey(pem);
}

function headerAlgorithm(token: string): string {
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(token));
  } catch {
    throw invalid('token is not a JWT (three base64url parts separated by dots, the first a JSON header)');
  }
  if (typeof alg !== 'string') throw invalid('token header has no "alg" string');
  return alg;
}

/** Turns a jose failure into our codes, with a message naming the claim and its value. */
function explain(error: unknown, alg: string, settings: JwtSettings): TickwireError {
  const leeway = `leeway ${settings.leewaySeconds} s`;
  const now = new Date().toISOString();
  if (error instanceof errors.JWTExpired) {
    return new TickwireError(
      'AUTH_EXPIRED',
      `token expired at ${isoTime(error.payload.exp)} (exp ${error.payload.exp}); now is ${now}, ${leeway}`,
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    if (reason === 'missing') {
      return invalid(
        claim === 'exp'
          ? 'token has no "exp" claim; tokens must expire (use an API key for a long-lived credential)'
          : `token has no "${claim}" claim`,
      );
    }
    if (claim === 'nbf' && reason === 'check_failed') {
      return new TickwireError(
        'AUTH_NOT_YET_VALID',
        `token is not valid before ${isoTime(payload.nbf)} (nbf ${payload.nbf}); now is ${now}, ${leeway}`,
      );
    }
    if (claim === 'iss') {
      return invalid(
        `token "iss" ${JSON.stringify(payload.iss)} is not the configured issuer ${JSON.stringify(settings.issuer)}`,
      );
    }
    if (claim === 'aud') {
      return invalid(
        `token "aud" ${JSON.stringify(payload.aud)} does not include the configured audience ${JSON.stringify(settings.audience)}`,
      );
    }
    return invalid(`token "${claim}" claim is invalid: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return invalid(`token signature does not verify with the configured ${alg} key`);
  }
  if (error instanceof errors.JOSEError || error instanceof TypeError) {
    return invalid(`token is malformed: ${error.message}`);
  }
  return invalid(`token could not be verified: ${String(error)}`);
}

function claimsOf(payload: JWTPayload): TokenClaims {
  const { sub, admin, topics } = payload;
  if (typeof sub !== 'string' || topicProblem(sub, false) !== undefined || sub.includes('.')) {
    throw invalid(
      `token "sub" ${JSON.stringify(sub)} is not an account name (one topic segment: 1+ characters of A-Z a-z 0-9 _ - :)`,
    );
  }
  if (admin !== undefined && typeof admin !== 'boolean') {
    throw invalid(`token "admin" claim must be true or false, got ${JSON.stringify(admin)}`);
  }
  if (topics !== undefined && !Array.isArray(topics)) {
    throw invalid(`token "topics" claim must be an array of patterns, got ${JSON.stringify(topics)}`);
  }
  const patterns: Pattern[] = [];
  for (const [index, topic] of (topics ?? []).entries()) {
    const problem = topicProblem(topic, true);
    if (problem !== undefined) {
      throw invalid(`token "topics"[${index}] ${JSON.stringify(topic)} is not a pattern: it ${problem}`);
    }
    patterns.push(topic as Pattern);
  }
  return { account: sub, admin: admin === true, topics: patterns };
}

/** Seconds since the epoch as an ISO date, or as given when Date cannot show it (e.g. nbf 1e20). */
function isoTime(seconds: unknown): string {
  const date = typeof seconds === 'number' ? new Date(seconds * 1000) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString();
}

function invalid(message: string): TickwireError {
  return new TickwireError('AUTH_INVALID', message);
}
