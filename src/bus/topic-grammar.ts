import { TickwireError } from '../errors.ts';

/**
 * The topic grammar, NATS-style, so the same names work unchanged on the NATS bus that comes later:
 *
 *   topic    = segment *( "." segment )          ; what is published: no wildcards
 *   pattern  = element *( "." element )          ; what is subscribed to
 *   element  = segment / "*" / ">"               ; ">" only as the last element
 *   segment  = 1*( ALPHA / DIGIT / "_" / "-" / ":" )
 *
 * At most MAX_TOPIC_SEGMENTS segments and MAX_TOPIC_LENGTH characters. `*` matches exactly one
 * segment; `>` matches one or more remaining segments (never zero). `:` is allowed so canonical
 * symbol keys such as `SIM:BTCUSDT` fit in one segment; `.` never appears inside a segment because
 * it is the separator, and anything outside this ASCII set (spaces, `/`, unicode) is rejected so a
 * name means the same thing on every broker.
 */

/** A validated publish topic: segments only, no wildcards. */
export type Topic = string & { readonly __brand: 'Topic' };
/** A validated subscription pattern: may contain `*` segments and a final `>`. */
export type Pattern = string & { readonly __brand: 'Pattern' };

export const MAX_TOPIC_SEGMENTS = 16;
export const MAX_TOPIC_LENGTH = 256;
export const SINGLE_WILDCARD = '*';
export const TAIL_WILDCARD = '>';

const SEGMENT = /^[A-Za-z0-9_:-]+$/;

/** Why `text` is not a valid topic (or pattern, when `allowWildcards`), or undefined when it is valid. */
export function topicProblem(text: unknown, allowWildcards: boolean): string | undefined {
  if (typeof text !== 'string') return `must be a string, got ${text === null ? 'null' : typeof text}`;
  if (text.length === 0) return 'is empty';
  if (text.length > MAX_TOPIC_LENGTH)
    return `is ${text.length} characters long; the limit is ${MAX_TOPIC_LENGTH}`;
  const segments = text.split('.');
  if (segments.length > MAX_TOPIC_SEGMENTS) {
    return `has ${segments.length} segments; the limit is ${MAX_TOPIC_SEGMENTS}`;
  }
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const position = i + 1;
    if (segment.length === 0) {
      if (i === 0) return 'starts with a dot';
      if (i === segments.length - 1) return 'ends with a dot';
      return `has an empty segment at position ${position}`;
    }
    if (segment === SINGLE_WILDCARD || segment === TAIL_WILDCARD) {
      if (!allowWildcards)
        return `contains wildcard "${segment}" at position ${position}; a publish topic cannot`;
      if (segment === TAIL_WILDCARD && i !== segments.length - 1) {
        return `has ">" at position ${position}; ">" may only be the last segment`;
      }
      continue;
    }
    if (!SEGMENT.test(segment)) {
      if (segment.includes(SINGLE_WILDCARD) || segment.includes(TAIL_WILDCARD)) {
        return `has segment "${segment}" at position ${position} mixing a wildcard with other characters; "*" and ">" must be whole segments`;
      }
      return `has segment "${segment}" at position ${position} with a character outside A-Z a-z 0-9 _ - :`;
    }
  }
  return undefined;
}

/** Returns `text` as a Topic, or throws BAD_TOPIC quoting it and saying what is wrong. */
export function parseTopic(text: string): Topic {
  const problem = topicProblem(text, false);
  if (problem !== undefined) throw new TickwireError('BAD_TOPIC', `topic ${quote(text)} ${problem}`);
  return text as Topic;
}

/** Returns `text` as a Pattern, or throws BAD_TOPIC quoting it and saying what is wrong. */
export function parsePattern(text: string): Pattern {
  const problem = topicProblem(text, true);
  if (problem !== undefined) throw new TickwireError('BAD_TOPIC', `pattern ${quote(text)} ${problem}`);
  return text as Pattern;
}

/** True when `text` is a valid publish topic. */
export function isTopic(text: unknown): text is Topic {
  return topicProblem(text, false) === undefined;
}

/** True when `text` is a valid pattern (every topic is also a pattern that matches only itself). */
export function isPattern(text: unknown): text is Pattern {
  return topicProblem(text, true) === undefined;
}

/** True when a valid pattern contains `*` or `>` (otherwise it names exactly one topic). */
export function hasWildcard(pattern: string): boolean {
  for (const segment of pattern.split('.')) {
    if (segment === SINGLE_WILDCARD || segment === TAIL_WILDCARD) return true;
  }
  return false;
}

function quote(text: unknown): string {
  if (typeof text !== 'string') return String(text);
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(shown);
}
