import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * Caps what the kernel holds, unsent, for one connection, so that a client that falls behind
 * shows its backlog in the gateway, where market data is conflated and a fill goes first.
 *
 * Without a cap, Linux lets a socket's send buffer grow to `net.ipv4.tcp_wmem`'s maximum (4 MB
 * here): a client that stops reading first swallows megabytes of market data into the kernel,
 * where nothing can conflate it or put a fill ahead of it, and the gateway sees no backlog until
 * then. TCP_NOTSENT_LOWAT (Linux 3.12+) bounds the bytes written but not yet sent: past it, a
 * write takes no more and the socket stops polling writable, so Node keeps the rest, and the
 * session keeps its market data queued (conflating it) until the socket drains. It does not limit
 * bytes in flight, so a healthy client on a long, fast link is not slowed down; what it cannot
 * reach is the client's own receive buffer (~100 KB on a client that stops reading).
 *
 * Node has no setsockopt; the `sockopt` package (an optional dependency: a prebuilt N-API addon,
 * or built by node-gyp at install) provides it. Where it does not load, or on another system, the
 * gateway runs as before and says so once (`sendBufferCap().reason`, in /api/v1/stats and the log).
 */

/**
 * Unsent bytes the kernel may hold per connection. Measured here (1,000 clients at half the fan-out
 * maximum): 16 KiB, what HTTP/2 servers use for prioritizing, raised the market-data p50 from
 * ~21 to ~34 ms (more partial writes, each waiting for the socket to drain); 64 KiB costs nothing
 * measurable, and a stalled client still holds ~240 KB (its receive buffer included) instead of 4 MB.
 */
export const UNSENT_LIMIT_BYTES = 64 * 1024;

const IPPROTO_TCP = 6;
/** From <linux/tcp.h>. */
const TCP_NOTSENT_LOWAT = 25;

type SetSockOpt = (socket: Socket, level: number, option: number, value: number) => void;

export interface SendBufferCapStatus {
  /** True when every connection's unsent bytes are capped at `unsentLimitBytes`. */
  available: boolean;
  unsentLimitBytes: number;
  /** Why not, when unavailable. */
  reason?: string;
  /** Connections on which setting the cap failed (their socket was already gone, say). */
  failures: number;
}

const loaded = loadSetSockOpt();
let failures = 0;

function loadSetSockOpt(): { setsockopt: SetSockOpt } | { reason: string } {
  if (process.platform !== 'linux')
    return { reason: `TCP_NOTSENT_LOWAT is only set on Linux, not ${process.platform}` };
  try {
    const module = createRequire(import.meta.url)('sockopt') as { setsockopt: SetSockOpt };
    return { setsockopt: module.setsockopt };
  } catch (error) {
    return {
      reason: `the optional package sockopt did not load: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/** Caps the unsent bytes of `socket` (a connected TCP socket); false when the cap is unavailable or failed. */
export function capSendBuffer(socket: Socket): boolean {
  if (!('setsockopt' in loaded)) return false;
  try {
    loaded.setsockopt(socket, IPPROTO_TCP, TCP_NOTSENT_LOWAT, UNSENT_LIMIT_BYTES);
    return true;
  } catch {
    failures++;
    return false;
  }
}

export function sendBufferCap(): SendBufferCapStatus {
  return 'setsockopt' in loaded
    ? { available: true, unsentLimitBytes: UNSENT_LIMIT_BYTES, failures }
    : { available: false, unsentLimitBytes: UNSENT_LIMIT_BYTES, reason: loaded.reason, failures };
}
