import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { FrameSink, StreamChannel } from './stream-channels.ts';
import type { TimeUnit } from '../user-data/user-data-events.ts';

/** Ways a connection breaks Binance's limits (or its socket's), each counted in stats(). */
export const LIMIT_VIOLATIONS = [
  'tooManyMessages',
  'tooManyStreams',
  'pongTimeout',
  'lifetime',
  'slowConsumer',
] as const;
export type LimitViolation = (typeof LIMIT_VIOLATIONS)[number];

/** What a connection needs from the server that owns it. */
export interface ConnectionOwner {
  /** The connection has frames waiting for the end of the batch. */
  markDirty(connection: SimConnection): void;
  violation(connection: SimConnection, kind: LimitViolation): void;
}

export interface ConnectionLimits {
  maxIncomingPerSecond: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  lifetimeMs: number;
  maxBufferedBytes: number;
}

/** Close codes and reasons the simulator sends (1008 "Too many requests" is what Binance sends). */
export const SIM_CLOSE = {
  tooManyMessages: { code: 1008, reason: 'Too many requests' },
  tooManyStreams: { code: 1008, reason: 'Too many streams' },
  invalidStream: { code: 1008, reason: 'Invalid stream name' },
  lifetime: { code: 1000, reason: 'Connection lifetime expired' },
  shutdown: { code: 1001, reason: 'Server shutting down' },
} as const;

/**
 * One client connection: its streams (in subscription order, as LIST_SUBSCRIPTIONS returns them),
 * the frames waiting for the end of the current batch (one latin1 string, written with one
 * socket write), and Binance's per-connection rules: the incoming-message window, server pings
 * with a pong deadline, and the lifetime cap.
 */
export class SimConnection implements FrameSink {
  /** Stream names the client asked for; undefined when the name is well formed but no symbol has it. */
  readonly streams = new Map<string, StreamChannel | undefined>();
  framesSent = 0;
  closed = false;

  private pending = '';
  private pendingFrames = 0;
  private dirty = false;
  private readonly socket: Socket;
  /** Arrival times of the last `maxIncomingPerSecond` messages (a ring). */
  private readonly arrivals: Float64Array;
  private arrivalCount = 0;
  private pingCounter = 0;
  /** Payloads of pings sent and not yet answered; a pong must echo one of them. */
  private readonly unanswered = new Set<string>();
  private readonly pingTimer: NodeJS.Timeout;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly lifetimeTimer: NodeJS.Timeout;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly remoteAddress: string,
    public combined: boolean,
    private readonly owner: ConnectionOwner,
    private readonly limits: ConnectionLimits,
    /** `timeUnit` of the connection's URL: the unit of its user-data events' times. */
    readonly timeUnit: TimeUnit = 'MILLISECOND',
  ) {
    // Market frames are written straight to the socket (see text-frame.ts); ws writes its own
    // frames (replies, pings, close) to the same socket, whole frames each, so they interleave safely.
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    this.arrivals = new Float64Array(limits.maxIncomingPerSecond);
    this.pingTimer = setInterval(() => this.ping(), limits.pingIntervalMs);
    this.lifetimeTimer = setTimeout(() => this.expire(), limits.lifetimeMs);
  }

  enqueue(frame: string): void {
    if (this.closed) return;
    this.pending += frame;
    this.pendingFrames++;
    if (!this.dirty) {
      this.dirty = true;
      this.owner.markDirty(this);
    }
  }

  /** Writes the batch's frames, now or `delayMs` later (the slow-down fault). */
  flush(delayMs = 0): void {
    this.dirty = false;
    const text = this.pending;
    const frames = this.pendingFrames;
    this.pending = '';
    this.pendingFrames = 0;
    if (text.length === 0 || this.closed) return;
    if (delayMs > 0) setTimeout(() => this.write(text, frames), delayMs);
    else this.write(text, frames);
  }

  private write(text: string, frames: number): void {
    if (this.closed) return;
    this.socket.write(text, 'latin1');
    this.framesSent += frames;
    if (this.socket.writableLength > this.limits.maxBufferedBytes) {
      this.owner.violation(this, 'slowConsumer');
      this.terminate();
    }
  }

  /** A user-data event (this connection listens to a listenKey): raw, or in the combined envelope. */
  deliver(payload: string, listenKey: string | undefined): void {
    this.send(
      this.combined && listenKey !== undefined ? `{"stream":"${listenKey}","data":${payload}}` : payload,
    );
  }

  /** Sends a reply (any text), after the market frames already queued so order is kept. */
  send(text: string): void {
    if (this.closed) return;
    this.flush();
    this.ws.send(text);
  }

  /**
   * Counts one incoming message (text, ping or pong, as Binance counts them); closes the
   * connection and returns false when it is one more than the limit within a second.
   */
  countIncoming(now: number): boolean {
    const limit = this.arrivals.length;
    const slot = this.arrivalCount % limit;
    if (this.arrivalCount >= limit && now - this.arrivals[slot]! < 1_000) {
      this.owner.violation(this, 'tooManyMessages');
      this.close(1008, 'Too many requests');
      return false;
    }
    this.arrivals[slot] = now;
    this.arrivalCount++;
    return true;
  }

  /** A pong answers a ping only if it echoes one's payload; unsolicited pongs do not. */
  pong(payload: Buffer): void {
    if (!this.unanswered.has(payload.toString('latin1'))) return;
    this.unanswered.clear();
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }

  private ping(): void {
    if (this.closed) return;
    const payload = String(++this.pingCounter);
    this.unanswered.add(payload);
    this.ws.ping(payload);
    this.pongTimer ??= setTimeout(() => {
      this.owner.violation(this, 'pongTimeout');
      this.terminate();
    }, this.limits.pongTimeoutMs);
  }

  private expire(): void {
    this.owner.violation(this, 'lifetime');
    this.close(SIM_CLOSE.lifetime.code, SIM_CLOSE.lifetime.reason);
  }

  /** A closing handshake with `code` and `reason`. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.flush();
    this.stop();
    this.ws.close(code, reason);
  }

  /** Drops the TCP connection without a closing handshake, as a network failure would. */
  terminate(): void {
    this.stop();
    this.ws.terminate();
  }

  /** Stops timers and sending; idempotent (the socket's close event calls it too). */
  stop(): void {
    this.closed = true;
    this.pending = '';
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.lifetimeTimer);
  }
}
