import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { isTickwireError } from '../errors.ts';
import { hasWildcard, type Pattern, parsePattern, topicMatches } from '../bus/index.ts';
import { FLAG, TICK_BYTES } from '../wire/index.ts';
import type { Authenticator } from './auth.ts';
import { CLOSE_CODES, CLOSE_REASONS, type CloseReason, type ReplyError } from './codes.ts';
import { type CompiledFilter, compileFilter } from './filter.ts';
import type { StreamPosition } from './history.ts';
import type { HistoryRecorder } from './history-recorder.ts';
import type { Hub } from './hub.ts';
import type { HubSubscription } from './hub-subscription.ts';
import { LANE_INDEX } from './lanes.ts';
import { OutboundMessage } from './outbound-message.ts';
import { type DrainWriter, OutboundQueue } from './outbound-queue.ts';
import { canSubscribe, type Principal } from './permissions.ts';
import {
  type AuthRequest,
  type DataFormat,
  errorReply,
  parseClientMessage,
  type RequestId,
  requestIdOf,
  type SubscribeRequest,
  type UnsubscribeRequest,
} from './protocol.ts';
import { capSendBuffer } from './send-buffer-cap.ts';
import { TokenBucket } from './token-bucket.ts';
import { headerLength, OPCODE, payloadOf, writeHeader } from './ws-frame.ts';

export interface SessionLimits {
  /** Subscriptions one connection may hold. */
  maxSubscriptions: number;
  /** Inbound frames above this are refused with FRAME_TOO_LARGE (ws closes at 16× with 1009). */
  maxFrameBytes: number;
  /** Inbound messages per second (token bucket refill) and burst (bucket size). */
  inboundRatePerSecond: number;
  inboundBurst: number;
  /** Refused messages in a row after which the connection is closed as flooding. */
  floodLimit: number;
  /** Past this many buffered bytes (socket + queue), market data is conflated per topic. */
  conflateAfterBytes: number;
  /** Past this many buffered bytes a critical or high message closes the connection (SLOW_CONSUMER). */
  maxBufferedBytes: number;
}

/** What a session shares with the gateway that owns it. */
export interface SessionContext {
  readonly hub: Hub;
  readonly recorder: HistoryRecorder;
  readonly auth: Authenticator;
  readonly limits: SessionLimits;
  /**
   * False only to measure what the lanes are worth: every message then waits in one FIFO, in
   * arrival order, with no conflation (the priority benchmark's baseline).
   */
  readonly priorityLanes: boolean;
  /**
   * Asks for flush() in a coming slice of the scheduler (fanout-scheduler.ts); `urgent` (a reply,
   * a high-lane message) puts it ahead of the connections with market data queued.
   */
  scheduleFlush(session: Session, urgent: boolean): void;
  /** Counts an event by reason, for metrics. */
  count(event: SessionEvent, reason: string): void;
  /** Messages of every connection, for metrics: frames received, and messages written by lane and format. */
  readonly traffic: GatewayTraffic;
  /** A critical- or high-lane message (not a replay, not a reply) was just written to a client. */
  delivered?(message: OutboundMessage): void;
  onClosed(session: Session): void;
}

export type SessionEvent = 'error_reply' | 'conflated' | 'closed';

/** `sent[lane * 2 + (binary ? 1 : 0)]`: one array increment per message on the write path. */
export interface GatewayTraffic {
  received: number;
  readonly sent: number[];
}

interface Subscription extends HubSubscription {
  readonly session: Session;
}

interface RecoveryReport {
  recovered: boolean;
  reason?: string;
  count: number;
  epoch: string;
  offset: number;
}

interface SubscribeResult {
  positions: Record<string, StreamPosition>;
  recovery: Record<string, RecoveryReport>;
  recovered: OutboundMessage[];
}

/**
 * One WebSocket connection: its principal, subscriptions, inbound limits and outbound priority
 * lanes. Messages reach it through offer() from the hub; they are queued by lane and written in
 * the scheduler's slices in one write per connection, highest lane first, as the
 * same shared frame bytes for every connection (no per-client serialization).
 */
export class Session implements DrainWriter {
  readonly connectedAt = Date.now();
  readonly subscriptions = new Map<string, Subscription>();
  readonly queue = new OutboundQueue();
  messagesIn = 0;
  messagesOut = 0;
  bytesOut = 0;
  lastSeen = performance.now();
  private readonly socket: Socket;
  /**
   * Per-message deflate was negotiated (opt-in, see compressionThreshold): frames then go through
   * ws.send, which compresses per connection, instead of the shared pre-built frame bytes.
   */
  private readonly deflate: boolean;
  private readonly bucket: TokenBucket;
  private refusedInARow = 0;
  private lastOffered: OutboundMessage | undefined;
  private lastBulkOffered: OutboundMessage | undefined;
  /** socketBytes as of the last flush or 'drain' (it only shrinks in between). */
  private socketBacklog = 0;
  /** The two limits offer() reads, kept here: one object fewer to load per delivery. */
  private readonly conflateAfterBytes: number;
  private readonly maxBufferedBytes: number;
  /** A flush is asked of the scheduler: asked once, not once per message, until it ran. */
  private flushRequested = false;
  private closing = false;

  constructor(
    readonly id: string,
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    public principal: Principal,
    private readonly context: SessionContext,
  ) {
    // The raw socket: shared frames are written to it directly (see flush). That is safe next to
    // ws's own writes (pongs, close) because both write whole frames; connections that negotiated
    // per-message deflate go through ws.send instead, since ws must compress and frame for them.
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    this.deflate = ws.extensions.includes('permessage-deflate');
    capSendBuffer(this.socket);
    this.conflateAfterBytes = context.limits.conflateAfterBytes;
    this.maxBufferedBytes = context.limits.maxBufferedBytes;
    this.bucket = new TokenBucket({
      ratePerSecond: context.limits.inboundRatePerSecond,
      burst: context.limits.inboundBurst,
    });
    this.socket.on('drain', () => {
      this.socketBacklog = this.socketBytes;
      if (this.queue.hasQueued()) this.requestFlush(false);
    });
  }

  private requestFlush(urgent: boolean): void {
    if (urgent) return this.context.scheduleFlush(this, true);
    if (this.flushRequested) return;
    this.flushRequested = true;
    this.context.scheduleFlush(this, false);
  }

  /** Anything from the client, pong included, proves it is alive. */
  touch(): void {
    this.lastSeen = performance.now();
  }

  ping(): void {
    if (!this.closing) this.ws.ping();
  }

  /** Calls `listener` once the connection is fully closed (at once if it already is). */
  onceClosed(listener: () => void): void {
    if (this.ws.readyState === this.ws.CLOSED) listener();
    else this.ws.once('close', listener);
  }

  /** Subscribes to a preset path's topics, as if the client had sent a subscribe without an id. */
  subscribePreset(topics: string[]): void {
    this.subscribe({ op: 'subscribe', topics, format: 'json' });
  }

  replyError(code: ReplyError, message: string): void {
    this.error(code, message);
  }

  get bufferedBytes(): number {
    return this.socketBytes + this.queue.bytes;
  }

  /** Bytes written but not yet taken by the kernel (for deflate, also what ws still compresses). */
  private get socketBytes(): number {
    return this.deflate ? this.ws.bufferedAmount : this.socket.writableLength;
  }

  /**
   * From the hub: a message that passed one of this connection's subscriptions. On the fan-out
   * path (once per delivery), so it reads fields of this object and its queue only: the socket's
   * backlog as of the last flush or drain, not the socket's own counters.
   */
  offer(message: OutboundMessage, binary: boolean): void {
    // Overlapping subscriptions (an exact topic and a pattern) offer one message twice in a row;
    // per path, since a fill may be offered between the two offers of one market-data message.
    const bulk = message.lane > LANE_INDEX.high;
    if (message === (bulk ? this.lastBulkOffered : this.lastOffered) || this.closing) return;
    if (bulk) this.lastBulkOffered = message;
    else this.lastOffered = message;
    const buffered = this.socketBacklog + this.queue.bytes;
    if (!bulk && buffered + message.sizeFor(binary) > this.maxBufferedBytes) {
      // Never dropped: the client reconnects and recovers it from the history.
      this.close('SLOW_CONSUMER');
      return;
    }
    if (!this.context.priorityLanes) {
      this.queue.push(message, binary, false, LANE_INDEX.normal);
    } else if (this.queue.push(message, binary, buffered > this.conflateAfterBytes)) {
      this.context.count('conflated', message.family);
    }
    if (this.context.priorityLanes && message.lane === LANE_INDEX.critical) {
      // A fill does not wait for a slice: it is written as soon as the code that published it
      // returns (a microtask), ahead of everything queued here, in one write with the fills
      // published in the same run.
      if (!this.criticalFlushQueued) {
        this.criticalFlushQueued = true;
        queueMicrotask(this.flushCritical);
      }
      return;
    }
    this.requestFlush(message.lane <= LANE_INDEX.high);
  }

  private criticalFlushQueued = false;
  private readonly flushCritical = (): void => {
    this.criticalFlushQueued = false;
    this.flush();
  };

  /** Sends a reply (subscribed, pong, error…) in the high lane, ahead of market data. */
  reply(text: string): void {
    if (this.closing) return;
    this.queue.push(OutboundMessage.reply(text), false, false);
    this.requestFlush(true);
  }

  /**
   * Writes what is queued: every lane when the socket keeps up; only critical and high while the
   * socket holds bytes the kernel did not take (with the send-buffer cap, send-buffer-cap.ts: as
   * soon as the client is ~64 KB behind). Market data then waits in the queue, where it is
   * conflated past conflateAfterBytes and can be overtaken by a fill, and the socket's 'drain'
   * brings it. The frames are gathered into one buffer and written at once: one syscall per
   * connection, and one object for the socket's stream instead of one per frame (fewer objects,
   * fewer and shorter garbage collections, which stop the event loop a fill may be waiting on).
   */
  flush(): void {
    this.flushRequested = false;
    if (this.closing || !this.queue.hasQueued()) return;
    const lastLane = this.socketBytes > 0 ? LANE_INDEX.high : LANE_INDEX.low;
    this.queue.drain(this, lastLane);
    this.writeTicks();
    const data = takeGathered();
    if (data !== undefined) {
      this.socket.write(data);
      this.bytesOut += data.length;
    }
    this.socketBacklog = this.socketBytes;
  }

  handleFrame(data: Buffer, isBinary: boolean): void {
    this.touch();
    this.messagesIn++;
    this.context.traffic.received++;
    if (!this.bucket.take()) {
      this.refusedInARow++;
      if (this.refusedInARow > this.context.limits.floodLimit) {
        this.close('FLOODING');
        return;
      }
      this.error(
        'RATE_LIMITED',
        `more than ${this.context.limits.inboundRatePerSecond} messages per second`,
        requestIdOf(data, isBinary, this.context.limits.maxFrameBytes),
      );
      return;
    }
    this.refusedInARow = 0;
    if (isBinary) return this.error('BINARY_NOT_ACCEPTED', 'send requests as JSON text frames');
    if (data.length > this.context.limits.maxFrameBytes) {
      return this.error(
        'FRAME_TOO_LARGE',
        `frames are limited to ${this.context.limits.maxFrameBytes} bytes`,
      );
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) return this.error(parsed.code, parsed.message, parsed.id);
    const request = parsed.request;
    switch (request.op) {
      case 'subscribe':
        return this.subscribe(request);
      case 'unsubscribe':
        return this.unsubscribe(request);
      case 'ping':
        return this.reply(JSON.stringify({ type: 'pong', ...idOf(request.id), time: Date.now() }));
      case 'auth':
        void this.authenticate(request);
        return;
    }
  }

  /**
   * Sends a close frame with the documented code, after what is queued (the replies that led here
   * among it); the hub stops offering at once.
   */
  close(reason: CloseReason): void {
    if (this.closing) return;
    this.flush();
    this.closing = true;
    this.context.count('closed', reason);
    this.dispose();
    this.ws.close(CLOSE_CODES[reason], CLOSE_REASONS[reason]);
  }

  /** The socket is gone (closed by either side): release everything. */
  dispose(): void {
    this.closing = true;
    for (const subscription of this.subscriptions.values()) this.context.hub.remove(subscription);
    this.subscriptions.clear();
    this.queue.clear();
    this.context.onClosed(this);
  }

  terminate(): void {
    this.closing = true;
    this.ws.terminate();
  }

  private subscribe(request: SubscribeRequest): void {
    const result = this.addSubscriptions(request.topics, request.filter, request.format, request.since, true);
    if ('code' in result) return this.error(result.code, result.message, request.id);
    this.reply(
      JSON.stringify({
        type: 'subscribed',
        ...idOf(request.id),
        topics: request.topics,
        format: request.format,
        ...(Object.keys(result.positions).length > 0 ? { positions: result.positions } : {}),
        ...(request.since ? { recovery: result.recovery } : {}),
      }),
    );
    // Recovered messages go after the reply and before anything live: live messages can only
    // arrive in a later event-loop turn.
    for (const message of result.recovered) this.queue.push(message, false, false);
  }

  /**
   * Subscribes on an administrator's behalf (REST): the same checks as a client's subscribe except
   * permissions, which the administrator overrides. Returns the problem, or undefined when done.
   */
  subscribeFromServer(
    topics: string[],
    filter: unknown,
    format: DataFormat,
  ): { code: ReplyError; message: string } | undefined {
    const result = this.addSubscriptions(topics, filter, format, undefined, false);
    if ('code' in result) return result;
    this.reply(
      JSON.stringify({ type: 'subscribed', topics, format, byServer: true, positions: result.positions }),
    );
    return undefined;
  }

  /** Validates a whole subscribe (all or nothing), then adds it and works out positions and recovery. */
  private addSubscriptions(
    topics: readonly string[],
    filterJson: unknown,
    format: DataFormat,
    since: Record<string, StreamPosition> | undefined,
    checkPermissions: boolean,
  ): SubscribeResult | { code: ReplyError; message: string } {
    for (const topic of topics) {
      let pattern: Pattern;
      try {
        pattern = parsePattern(topic);
      } catch (error) {
        return { code: 'BAD_TOPIC', message: errorMessage(error) };
      }
      if (checkPermissions && !canSubscribe(this.principal, pattern)) {
        return { code: 'FORBIDDEN', message: `not allowed to subscribe to ${JSON.stringify(topic)}` };
      }
    }
    const added = new Set(topics.filter((topic) => !this.subscriptions.has(topic))).size;
    const limit = this.context.limits.maxSubscriptions;
    if (this.subscriptions.size + added > limit) {
      return { code: 'TOO_MANY_SUBSCRIPTIONS', message: `at most ${limit} subscriptions per connection` };
    }
    let filter: CompiledFilter | undefined;
    if (filterJson !== undefined) {
      try {
        filter = compileFilter(filterJson);
      } catch (error) {
        return { code: 'BAD_FILTER', message: errorMessage(error) };
      }
    }
    for (const topic of Object.keys(since ?? {})) {
      if (!topics.some((pattern) => topicMatches(pattern, topic))) {
        return {
          code: 'BAD_REQUEST',
          message: `since names ${JSON.stringify(topic)}, which no requested topic matches`,
        };
      }
    }

    for (const topic of topics) {
      const previous = this.subscriptions.get(topic);
      if (previous) this.context.hub.remove(previous);
      // `active` from the start: a property added later would live outside the object, one more
      // memory load per delivery.
      const subscription: Subscription = {
        session: this,
        subscriber: this,
        pattern: topic,
        filter,
        format,
        active: true,
      };
      this.subscriptions.set(topic, subscription);
      this.context.hub.add(subscription);
    }

    const recorder = this.context.recorder;
    // Keyed by client-chosen topics: no prototype, so `__proto__` is a key like any other.
    const result: SubscribeResult = {
      positions: Object.create(null) as SubscribeResult['positions'],
      recovery: Object.create(null) as SubscribeResult['recovery'],
      recovered: [],
    };
    // Positions of the exact recoverable topics, so the client can later ask for what it missed.
    for (const topic of topics) {
      if (!hasWildcard(topic) && recorder.isRecoverable(topic)) {
        result.positions[topic] = recorder.history.position(topic);
      }
    }
    for (const [topic, position] of Object.entries(since ?? {})) {
      const recovery = recorder.history.since(topic, position);
      if (recovery.recovered) {
        for (const entry of recovery.entries) {
          result.recovered.push(
            this.context.hub.recoveredMessage(topic, entry.payload, {
              epoch: recovery.position.epoch,
              offset: entry.offset,
            }),
          );
        }
        result.recovery[topic] = { recovered: true, count: recovery.entries.length, ...recovery.position };
      } else {
        result.recovery[topic] = {
          recovered: false,
          reason: recovery.reason,
          count: 0,
          ...recovery.position,
        };
      }
    }
    return result;
  }

  private unsubscribe(request: UnsubscribeRequest): void {
    const missing = request.topics.find((topic) => !this.subscriptions.has(topic));
    if (missing !== undefined) {
      return this.error('NOT_SUBSCRIBED', `not subscribed to ${JSON.stringify(missing)}`, request.id);
    }
    for (const topic of request.topics) {
      this.context.hub.remove(this.subscriptions.get(topic)!);
      this.subscriptions.delete(topic);
    }
    this.reply(JSON.stringify({ type: 'unsubscribed', ...idOf(request.id), topics: request.topics }));
  }

  private async authenticate(request: AuthRequest): Promise<void> {
    try {
      const principal = await this.context.auth.authenticate(
        request.token !== undefined ? { token: request.token } : { apiKey: request.apiKey! },
      );
      // Subscriptions the new principal may not hold end now; the reply lists them.
      const revoked: string[] = [];
      for (const [topic, subscription] of this.subscriptions) {
        if (!canSubscribe(principal, topic as Pattern)) {
          this.context.hub.remove(subscription);
          this.subscriptions.delete(topic);
          revoked.push(topic);
        }
      }
      this.principal = principal;
      this.reply(
        JSON.stringify({
          type: 'authenticated',
          ...idOf(request.id),
          account: principal.account,
          admin: principal.admin,
          ...(revoked.length > 0 ? { unsubscribed: revoked } : {}),
        }),
      );
    } catch (error) {
      if (!isTickwireError(error)) throw error;
      this.error(error.code as ReplyError, error.message, request.id);
    }
  }

  private error(code: ReplyError, message: string, id?: RequestId): void {
    this.context.count('error_reply', code);
    this.reply(errorReply(code, message, id));
  }

  // Binary ticks drained in one flush go out together, as one binary frame of 64-byte ticks.
  private pendingTicks: Uint8Array[] = [];
  private pendingConflated: boolean[] = [];
  private pendingTickBytes = 0;

  /** The queue's writer (see flush): one message onto the socket, or into the pending binary frame. */
  write(message: OutboundMessage, binary: boolean, conflated: boolean): void {
    const tick = message.tick;
    if (binary && tick) {
      this.pendingTicks.push(tick);
      this.pendingConflated.push(conflated);
      this.pendingTickBytes += tick.length;
      this.messagesOut++;
      this.context.traffic.sent[message.lane * 2 + 1]!++;
      return;
    }
    this.writeTicks();
    const frame = message.jsonFrame(conflated);
    this.messagesOut++;
    this.context.traffic.sent[message.lane * 2]!++;
    if (this.deflate) {
      this.ws.send(payloadOf(frame), { binary: false });
      this.bytesOut += frame.length;
    } else gather(frame);
    if (message.lane <= LANE_INDEX.high && !message.recovered && message.topic !== '')
      this.context.delivered?.(message);
  }

  /** Writes the binary ticks gathered so far as one frame, keeping their order with JSON frames. */
  private writeTicks(): void {
    const count = this.pendingTicks.length;
    if (count === 0) return;
    const length = this.pendingTickBytes;
    const frame = Buffer.allocUnsafe((this.deflate ? 0 : headerLength(length)) + length);
    let offset = this.deflate ? 0 : writeHeader(frame, OPCODE.binary, length);
    for (let i = 0; i < count; i++) {
      const tick = this.pendingTicks[i]!;
      frame.set(tick, offset);
      if (this.pendingConflated[i]) markConflated(frame, offset, tick.length);
      offset += tick.length;
    }
    this.pendingTicks.length = 0;
    this.pendingConflated.length = 0;
    this.pendingTickBytes = 0;
    if (this.deflate) {
      this.ws.send(frame, { binary: true });
      this.bytesOut += frame.length;
    } else gather(frame);
  }
}

/**
 * The frames of the flush in progress, written as one buffer at its end. One flush runs at a time
 * in a process (flush is synchronous), so one array serves every connection; it is filled by
 * index and keeps its capacity (emptied by `length = 0`, V8 would regrow it at every flush).
 */
const gathered: (Buffer | undefined)[] = [];
let gatheredCount = 0;
let gatheredBytes = 0;

function gather(frame: Buffer): void {
  gathered[gatheredCount++] = frame;
  gatheredBytes += frame.length;
}

/** The frames gathered so far, as one buffer (undefined when none), and the gathering emptied. */
function takeGathered(): Buffer | undefined {
  if (gatheredCount === 0) return undefined;
  let data = gathered[0]!;
  if (gatheredCount > 1) {
    data = Buffer.allocUnsafe(gatheredBytes);
    let offset = 0;
    for (let i = 0; i < gatheredCount; i++) {
      const frame = gathered[i]!;
      gathered[i] = undefined;
      data.set(frame, offset);
      offset += frame.length;
    }
  }
  gathered[0] = undefined;
  gatheredCount = 0;
  gatheredBytes = 0;
  return data;
}

/**
 * Sets the `conflated` flag (wire flags, low byte at tick offset 2) on each tick of a payload,
 * in this client's copy only: the shared message stays as published.
 */
function markConflated(frame: Buffer, offset: number, length: number): void {
  for (let at = offset; at < offset + length; at += TICK_BYTES) frame[at + 2]! |= FLAG.conflated;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function idOf(id: RequestId | undefined): { id?: RequestId } {
  return id === undefined ? {} : { id };
}
