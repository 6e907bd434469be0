import { type IncomingMessage, STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MessageBus, Payload } from '../bus/index.ts';
import { isTickwireError } from '../errors.ts';
import type { SymbolRegistry } from '../wire/index.ts';
import { type Authenticator, credentialFromHandshake } from './auth.ts';
import { CLOSE_CODES, CLOSE_REASONS } from './codes.ts';
import { TopicHistory } from './history.ts';
import { HistoryRecorder } from './history-recorder.ts';
import { FanoutScheduler } from './fanout-scheduler.ts';
import { Hub } from './hub.ts';
import { LANE_INDEX, LANES, type Lane } from './lanes.ts';
import { OutboundMessage } from './outbound-message.ts';
import type { Principal } from './permissions.ts';
import { presetFor } from './presets.ts';
import {
  type GatewayTraffic,
  Session,
  type SessionContext,
  type SessionEvent,
  type SessionLimits,
} from './session.ts';

export interface GatewayLimits extends SessionLimits {
  /** Connections this node accepts; more get HTTP 503. */
  maxConnections: number;
  /**
   * TCP connections from one remote address, counted from accept, so that connections still
   * sending their request head count too (a WebSocket, a pending upgrade, a REST call); the next
   * one gets HTTP 429 at once.
   */
  maxConnectionsPerAddress: number;
  /** Server WebSocket ping interval; a connection silent for idleTimeoutMs is closed (4002). */
  pingIntervalMs: number;
  idleTimeoutMs: number;
  /** Browser origins allowed to connect; empty allows any (non-browser clients send none). */
  allowedOrigins: readonly string[];
}

export interface GatewayOptions {
  bus: MessageBus;
  registry: SymbolRegistry;
  auth: Authenticator;
  limits: GatewayLimits;
  /** Topic patterns whose messages are kept for recovery. */
  recoverable: readonly string[];
  history: { maxEntries: number; maxAgeMs: number };
  /** Default true; false puts every message in one FIFO (only to measure what the lanes are worth). */
  priorityLanes?: boolean;
  /**
   * 0 (default): no per-message deflate. Above 0: clients that offer permessage-deflate get it,
   * and messages of at least this many bytes are compressed for them (per connection, so those
   * connections do not share the pre-built frames; others are unaffected).
   */
  compressionThreshold?: number;
  /** Told when the distinct patterns the connections subscribe to change (Hub). */
  onPatternsChanged?: () => void;
  /**
   * Told of each critical- or high-lane message (fills, order and bot events, alerts) as it is
   * written to a client's socket, replays excepted: where delivery latency is measured.
   */
  onDelivered?: (topic: string, payload: Payload) => void;
}

export interface ConnectionInfo {
  id: string;
  account: string | null;
  address: string;
  subscriptions: string[];
  bufferedBytes: number;
  lanes: Record<Lane, number>;
  messagesIn: number;
  messagesOut: number;
  connectedAt: string;
}

/** How long a connection refused at accept stays open for its 429 answer to reach the client. */
const REFUSED_LINGER_MS = 1_000;

/** Counters by reason; reasons are fixed codes, so metric labels stay bounded. */
export type GatewayCounters = Record<SessionEvent | 'rejected_upgrade', Record<string, number>>;

/**
 * The WebSocket gateway of one node: accepts upgrades on `/ws` and the preset paths of the shared
 * HTTP server, checks origin, limits and credentials, runs a Session per connection, and writes
 * what the connections have queued in the scheduler's bounded slices (fanout-scheduler.ts).
 */
export class Gateway {
  readonly hub: Hub;
  readonly recorder: HistoryRecorder;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<string, Session>();
  private readonly perAddress = new Map<string, number>();
  readonly scheduler: FanoutScheduler;
  private nextId = 1;
  private accepting = true;
  private server: Server | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  readonly counters: GatewayCounters = { error_reply: {}, conflated: {}, closed: {}, rejected_upgrade: {} };
  /** Connections that completed their handshake and authentication. */
  accepted = 0;
  /** Frames received and messages written, all connections (see GatewayTraffic). */
  readonly traffic: GatewayTraffic = { received: 0, sent: new Array<number>(LANES.length * 2).fill(0) };
  /** Shared by every session: one object, not one per connection (memory per connection counts). */
  private readonly sessionContext: SessionContext;

  constructor(private readonly options: GatewayOptions) {
    const history = new TopicHistory({
      maxEntries: options.history.maxEntries,
      maxAgeMs: options.history.maxAgeMs,
    });
    this.recorder = new HistoryRecorder(options.bus, history, options.recoverable);
    this.hub = new Hub({
      bus: options.bus,
      registry: options.registry,
      recorder: this.recorder,
      onBacklog: () => this.scheduler.backlogged(),
      onConflated: (message) => this.count('conflated', message.family),
      onPatternsChanged: () => this.options.onPatternsChanged?.(),
    });
    this.scheduler = new FanoutScheduler(this.hub);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: options.compressionThreshold
        ? {
            threshold: options.compressionThreshold,
            serverNoContextTakeover: true,
            clientNoContextTakeover: true,
          }
        : false,
      // Frames up to 16x the soft limit are read and answered FRAME_TOO_LARGE; beyond, ws closes 1009.
      maxPayload: options.limits.maxFrameBytes * 16,
    });
    this.sessionContext = {
      hub: this.hub,
      recorder: this.recorder,
      auth: options.auth,
      limits: options.limits,
      priorityLanes: options.priorityLanes ?? true,
      scheduleFlush: (session, urgent) => this.scheduler.request(session, urgent),
      ...(options.onDelivered
        ? { delivered: (message: OutboundMessage) => options.onDelivered!(message.topic, message.payload) }
        : {}),
      count: (event, reason) => this.count(event, reason),
      traffic: this.traffic,
      onClosed: (closed) => {
        this.sessions.delete(closed.id);
        this.scheduler.forget(closed);
      },
    };
    this.heartbeat = setInterval(() => this.checkHeartbeats(), options.limits.pingIntervalMs);
    this.heartbeat.unref();
  }

  /** Serves WebSocket upgrades of `server` (the node's one HTTP server) and limits its connections per address. */
  attach(server: Server): void {
    this.server = server;
    server.on('connection', this.onConnection);
    server.on('upgrade', this.onUpgrade);
  }

  get connectionCount(): number {
    return this.sessions.size;
  }

  /** Subscriptions of every connection now. */
  subscriptionCount(): number {
    let count = 0;
    for (const session of this.sessions.values()) count += session.subscriptions.size;
    return count;
  }

  /** The most messages queued for one connection now, all lanes (a slow reader's backlog). */
  deepestQueue(): number {
    let deepest = 0;
    for (const session of this.sessions.values()) {
      const { critical, high, normal, low } = session.queue.depths();
      deepest = Math.max(deepest, critical + high + normal + low);
    }
    return deepest;
  }

  connections(): ConnectionInfo[] {
    return [...this.sessions.values()].map((session) => ({
      id: session.id,
      account: session.principal.account,
      address: session.remoteAddress,
      subscriptions: [...session.subscriptions.keys()],
      bufferedBytes: session.bufferedBytes,
      lanes: session.queue.depths(),
      messagesIn: session.messagesIn,
      messagesOut: session.messagesOut,
      connectedAt: new Date(session.connectedAt).toISOString(),
    }));
  }

  session(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /**
   * Sends `data` on `topic` to every local connection subscribed to it (filters apply), in the
   * lane given, and returns how many connections it reached. On a recoverable topic it is kept
   * in the history like any other message.
   */
  broadcast(topic: string, data: unknown, lane: Lane): number {
    const payload = data as OutboundMessage['payload'];
    const position = this.recorder.isRecoverable(topic)
      ? this.recorder.history.append(topic, payload)
      : undefined;
    const message = new OutboundMessage(topic, payload, LANE_INDEX[lane], position, (value) => value);
    return this.hub.offerToMatching(message);
  }

  /** Stops accepting, tells every client (1001), flushes within the deadline, then cuts what is left. */
  async close(deadlineMs: number): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    this.server?.off('upgrade', this.onUpgrade);
    this.server?.off('connection', this.onConnection);
    // What the connections were promised goes out first: market data still waiting for its offers too.
    this.hub.offerUntil(this.hub.mark(), Infinity);
    const closed = [...this.sessions.values()].map((session) => {
      session.flush();
      const done = new Promise<void>((resolve) => session.onceClosed(resolve));
      session.close('GOING_AWAY');
      return done;
    });
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([Promise.all(closed), deadline]);
    for (const session of this.sessions.values()) session.terminate();
    this.recorder.close();
  }

  /**
   * Counts every TCP connection per remote address from the moment it is accepted, before it has
   * sent a byte: a client that opens thousands and never finishes a request head would otherwise
   * hold the process's file descriptors until the header timeout. Past the limit the connection
   * is answered 429 and closed without its request being read.
   */
  private readonly onConnection = (socket: Socket): void => {
    const address = socket.remoteAddress ?? 'unknown';
    const held = this.perAddress.get(address) ?? 0;
    if (held >= this.options.limits.maxConnectionsPerAddress) {
      // Not read: the HTTP parser must not see a request on a connection we are closing.
      socket.pause();
      this.refuse(
        socket,
        429,
        'TOO_MANY_CONNECTIONS_FROM_ADDRESS',
        `at most ${this.options.limits.maxConnectionsPerAddress} connections per address`,
      );
      // Paused, it would not see the client's FIN: close it once the answer had time to go out.
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    this.perAddress.set(address, held + 1);
    socket.once('close', () => this.release(address));
  };

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const preset = presetFor(path);
    if (!preset) return this.refuse(socket, 404, 'NOT_FOUND', `no WebSocket endpoint at ${path}`);
    const limits = this.options.limits;
    if (!this.accepting) return this.refuse(socket, 503, 'SHUTTING_DOWN', 'the server is shutting down');
    const origin = request.headers.origin;
    if (origin !== undefined && limits.allowedOrigins.length > 0 && !limits.allowedOrigins.includes(origin)) {
      return this.refuse(socket, 403, 'ORIGIN_NOT_ALLOWED', `origin ${origin} is not allowed`);
    }
    if (this.sessions.size >= limits.maxConnections) {
      return this.refuse(
        socket,
        503,
        'TOO_MANY_CONNECTIONS',
        `this node holds ${limits.maxConnections} connections`,
      );
    }
    const address = request.socket.remoteAddress ?? 'unknown';
    const id = `c${this.nextId++}`;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      void this.accept(id, ws, request, address, preset);
    });
  };

  private async accept(
    id: string,
    ws: WebSocket,
    request: IncomingMessage,
    address: string,
    { preset, parameter }: NonNullable<ReturnType<typeof presetFor>>,
  ): Promise<void> {
    let principal: Principal;
    try {
      principal = await this.options.auth.authenticate(credentialFromHandshake(request));
    } catch (error) {
      const reason = isTickwireError(error) ? error.code : 'AUTH_INVALID';
      this.count('closed', 'UNAUTHORIZED');
      ws.close(CLOSE_CODES.UNAUTHORIZED, `${CLOSE_REASONS.UNAUTHORIZED}: ${reason}`);
      return;
    }
    const session = new Session(id, ws, address, principal, this.sessionContext);
    this.sessions.set(id, session);
    this.accepted++;
    ws.on('message', (data, isBinary) => session.handleFrame(data as Buffer, isBinary));
    ws.on('pong', () => session.touch());
    ws.on('close', () => session.dispose());
    ws.on('error', () => session.dispose());
    session.reply(
      JSON.stringify({
        type: 'welcome',
        connection: id,
        account: principal.account,
        heartbeatMs: this.options.limits.pingIntervalMs,
        time: Date.now(),
      }),
    );
    if (preset.needsAccount && principal.account === null) {
      session.replyError(
        'FORBIDDEN',
        "this endpoint streams an account's own events: connect with a credential",
      );
      return;
    }
    const topics = preset.topics(principal, parameter);
    if (topics.length > 0) session.subscribePreset(topics);
  }

  private checkHeartbeats(): void {
    const now = performance.now();
    for (const session of this.sessions.values()) {
      if (now - session.lastSeen > this.options.limits.idleTimeoutMs) session.close('IDLE_TIMEOUT');
      else session.ping();
    }
  }

  private release(address: string): void {
    const count = (this.perAddress.get(address) ?? 1) - 1;
    if (count <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, count);
  }

  private count(event: keyof GatewayCounters, reason: string): void {
    const byReason = this.counters[event];
    byReason[reason] = (byReason[reason] ?? 0) + 1;
  }

  /** Answers an upgrade we will not accept with an HTTP error and a JSON body, then closes. */
  private refuse(socket: Duplex, status: number, code: string, message: string): void {
    this.count('rejected_upgrade', code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
}
