import { TickwireError } from '../../errors.ts';
import { topicProblem } from '../topic-grammar.ts';

/**
 * Broker names for one prefix. Four namespaces that no pattern of another can reach:
 *
 *   <prefix>.<topic>                 data other than market data (publish/subscribe)
 *   <prefix>-md.<topic>              market data (md.…), on connections of its own (LanedTransport)
 *   <prefix>-rpc.<topic>             requests, heard by responders only
 *   <prefix>-rpc-reply.<node hex>    replies to one node (Redis only; NATS has its own inboxes)
 *
 * A data pattern becomes `<prefix>.<pattern>`, which needs the literal `<prefix>.` in front, so it
 * never matches `<prefix>-md.…` or `<prefix>-rpc.…`; a request pattern needs `<prefix>-rpc.`,
 * never `<prefix>-rpc-reply.`.
 */
export interface BrokerNames {
  readonly prefix: string;
  /** `<prefix>.` — prepended to a topic or pattern for data. */
  readonly data: string;
  /** `<prefix>-md.` — prepended to a market-data topic or pattern. */
  readonly marketData: string;
  /** `<prefix>-rpc.` — prepended to a topic or pattern for requests. */
  readonly rpc: string;
  /** `<prefix>-rpc-reply.` — followed by a node id in hex. */
  readonly reply: string;
}

/** Suffixes that name another prefix's namespaces, and which. */
const RESERVED_SUFFIXES = [
  ['-rpc', 'request'],
  ['-rpc-reply', 'request'],
  ['-md', 'market-data'],
] as const;

/** Validates `prefix` (a topic without wildcards, not ending in a reserved suffix) and names its namespaces. */
export function brokerNames(prefix: string): BrokerNames {
  const problem = topicProblem(prefix, false);
  if (problem !== undefined) {
    throw new TickwireError('BAD_CONFIG', `bus prefix ${JSON.stringify(prefix)} ${problem}`);
  }
  for (const [suffix, namespace] of RESERVED_SUFFIXES) {
    if (prefix.endsWith(suffix)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `bus prefix ${JSON.stringify(prefix)} ends with "${suffix}", which would collide with the ${namespace} namespace of prefix ${JSON.stringify(prefix.slice(0, -suffix.length))}`,
      );
    }
  }
  return {
    prefix,
    data: `${prefix}.`,
    marketData: `${prefix}-md.`,
    rpc: `${prefix}-rpc.`,
    reply: `${prefix}-rpc-reply.`,
  };
}

/**
 * A topic pattern as a Redis glob. Redis's `*` matches any characters, dots included, so both `*`
 * and `>` become `*`: the broker delivers a superset (`md.*.SIM` also brings `md.a.b.SIM`) and the
 * local bus does the exact matching. Segments hold only A-Z a-z 0-9 _ - :, none of which is special
 * in a glob, so nothing needs escaping.
 */
export function redisGlob(pattern: string): string {
  return pattern
    .split('.')
    .map((segment) => (segment === '*' || segment === '>' ? '*' : segment))
    .join('.');
}

/** True when the Redis glob made by `redisGlob` matches `text` (`*` = any run of characters). */
export function redisGlobMatches(glob: string, text: string): boolean {
  const parts = glob.split('*');
  if (parts.length === 1) return glob === text;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!text.startsWith(first) || text.length < first.length + last.length || !text.endsWith(last))
    return false;
  let position = first.length;
  const end = text.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const found = text.indexOf(parts[i]!, position);
    if (found < 0 || found + parts[i]!.length > end) return false;
    position = found + parts[i]!.length;
  }
  return true;
}
