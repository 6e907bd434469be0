import { TickwireError } from '../../errors.ts';
import { type DelayFunction, fullJitterBackoff } from '../../retry/index.ts';
import { BinanceSocket, SOCKET_LIMITS, type SocketLimits } from './binance-socket.ts';

/**
 * One logical connection to Binance: a set of streams (at most 1024) that stays subscribed across
 * socket losses and the 24-hour lifetime. The one place that owns reconnecting and rotating:
 *
 * - reconnect: after any unexpected close, wait `delay(attempt)` (exponential, full jitter,
 *   capped; pluggable), dial again and subscribe every stream again;
 * - rotate: before the lifetime cap, open a replacement socket, subscribe it to the same
 *   streams, and close the old one only once the new one is settled and has caught up on every
 *   stream (or `rotationOverlapMaxMs` passed): during the overlap both deliver, and the mapper's
 *   per-stream sequence check drops the duplicates, so nothing is lost or doubled;
 * - staleness: a socket silent (no frame, no ping) for `staleAfterMs` is dropped and redialled.
 *
 * Every dial first passes `dialGate`, the subscription manager's per-IP connection-rate limit.
 */

export const CONNECTION_STATES = [
  'connecting',
  'subscribing',
  'live',
  'backoff',
  'rotating',
  'closed',
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

/** Binance's per-connection stream limit. */
export const MAX_STREAMS_PER_CONNECTION = 1024;

export interface ConnectionHooks {
  /** Every data frame of every socket of this connection (the bytes ws delivered), with the socket's source id. */
  onFrame(frame: Buffer, source: number): void;
  /** A rotation starts: frames of `newSource` are to be trusted only once they caught up. */
  beginOverlap?(streams: ReadonlySet<string>, oldSource: number, newSource: number): void;
  /** How many streams the replacement socket has not caught up on. */
  unaligned?(streams: ReadonlySet<string>): number;
  /** The overlap is over: only `source` delivers from now on. */
  endOverlap?(streams: ReadonlySet<string>, source: number): void;
  /** The socket carrying `streams` was lost: whatever they missed is gone (books must resync). */
  onDown?(streams: ReadonlySet<string>): void;
  /** The connection (re)reached 'live'. */
  onLive?(connection: BinanceConnection): void;
}

export interface BinanceConnectionOptions {
  /** Base WebSocket URL, e.g. wss://stream.binance.com:9443 (the socket adds /stream?streams=…). */
  wsUrl: string;
  id: number;
  /** Most streams this connection may hold. */
  maxStreams: number;
  /** Waits for permission to dial (the connection-rate limit); resolves at once by default. */
  dialGate: () => Promise<void>;
  /** Reconnect delay of attempt n (1, 2, …). */
  delay: DelayFunction;
  /** Binance closes a connection after 24 h. */
  lifetimeMs: number;
  /** Rotate this long before the lifetime ends. */
  rotationMarginMs: number;
  /** Longest wait for the replacement socket to catch up before the old one is closed anyway. */
  rotationOverlapMaxMs: number;
  /** Drop a socket that sent nothing (not even a ping) for this long. */
  staleAfterMs: number;
  /** How often timers check staleness, replies and rotation, ms. */
  tickMs: number;
  limits: SocketLimits;
}

export const CONNECTION_DEFAULTS: Omit<BinanceConnectionOptions, 'wsUrl' | 'id'> = {
  maxStreams: MAX_STREAMS_PER_CONNECTION,
  dialGate: () => Promise.resolve(),
  delay: fullJitterBackoff(),
  lifetimeMs: 24 * 60 * 60 * 1_000,
  rotationMarginMs: 15 * 60 * 1_000,
  rotationOverlapMaxMs: 10_000,
  staleAfterMs: 60_000,
  tickMs: 250,
  limits: SOCKET_LIMITS,
};

export interface ConnectionHealth {
  id: number;
  state: ConnectionState;
  streams: number;
  /** Streams wanted but not yet confirmed by the server. */
  unconfirmed: number;
  /** Milliseconds since the current socket's last frame or ping; -1 without a socket. */
  lastMessageAgeMs: number;
  reconnects: number;
  rotations: number;
  staleDrops: number;
  messagesPerSecond: number;
  messages: number;
  controlMessages: number;
  pongs: number;
  errorReplies: number;
  replyTimeouts: number;
  lastError: string;
}

export class BinanceConnection {
  readonly streams = new Set<string>();
  private readonly options: BinanceConnectionOptions;
  private connectionState: ConnectionState = 'closed';
  private current: BinanceSocket | undefined;
  private next: BinanceSocket | undefined;
  private attempt = 0;
  private reconnects = 0;
  private rotations = 0;
  private staleDrops = 0;
  private nextSettledAt = Number.NaN;
  private retryTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Frames and control messages of sockets already gone, so totals survive reconnects. */
  private past = { messages: 0, controlMessages: 0, pongs: 0, errorReplies: 0, replyTimeouts: 0 };
  private messagesAtLastSecond = 0;
  private lastSecondAt = 0;
  private rate = 0;
  private lastError = '';

  constructor(
    options: Partial<BinanceConnectionOptions> & Pick<BinanceConnectionOptions, 'wsUrl' | 'id'>,
    private readonly hooks: ConnectionHooks,
  ) {
    this.options = { ...CONNECTION_DEFAULTS, ...options };
    const { maxStreams, lifetimeMs, rotationMarginMs } = this.options;
    if (!(Number.isInteger(maxStreams) && maxStreams >= 1 && maxStreams <= MAX_STREAMS_PER_CONNECTION)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `connection maxStreams must be an integer 1..${MAX_STREAMS_PER_CONNECTION}, got ${String(maxStreams)}`,
      );
    }
    if (!(rotationMarginMs >= 0 && rotationMarginMs < lifetimeMs)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `connection rotationMarginMs must be >= 0 and below lifetimeMs (${lifetimeMs}), got ${String(rotationMarginMs)}`,
      );
    }
  }

  get id(): number {
    return this.options.id;
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** Room left for streams. */
  get free(): number {
    return this.options.maxStreams - this.streams.size;
  }

  /** The source id of the socket trusted now (0 without one). */
  get source(): number {
    return this.current?.source ?? 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs);
    this.tickTimer.unref();
    void this.dial();
  }

  /** Adds streams (beyond maxStreams is refused with BAD_CONFIG: the manager must spread them). */
  add(streams: readonly string[]): void {
    const fresh = streams.filter((stream) => !this.streams.has(stream));
    if (this.streams.size + fresh.length > this.options.maxStreams) {
      throw new TickwireError(
        'BAD_CONFIG',
        `connection ${this.id} holds ${this.streams.size} streams; adding ${fresh.length} passes maxStreams ${this.options.maxStreams}`,
      );
    }
    for (const stream of fresh) this.streams.add(stream);
    this.current?.subscribe(fresh);
    this.next?.subscribe(fresh);
    if (fresh.length > 0 && this.connectionState === 'live') this.connectionState = 'subscribing';
  }

  remove(streams: readonly string[]): void {
    const gone = streams.filter((stream) => this.streams.delete(stream));
    this.current?.unsubscribe(gone);
    this.next?.unsubscribe(gone);
  }

  /** Starts a rotation now (the timer does it before the lifetime ends); no-op unless live. */
  rotate(): void {
    if (this.connectionState !== 'live' || this.next !== undefined || this.stopped) return;
    this.connectionState = 'rotating';
    void this.dialReplacement();
  }

  /** Drops the current socket as if the network failed (tests, drills). */
  dropSocket(): void {
    this.current?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.connectionState = 'closed';
    clearTimeout(this.retryTimer);
    clearInterval(this.tickTimer);
    const sockets = [this.current, this.next].filter((socket) => socket !== undefined);
    this.current = undefined;
    this.next = undefined;
    for (const socket of sockets) this.retire(socket);
    await Promise.all(sockets.map((socket) => waitClosed(socket)));
  }

  health(now = performance.now()): ConnectionHealth {
    const sockets = [this.current, this.next].filter((socket) => socket !== undefined);
    const sum = (key: keyof typeof this.past) =>
      this.past[key] + sockets.reduce((total, socket) => total + socket.counters[key], 0);
    const current = this.current;
    return {
      id: this.id,
      state: this.connectionState,
      streams: this.streams.size,
      unconfirmed: current?.isOpen ? current.unconfirmed : this.streams.size,
      lastMessageAgeMs: current?.isOpen ? Math.max(0, Math.round(now - current.lastMessageAt)) : -1,
      reconnects: this.reconnects,
      rotations: this.rotations,
      staleDrops: this.staleDrops,
      messagesPerSecond: this.rate,
      messages: sum('messages'),
      controlMessages: sum('controlMessages'),
      pongs: sum('pongs'),
      errorReplies: sum('errorReplies'),
      replyTimeouts: sum('replyTimeouts'),
      lastError: current?.lastError || this.lastError,
    };
  }

  private async dial(): Promise<void> {
    this.connectionState = 'connecting';
    await this.options.dialGate();
    if (this.stopped) return;
    this.current = this.openSocket();
  }

  private async dialReplacement(): Promise<void> {
    await this.options.dialGate();
    const old = this.current;
    if (this.stopped || old === undefined || this.connectionState !== 'rotating') return;
    const replacement = this.openSocket();
    this.next = replacement;
    this.nextSettledAt = Number.NaN;
    this.hooks.beginOverlap?.(this.streams, old.source, replacement.source);
  }

  private openSocket(): BinanceSocket {
    return new BinanceSocket(
      this.options.wsUrl,
      [...this.streams],
      {
        onFrame: (frame, source) => this.hooks.onFrame(frame, source),
        onOpen: (socket) => {
          if (socket === this.current && this.connectionState === 'connecting')
            this.connectionState = 'subscribing';
        },
        onSettled: (socket) => this.handleSettled(socket),
        onClose: (socket, code, reason) => this.handleClose(socket, code, reason),
      },
      this.options.limits,
    );
  }

  private handleSettled(socket: BinanceSocket): void {
    if (socket === this.next) {
      this.nextSettledAt = performance.now();
      return;
    }
    if (socket !== this.current || this.connectionState === 'rotating') return;
    this.attempt = 0;
    if (this.connectionState !== 'live') {
      this.connectionState = 'live';
      this.hooks.onLive?.(this);
    }
  }

  private handleClose(socket: BinanceSocket, code: number, reason: string): void {
    const wasCurrent = socket === this.current;
    const wasNext = socket === this.next;
    this.retire(socket);
    if (this.stopped || !(wasCurrent || wasNext)) return;
    this.lastError = socket.lastError || `closed ${code} ${reason}`.trim();
    if (wasNext) {
      // The replacement failed: keep the old socket and try again after a pause.
      this.next = undefined;
      if (this.current !== undefined) this.hooks.endOverlap?.(this.streams, this.current.source);
      if (this.connectionState === 'rotating') this.connectionState = 'live';
      this.attempt++;
      this.retryTimer = setTimeout(() => this.rotate(), this.options.delay(this.attempt));
      return;
    }
    const replacement = this.next;
    if (replacement !== undefined && replacement.isOpen) {
      // The old socket went first (the server's 24 h cut came early): the replacement takes over.
      this.current = replacement;
      this.next = undefined;
      this.hooks.endOverlap?.(this.streams, replacement.source);
      this.rotations++;
      this.connectionState = replacement.isSettled ? 'live' : 'subscribing';
      return;
    }
    if (replacement !== undefined) {
      this.retire(replacement);
      this.hooks.endOverlap?.(this.streams, -1);
    }
    this.hooks.onDown?.(this.streams);
    this.reconnects++;
    this.attempt++;
    this.connectionState = 'backoff';
    this.retryTimer = setTimeout(() => void this.dial(), this.options.delay(this.attempt));
  }

  private tick(): void {
    const now = performance.now();
    if (now - this.lastSecondAt >= 1_000) {
      const messages = this.health(now).messages;
      this.rate =
        this.lastSecondAt === 0
          ? 0
          : Math.round(((messages - this.messagesAtLastSecond) * 1_000) / (now - this.lastSecondAt));
      this.messagesAtLastSecond = messages;
      this.lastSecondAt = now;
    }
    for (const socket of [this.current, this.next]) {
      if (socket === undefined || !socket.isOpen) continue;
      socket.checkReplies(now);
      if (now - socket.lastMessageAt > this.options.staleAfterMs) {
        this.staleDrops++;
        socket.terminate();
      }
    }
    const current = this.current;
    if (current === undefined || !current.isOpen) return;
    if (
      this.connectionState === 'live' &&
      now - current.openedAt >= this.options.lifetimeMs - this.options.rotationMarginMs
    ) {
      this.rotate();
    }
    const replacement = this.next;
    if (this.connectionState === 'rotating' && replacement !== undefined && replacement.isSettled) {
      const caughtUp = (this.hooks.unaligned?.(this.streams) ?? 0) === 0;
      if (caughtUp || now - this.nextSettledAt >= this.options.rotationOverlapMaxMs) this.finishRotation();
    }
  }

  private finishRotation(): void {
    const old = this.current;
    const replacement = this.next;
    if (replacement === undefined) return;
    this.hooks.endOverlap?.(this.streams, replacement.source);
    this.current = replacement;
    this.next = undefined;
    this.rotations++;
    this.connectionState = 'live';
    if (old !== undefined) this.retire(old);
  }

  /** Closes a socket we are done with and keeps its counters in the totals. */
  private retire(socket: BinanceSocket): void {
    if (retired.has(socket)) return;
    retired.add(socket);
    for (const key of Object.keys(this.past) as (keyof typeof this.past)[])
      this.past[key] += socket.counters[key];
    if (socket === this.current) this.current = undefined;
    if (socket === this.next) this.next = undefined;
    socket.close();
  }
}

const retired = new WeakSet<BinanceSocket>();

function waitClosed(socket: BinanceSocket): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    const poll = setInterval(() => {
      if (!socket.isOpen || performance.now() - started > 2_000) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
}
