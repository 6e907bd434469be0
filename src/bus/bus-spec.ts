import { TickwireError } from '../errors.ts';

/**
 * The text that chooses a bus (`--bus`, TICKWIRE_BUS, the config file's `bus`):
 *
 *   memory                       the in-process bus (default)
 *   redis://host[:port][/db]     Redis pub/sub; rediss:// for TLS; user:password@ allowed
 *   nats://host[:port]           NATS core; user:password@ or token@ allowed
 */
export const BUS_SCHEMES = ['memory', 'redis://', 'rediss://', 'nats://'] as const;

const DEFAULT_PORTS = { redis: 6379, rediss: 6379, nats: 4222 } as const;

export type BusSpec =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis' | 'nats';
      /** The URL as given (with credentials), for the client library. */
      readonly url: string;
      /** The same without credentials, for logs and health. */
      readonly displayUrl: string;
      readonly host: string;
      readonly port: number;
      readonly tls: boolean;
    };

/** Parses a bus spec, or throws BAD_CONFIG quoting it and listing what is accepted. */
export function parseBusSpec(text: string): BusSpec {
  if (typeof text !== 'string') throw badSpec(String(text), 'it is not a string');
  const trimmed = text.trim();
  if (trimmed === 'memory') return { kind: 'memory' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badSpec(text, 'it is neither "memory" nor a URL');
  }
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'redis' && scheme !== 'rediss' && scheme !== 'nats') {
    throw badSpec(text, `scheme "${url.protocol}" is not supported`);
  }
  if (url.hostname === '') throw badSpec(text, 'it names no host');
  if (url.search !== '' || url.hash !== '')
    throw badSpec(text, 'query strings and fragments are not supported');
  const path = url.pathname;
  const pathAllowed = path === '' || path === '/' || (scheme !== 'nats' && /^\/\d{1,2}$/.test(path));
  if (!pathAllowed) {
    throw badSpec(
      text,
      scheme === 'nats'
        ? `path "${path}" is not allowed on a NATS URL`
        : `path "${path}" is not a database number (/0 to /99)`,
    );
  }
  const port = url.port === '' ? DEFAULT_PORTS[scheme] : Number(url.port);
  const display = new URL(url.href);
  display.username = '';
  display.password = '';
  return {
    kind: scheme === 'nats' ? 'nats' : 'redis',
    url: url.href,
    displayUrl: display.href.replace(/\/$/, ''),
    host: url.hostname,
    port,
    tls: scheme === 'rediss',
  };
}

function badSpec(text: string, why: string): TickwireError {
  return new TickwireError(
    'BAD_CONFIG',
    `bus ${JSON.stringify(text)} is not valid: ${why}; use one of memory, redis://host:port, rediss://host:port, nats://host:port`,
  );
}
