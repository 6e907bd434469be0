import { createHash } from 'node:crypto';
import type { Pattern } from '../bus/index.ts';

/** One configured API key, already validated by authConfigSchema. */
export interface ApiKeyEntry {
  readonly key: string;
  readonly account: string;
  readonly admin: boolean;
  readonly topics: readonly Pattern[];
}

/** The parts of an API key entry a lookup hands back: never the key itself. */
export type ApiKeyGrant = Omit<ApiKeyEntry, 'key'>;

/**
 * Finds the entry for a presented key without leaking, through timing, how much of it was right.
 *
 * The table is keyed by SHA-256 digests, never by the keys: a presented key is hashed first, and
 * the Map's string comparisons then run on digests. How long a comparison takes tells an attacker
 * at most how many leading digest characters of their guess match a stored digest, and without a
 * preimage attack that says nothing about the key, so a key cannot be found character by
 * character. This also keeps lookup O(1) with many keys, where a timingSafeEqual loop is O(n).
 */
export class ApiKeyTable {
  readonly #byDigest = new Map<string, ApiKeyGrant>();

  constructor(entries: readonly ApiKeyEntry[]) {
    for (const { key, account, admin, topics } of entries) {
      this.#byDigest.set(digest(key), Object.freeze({ account, admin, topics: Object.freeze([...topics]) }));
    }
  }

  get size(): number {
    return this.#byDigest.size;
  }

  /** The grant for `presented`, or undefined when it matches no configured key. */
  lookup(presented: string): ApiKeyGrant | undefined {
    return this.#byDigest.get(digest(presented));
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64');
}
