import {
  allBars,
  allFeatures,
  allMarketData,
  analyticsTopic,
  fillsTopic,
  ordersTopic,
  type Pattern,
  parsePattern,
} from '../bus/index.ts';

/**
 * Who a connection is and which topics it may subscribe to. Built once when a connection
 * authenticates (or stays anonymous), then read on every subscribe; frozen so no later code can
 * widen a connection's rights by accident.
 */
export interface Principal {
  /** The account the credential belongs to; null for an anonymous connection. */
  readonly account: string | null;
  /** May subscribe to anything and call the management APIs. */
  readonly admin: boolean;
  /** Patterns this principal may subscribe to; a request must be covered by one of them. */
  readonly allow: readonly Pattern[];
  readonly via: PrincipalSource;
}

export const PRINCIPAL_SOURCES = ['anonymous', 'api-key', 'jwt'] as const;
export type PrincipalSource = (typeof PRINCIPAL_SOURCES)[number];

/** Public market data: ticks, and the bars and features the features engine derives from them. */
export const PUBLIC_TOPICS: readonly Pattern[] = [allMarketData(), allBars(), allFeatures()];

/** What anonymous connections get when the config does not say otherwise: public market data only. */
export const DEFAULT_ANONYMOUS_TOPICS: readonly Pattern[] = PUBLIC_TOPICS;

const EVERYTHING = '>' as Pattern;

/**
 * What every authenticated account may read: public market data and its own private streams.
 * Bot topics are `bots.<account>.<botId>`, so one account's bots are one subtree.
 */
export function accountPatterns(account: string): Pattern[] {
  // A topic is also the pattern that matches only itself; the types are branded apart, hence parsePattern.
  return [
    ...PUBLIC_TOPICS,
    parsePattern(ordersTopic(account)),
    parsePattern(fillsTopic(account)),
    parsePattern(`bots.${account}.>`),
    parsePattern(analyticsTopic(account)),
  ];
}

/** A principal for an account: its own patterns plus `grants` (extra patterns from its key or token). */
export function accountPrincipal(
  account: string,
  via: Exclude<PrincipalSource, 'anonymous'>,
  admin: boolean,
  grants: readonly Pattern[],
): Principal {
  const allow = admin ? [EVERYTHING] : [...new Set([...accountPatterns(account), ...grants])];
  return Object.freeze({ account, admin, allow: Object.freeze(allow), via });
}

/** A principal for a connection that presented no credential. */
export function anonymousPrincipal(topics: readonly Pattern[]): Principal {
  return Object.freeze({ account: null, admin: false, allow: Object.freeze([...topics]), via: 'anonymous' });
}

/**
 * True when `principal` may subscribe to `requested`: it is admin, or one allowed pattern covers
 * the whole request. Checking that the request merely overlaps an allowed pattern would be wrong:
 * `orders.*` overlaps `orders.acc1` but would also deliver every other account's orders.
 */
export function canSubscribe(principal: Principal, requested: Pattern): boolean {
  if (principal.admin) return true;
  for (const allowed of principal.allow) {
    if (patternCovers(allowed, requested)) return true;
  }
  return false;
}

/** True when `principal` may use the management APIs (bot control, config, kill switches). */
export function canManage(principal: Principal): boolean {
  return principal.admin;
}

/**
 * True when every topic `requested` can match is also matched by `allowed` (the set of topics of
 * `requested` is contained in that of `allowed`). Position by position: an allowed `>` covers
 * whatever non-empty rest the request has; an allowed `*` covers one literal or `*`; a literal
 * covers only the same literal; a requested `>` is covered only by an allowed `>` at the same or an
 * earlier position, because it matches topics of any length.
 *
 * Both arguments must be valid patterns. The answer ignores the grammar's length limits (16
 * segments, 256 characters), which can only make it say "no" where a limit would have made the
 * request harmless, never "yes" wrongly.
 */
export function patternCovers(allowed: Pattern, requested: Pattern): boolean {
  const allowedSegments = allowed.split('.');
  const requestedSegments = requested.split('.');
  for (let i = 0; ; i++) {
    const allow = allowedSegments[i];
    const request = requestedSegments[i];
    // `>` matches one or more segments, so it needs the request to have at least one left.
    if (allow === '>') return request !== undefined;
    if (allow === undefined || request === undefined) return allow === request;
    if (request === '>') return false;
    if (allow !== '*' && allow !== request) return false;
  }
}
