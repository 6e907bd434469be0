import WebSocket, { type RawData } from 'ws';
import { SlidingWindow } from './sliding-window.ts';

/**
 * One WebSocket to Binance's combined-stream endpoint and its subscriptions: the streams that fit
 * go into the URL (`/stream?streams=a/b/c`, no message needed), the rest are sent as SUBSCRIBE
 * messages of up to `maxStreamsPerMessage` streams, paced so the socket never sends more than
 * Binance's 5 messages in any second. Pings are answered at once with a pong, which Binance also
 * counts: control messages use at most `messagesPerWindow − reservedForPongs` of the window, so a
 * pong always fits. Requests carry increasing ids; replies are matched to them, and a request
 * that gets no reply in time is sent again.
 *
 * Reconnecting, rotating and staleness are the connection's job (binance-connection.ts); this
 * class lives exactly as long as its socket.
 */

export interface SocketLimits {
  /** Messages Binance accepts from a client per window (5 per second). */
  messagesPerWindow: number;
  /** The window, ms (1000), plus `windowSafetyMs` of margin for network jitter. */
  windowMs: number;
  windowSafetyMs: number;
  /** Slots of each window kept free for pongs. */
  reservedForPongs: number;
  /** Streams per SUBSCRIBE/UNSUBSCRIBE message. */
  maxStreamsPerMessage: number;
  /** Longest connect URL; streams that do not fit are subscribed by message. */
  maxUrlLength: number;
  /** A request unanswered this long is sent again, ms. */
  replyTimeoutMs: number;
}

export const SOCKET_LIMITS: SocketLimits = {
  messagesPerWindow: 5,
  windowMs: 1_000,
  windowSafetyMs: 100,
  reservedForPongs: 1,
  maxStreamsPerMessage: 200,
  maxUrlLength: 4_000,
  replyTimeoutMs: 10_000,
};

export interface SocketEvents {
  /**
   * A data frame (or anything that is not a reply to our request), as the bytes `ws` delivered:
   * no string is made on the main thread; the pipeline workers decode it.
   */
  onFrame(frame: Buffer, source: number): void;
  /** The socket is open. */
  onOpen(socket: BinanceSocket): void;
  /** Every wanted stream is confirmed and nothing is queued or in flight. */
  onSettled(socket: BinanceSocket): void;
  /** The socket closed (after an error, too); called once. */
  onClose(socket: BinanceSocket, code: number, reason: string): void;
}

type Method = 'SUBSCRIBE' | 'UNSUBSCRIBE';

interface PendingRequest {
  method: Method;
  streams: string[];
  sentAt: number;
}

export interface SocketCounters {
  messages: number;
  controlMessages: number;
  pongs: number;
  replies: number;
  errorReplies: number;
  replyTimeouts: number;
}

let nextSource = 1;

const STREAM_KEY = Buffer.from('{"stream"');

/** Whether a frame begins like a combined-stream data frame (replies never do). */
function startsWithStream(frame: Buffer): boolean {
  if (frame.length < STREAM_KEY.length) return false;
  for (let i = 0; i < STREAM_KEY.length; i++) if (frame[i] !== STREAM_KEY[i]) return false;
  return true;
}

export class BinanceSocket {
  /** Names this socket's frames for the mapper's rotation overlap; unique in the process. */
  readonly source = nextSource++;
  readonly counters: SocketCounters = {
    messages: 0,
    controlMessages: 0,
    pongs: 0,
    replies: 0,
    errorReplies: 0,
    replyTimeouts: 0,
  };
  /** Streams the server confirmed (URL streams count as confirmed once the socket opens). */
  readonly confirmed = new Set<string>();
  openedAt = Number.NaN;
  lastMessageAt = Number.NaN;
  lastError = '';
  private readonly ws: WebSocket;
  private readonly budget: SlidingWindow;
  private readonly toSubscribe = new Set<string>();
  private readonly toUnsubscribe = new Set<string>();
  private readonly pending = new Map<number, PendingRequest>();
  private readonly urlStreams: string[];
  private nextId = 1;
  private pumpTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private wasSettled = false;

  constructor(
    wsUrl: string,
    streams: readonly string[],
    private readonly events: SocketEvents,
    private readonly limits: SocketLimits = SOCKET_LIMITS,
  ) {
    this.budget = new SlidingWindow(
      limits.messagesPerWindow - limits.reservedForPongs,
      limits.windowMs + limits.windowSafetyMs,
    );
    const base = `${wsUrl.replace(/\/+$/, '')}/stream?streams=`;
    let url = base;
    this.urlStreams = [];
    for (const stream of streams) {
      const extra = (this.urlStreams.length === 0 ? 0 : 1) + stream.length;
      if (this.urlStreams.length > 0 && url.length + extra > limits.maxUrlLength) {
        this.toSubscribe.add(stream);
        continue;
      }
      url += (this.urlStreams.length === 0 ? '' : '/') + stream;
      this.urlStreams.push(stream);
    }
    // Pongs are ours to send (autoPong off) so that each one is counted against the budget. UTF-8
    // is not validated here, on the main thread: the worker's decoder replaces a bad sequence and
    // the frame then fails to parse and is counted as malformed.
    this.ws = new WebSocket(url, { autoPong: false, perMessageDeflate: false, skipUTF8Validation: true });
    this.ws.on('open', () => this.handleOpen());
    this.ws.on('message', (data, isBinary) => this.handleMessage(data, isBinary));
    this.ws.on('ping', (data) => this.handlePing(data));
    this.ws.on('error', (error) => {
      this.lastError = error.message;
    });
    this.ws.on('close', (code, reason) => this.handleClose(code, reason.toString()));
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Nothing queued, nothing in flight: every wanted stream is confirmed. */
  get isSettled(): boolean {
    return (
      this.isOpen && this.toSubscribe.size === 0 && this.toUnsubscribe.size === 0 && this.pending.size === 0
    );
  }

  /** Streams wanted but not yet confirmed (queued or in flight). */
  get unconfirmed(): number {
    let inFlight = 0;
    for (const request of this.pending.values())
      if (request.method === 'SUBSCRIBE') inFlight += request.streams.length;
    return this.toSubscribe.size + inFlight;
  }

  subscribe(streams: Iterable<string>): void {
    for (const stream of streams) {
      this.toUnsubscribe.delete(stream);
      if (!this.confirmed.has(stream)) this.toSubscribe.add(stream);
    }
    this.wasSettled = false;
    this.pump();
  }

  unsubscribe(streams: Iterable<string>): void {
    for (const stream of streams) {
      if (this.toSubscribe.delete(stream)) continue;
      this.toUnsubscribe.add(stream);
    }
    this.wasSettled = false;
    this.pump();
  }

  /** Re-sends requests unanswered for longer than replyTimeoutMs; called by the connection's timer. */
  checkReplies(now: number): void {
    for (const [id, request] of this.pending) {
      if (now - request.sentAt < this.limits.replyTimeoutMs) continue;
      this.pending.delete(id);
      this.counters.replyTimeouts++;
      const queue = request.method === 'SUBSCRIBE' ? this.toSubscribe : this.toUnsubscribe;
      for (const stream of request.streams) queue.add(stream);
    }
    this.pump();
  }

  close(): void {
    clearTimeout(this.pumpTimer);
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000, 'rotated or stopped');
    }
  }

  /** Drops the socket without a closing handshake (a stale or misbehaving peer). */
  terminate(): void {
    clearTimeout(this.pumpTimer);
    this.ws.terminate();
  }

  private handleOpen(): void {
    this.openedAt = performance.now();
    this.lastMessageAt = this.openedAt;
    for (const stream of this.urlStreams) this.confirmed.add(stream);
    this.events.onOpen(this);
    this.pump();
  }

  private handleMessage(data: RawData, isBinary: boolean): void {
    this.counters.messages++;
    this.lastMessageAt = performance.now();
    // ws hands text frames over as one Buffer (binaryType 'nodebuffer'); the other shapes are for completeness.
    const frame = Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data);
    if (isBinary || startsWithStream(frame) || !this.handleReply(frame.toString())) {
      this.events.onFrame(frame, this.source);
    }
  }

  private handlePing(data: Buffer): void {
    this.lastMessageAt = performance.now();
    if (!this.isOpen) return;
    // A pong must go out at once, whatever the budget says; it is recorded so that the control
    // messages around it make room for it.
    this.budget.record(performance.now());
    this.counters.pongs++;
    this.ws.pong(data);
  }

  /** Handles `{"result":…,"id":n}` and `{"code":…,"msg":…,"id":n}`; false for anything else. */
  private handleReply(text: string): boolean {
    if (!text.includes('"id"')) return false;
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof reply !== 'object' || reply === null || !('id' in reply)) return false;
    const { id } = reply as { id: unknown };
    if (!('result' in reply) && !('code' in reply)) return false;
    this.counters.replies++;
    const request = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (request === undefined) return true;
    this.pending.delete(id as number);
    if ('code' in reply) {
      this.counters.errorReplies++;
      const { code, msg } = reply as { code: unknown; msg?: unknown };
      this.lastError = `${request.method} ${request.streams.length} streams: code ${String(code)} ${String(msg ?? '')}`;
    } else if (request.method === 'SUBSCRIBE') {
      for (const stream of request.streams) if (!this.toUnsubscribe.has(stream)) this.confirmed.add(stream);
    } else {
      for (const stream of request.streams) if (!this.toSubscribe.has(stream)) this.confirmed.delete(stream);
    }
    this.pump();
    return true;
  }

  /** Sends what the budget allows now and schedules itself for when the window frees a slot. */
  private pump(): void {
    if (this.closed) return;
    if (this.isOpen) {
      while (this.toUnsubscribe.size > 0 || this.toSubscribe.size > 0) {
        const now = performance.now();
        const wait = this.budget.waitMs(now);
        if (wait > 0) {
          if (this.pumpTimer === undefined) {
            this.pumpTimer = setTimeout(() => {
              this.pumpTimer = undefined;
              this.pump();
            }, wait);
          }
          return;
        }
        const method: Method = this.toUnsubscribe.size > 0 ? 'UNSUBSCRIBE' : 'SUBSCRIBE';
        this.send(method, now);
      }
    }
    if (this.isSettled && !this.wasSettled) {
      this.wasSettled = true;
      this.events.onSettled(this);
    }
  }

  private send(method: Method, now: number): void {
    const queue = method === 'SUBSCRIBE' ? this.toSubscribe : this.toUnsubscribe;
    const streams: string[] = [];
    for (const stream of queue) {
      streams.push(stream);
      if (streams.length === this.limits.maxStreamsPerMessage) break;
    }
    for (const stream of streams) queue.delete(stream);
    const id = this.nextId++;
    this.pending.set(id, { method, streams, sentAt: now });
    this.budget.record(now);
    this.counters.controlMessages++;
    this.ws.send(JSON.stringify({ method, params: streams, id }));
  }

  private handleClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.pumpTimer);
    this.events.onClose(this, code, reason);
  }
}
