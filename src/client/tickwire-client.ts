import { topicMatches } from '../bus/topic-match.ts';
import { type DelayFunction, fullJitterBackoff } from '../retry/index.ts';
import type { SymbolEntry } from '../platform/views.ts';
import { Tick, TICK_BYTES } from '../wire/index.ts';
import {
  closeIsFinal,
  PERMANENT_AUTH_ERRORS,
  type ClientErrorCode,
  TickwireClientError,
} from './client-error.ts';
import type { DataOf, TopicMessage } from './messages.ts';
import { type StreamPosition, StreamPositions } from './stream-positions.ts';
import { SymbolTable, symbolsUrlOf } from './symbol-table.ts';
import { TypedEvents } from './typed-events.ts';

/** The WHATWG WebSocket as browsers, Node 22+ and the `ws` package all provide it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface TickwireClientOptions {
  /** The gateway's WebSocket endpoint, e.g. `ws://127.0.0.1:8001/ws`. */
  url: string;
  /** An API key, presented with an `auth` request on every connect. */
  apiKey?: string;
  /**
   * A JWT, or a function giving one. A function is called on every connect and again when the
   * server answers `AUTH_EXPIRED`, so a login service can hand out fresh tokens.
   */
  token?: string | (() => string | Promise<string>);
  /** The WebSocket implementation: the global one by default (browsers, Node 22+); pass `ws` on Node 20. */
  WebSocket?: WebSocketConstructor;
  /** Reconnect delays: capped exponential backoff with full jitter (default 250 ms doubling to 10 s). */
  backoff?: { baseMs?: number; capMs?: number };
  /** How long a request waits for its reply (default 10 s). */
  requestTimeoutMs?: number;
  /**
   * Where binary subscriptions read the node's symbol ids (default: `/api/v1/symbols` on the host
   * of `url`), to route each tick to the subscriptions whose topics match it.
   */
  symbolsUrl?: string;
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface ClientEvents extends Record<string, unknown> {
  /** Every change of the connection: `disconnected` says why and when the next attempt is. */
  state: { state: ConnectionState; attempt: number; code?: number; reason?: string; retryInMs?: number };
  /**
   * A recoverable topic lost messages the server can no longer replay (restart, history too
   * short, a gap): drop the local state for it and reload it (REST), then carry on with live
   * messages. `reason` is the server's (docs/PROTOCOL.md, "Reconnecting") or `gap`.
   */
  resync: { topic: string; reason: string; position: StreamPosition };
  /** An error no request is waiting for: a refused credential, a failed resubscribe, a bad frame. */
  error: TickwireClientError;
  /** A subscription handler or event listener threw. */
  handlerError: unknown;
}

export interface SubscribeOptions {
  /** A server-side filter (docs/PROTOCOL.md, "Subscription filters"). */
  filter?: string;
  /** `binary`: ticks arrive as 64-byte ticks, given to `onTicks`. */
  format?: 'json' | 'binary';
  /**
   * For `binary`: called with each tick, of this subscription's topics, of each binary frame (the
   * view is reused: copy what you keep). `client.symbolOf(tick)` names its symbol.
   */
  onTicks?: (tick: Tick) => void;
}

export interface Subscription {
  readonly topics: readonly string[];
  /** Settles when the server first accepted (or refused) this subscription. */
  readonly ready: Promise<void>;
  unsubscribe(): Promise<void>;
}

interface SubscriptionEntry {
  topics: readonly string[];
  handler: (message: TopicMessage<never>) => void;
  options: SubscribeOptions;
  settle: { resolve: () => void; reject: (error: unknown) => void; done: boolean };
}

interface Pending {
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: TickwireClientError) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * A Tickwire client: one WebSocket, reconnected forever (capped exponential backoff, full jitter)
 * until `close()`, with its subscriptions restored on every connect and recoverable topics resumed
 * from the last position delivered, so that each trading event reaches the handlers exactly once
 * and in order, or a `resync` event says it cannot. See docs/CLIENT.md.
 */
export class TickwireClient {
  readonly events: TypedEvents<ClientEvents>;
  private readonly options: TickwireClientOptions;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly delay: DelayFunction;
  private readonly positions = new StreamPositions();
  private readonly subscriptions = new Map<number, SubscriptionEntry>();
  private readonly pending = new Map<number, Pending>();
  private readonly tick = new Tick();
  private readonly symbols: SymbolTable;
  /** Whether the symbol table was read since this connection opened. */
  private symbolsFresh = false;
  private socket: WebSocketLike | undefined;
  private connectionState: ConnectionState = 'disconnected';
  private attempt = 0;
  private nextId = 1;
  private nextSubscription = 1;
  private closedByUser = false;
  private ready = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private accountName: string | null = null;

  constructor(options: TickwireClientOptions) {
    this.options = options;
    const Impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Impl === undefined) {
      throw new TypeError(
        'no WebSocket implementation: pass the `ws` package as options.WebSocket (Node 20)',
      );
    }
    this.WebSocketImpl = Impl;
    this.delay = fullJitterBackoff({
      baseMs: options.backoff?.baseMs ?? 250,
      capMs: options.backoff?.capMs ?? 10_000,
    });
    this.events = new TypedEvents((error) => this.events.emit('handlerError', error));
    this.symbols = new SymbolTable(options.symbolsUrl ?? symbolsUrlOf(options.url), this.symbolsFailed);
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** The account the connection belongs to once connected (null: anonymous). */
  get account(): string | null {
    return this.accountName;
  }

  /** Opens the connection (and keeps it open until `close()`); resolves once it is first ready. */
  connect(): Promise<void> {
    this.closedByUser = false;
    if (this.socket === undefined && this.reconnectTimer === undefined) this.open();
    return this.whenReady();
  }

  /** Subscribes `handler` to `topics` (topics or patterns); kept across reconnects until unsubscribed. */
  subscribe<Topic extends string>(
    topics: Topic | readonly Topic[],
    handler: (message: TopicMessage<DataOf<Topic>>) => void,
    options: SubscribeOptions = {},
  ): Subscription {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    const key = this.nextSubscription++;
    let settle!: SubscriptionEntry['settle'];
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject, done: false }));
    // A refusal is also reported through the `error` event; nobody has to await `ready`.
    ready.catch(() => undefined);
    const entry: SubscriptionEntry = {
      topics: list,
      handler: handler as SubscriptionEntry['handler'],
      options,
      settle,
    };
    this.subscriptions.set(key, entry);
    if (this.ready) this.sendSubscribe(entry);
    return {
      topics: list,
      ready,
      unsubscribe: async () => {
        if (!this.subscriptions.delete(key)) return;
        // Topics another subscription still holds stay subscribed on the server.
        const still = new Set([...this.subscriptions.values()].flatMap((other) => other.topics));
        const gone = list.filter((topic) => !still.has(topic));
        for (const topic of gone) this.positions.forget(topic);
        if (gone.length > 0 && this.ready) await this.request({ op: 'unsubscribe', topics: gone });
      },
    };
  }

  /** Round trip to the server; resolves with the server's clock (ms). */
  async ping(): Promise<number> {
    const reply = await this.request({ op: 'ping' });
    return reply.time as number;
  }

  /** The symbol a binary tick names (its venue, name and scales); undefined while not known. */
  symbolOf(tick: Tick): SymbolEntry | undefined {
    return this.symbols.symbolOf(tick);
  }

  /** The last position delivered on a recoverable topic. */
  position(topic: string): StreamPosition | undefined {
    return this.positions.get(topic);
  }

  /** Closes the connection for good; pending requests fail with CLOSED. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.endConnection('CLOSED', 'the client was closed');
    this.socket?.close(1000, 'client closed');
    this.socket = undefined;
    this.setState({ state: 'closed', attempt: this.attempt });
  }

  /** The node's symbol table could not be read: binary ticks of unknown symbols reach only wildcard subscriptions. */
  private readonly symbolsFailed = (error: Error): void => {
    this.events.emit('error', new TickwireClientError('SYMBOLS_UNAVAILABLE', error.message));
  };

  /** Sends a request once the connection is ready and resolves with its reply (rejects with its error). */
  private async request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.whenReady();
    return this.send(body);
  }

  private send(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== OPEN) {
      return Promise.reject(new TickwireClientError('DISCONNECTED', 'not connected'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TickwireClientError(
            'REQUEST_TIMEOUT',
            `no reply to ${String(body.op)} within ${timeoutMs} ms`,
            id,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...body, id }));
    });
  }

  private whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    if (this.closedByUser) return Promise.reject(new TickwireClientError('CLOSED', 'the client was closed'));
    return new Promise((resolve, reject) => {
      const stop = this.events.on('state', ({ state }) => {
        if (state === 'connected') {
          stop();
          resolve();
        } else if (state === 'closed') {
          stop();
          reject(new TickwireClientError('CLOSED', 'the client was closed'));
        }
      });
    });
  }

  private open(): void {
    this.reconnectTimer = undefined;
    this.setState({ state: 'connecting', attempt: this.attempt });
    const socket = new this.WebSocketImpl(this.options.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onmessage = (event) => {
      if (this.socket === socket) this.onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.onClose(event.code, event.reason);
    };
    // A failed connect or a broken socket is followed by `close`, which decides what to do.
    socket.onerror = () => undefined;
  }

  private onFrame(data: unknown): void {
    this.lastFrameAt = Date.now();
    if (data instanceof ArrayBuffer) return this.onTicks(new Uint8Array(data));
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      this.events.emit(
        'error',
        new TickwireClientError('BAD_FRAME', 'the server sent a frame that is not JSON'),
      );
      return;
    }
    if (typeof frame.topic === 'string') return this.onData(frame);
    if (frame.type === 'welcome') {
      void this.startSession(frame);
      return;
    }
    const id = typeof frame.id === 'number' ? frame.id : undefined;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending === undefined) {
      if (frame.type === 'error') this.events.emit('error', errorOf(frame));
      return;
    }
    this.pending.delete(id!);
    clearTimeout(pending.timer);
    if (frame.type === 'error') pending.reject(errorOf(frame));
    else pending.resolve(frame);
  }

  /**
   * After the welcome: authenticate, restore every subscription (recoverable topics from their
   * positions), then report `connected`. A refused credential ends the client: retrying it cannot
   * help.
   */
  private async startSession(welcome: Record<string, unknown>): Promise<void> {
    const socket = this.socket;
    this.accountName = typeof welcome.account === 'string' ? welcome.account : null;
    try {
      await this.authenticate();
      if (this.socket !== socket) return;
      this.ready = true;
      await Promise.all([...this.subscriptions.values()].map((entry) => this.sendSubscribe(entry)));
    } catch (error) {
      if (this.socket !== socket) return;
      const clientError =
        error instanceof TickwireClientError ? error : new TickwireClientError('BAD_FRAME', String(error));
      this.events.emit('error', clientError);
      if (PERMANENT_AUTH_ERRORS.has(clientError.code) || clientError.code === 'AUTH_EXPIRED')
        return this.close();
      // Anything else (a timeout, a drop): start over on a new connection.
      this.socket?.close(4000, 'session setup failed');
      return;
    }
    if (this.socket !== socket) return;
    this.attempt = 0;
    this.startHeartbeat(typeof welcome.heartbeatMs === 'number' ? welcome.heartbeatMs : 25_000);
    this.setState({ state: 'connected', attempt: 0 });
  }

  private async authenticate(): Promise<void> {
    const { apiKey, token } = this.options;
    if (apiKey === undefined && token === undefined) return;
    let reply: Record<string, unknown>;
    if (apiKey !== undefined) {
      reply = await this.send({ op: 'auth', apiKey });
    } else {
      const fresh = async () => (typeof token === 'function' ? await token() : token);
      try {
        reply = await this.send({ op: 'auth', token: await fresh() });
      } catch (error) {
        // An expired token from a callback: ask it once more, it may hand out a new one.
        const expired = error instanceof TickwireClientError && error.code === 'AUTH_EXPIRED';
        if (!(expired && typeof token === 'function')) throw error;
        reply = await this.send({ op: 'auth', token: await fresh() });
      }
    }
    this.accountName = typeof reply.account === 'string' ? reply.account : null;
  }

  private async sendSubscribe(entry: SubscriptionEntry): Promise<void> {
    const { filter, format } = entry.options;
    const since = this.positions.since(entry.topics);
    try {
      // Ticks are routed by topic: know the node's symbols before the first one can arrive.
      if (format === 'binary' && !this.symbolsFresh) {
        await this.symbols.load().then(() => (this.symbolsFresh = true), this.symbolsFailed);
      }
      const reply = await this.send({
        op: 'subscribe',
        topics: entry.topics,
        ...(filter === undefined ? {} : { filter }),
        ...(format === undefined ? {} : { format }),
        ...(since === undefined ? {} : { since }),
      });
      this.onSubscribed(reply, since);
      if (!entry.settle.done) {
        entry.settle.done = true;
        entry.settle.resolve();
      }
    } catch (error) {
      if (error instanceof TickwireClientError && error.code === 'DISCONNECTED') return; // retried on reconnect
      if (!entry.settle.done) {
        entry.settle.done = true;
        entry.settle.reject(error);
      }
      if (error instanceof TickwireClientError) this.events.emit('error', error);
    }
  }

  /** Takes the positions of a `subscribed` reply, and announces each recovery that failed. */
  private onSubscribed(
    reply: Record<string, unknown>,
    since: Record<string, StreamPosition> | undefined,
  ): void {
    const positions = (reply.positions ?? {}) as Record<string, StreamPosition>;
    const recovery = (reply.recovery ?? {}) as Record<
      string,
      { recovered: boolean; reason?: string } & StreamPosition
    >;
    for (const [topic, position] of Object.entries(positions)) {
      if (since?.[topic] === undefined) {
        this.positions.adopt(topic, position);
        continue;
      }
      const outcome = recovery[topic];
      // Recovered: the replayed messages follow the reply and move the position themselves.
      if (outcome === undefined || outcome.recovered) continue;
      this.positions.reset(topic, position);
      this.events.emit('resync', { topic, reason: outcome.reason ?? 'not_recovered', position });
    }
  }

  private onData(frame: Record<string, unknown>): void {
    const topic = frame.topic as string;
    let position: StreamPosition | undefined;
    if (typeof frame.epoch === 'string' && typeof frame.offset === 'number') {
      position = { epoch: frame.epoch, offset: frame.offset };
      const verdict = this.positions.judge(topic, position);
      if (verdict === 'duplicate') return;
      if (verdict === 'gap') this.events.emit('resync', { topic, reason: 'gap', position });
    }
    const message: TopicMessage<never> = {
      topic,
      data: frame.data as never,
      ...(position === undefined ? {} : { position }),
      recovered: frame.recovered === true,
      conflated: frame.conflated === true,
    };
    for (const entry of this.subscriptions.values()) {
      if (!entry.topics.some((pattern) => topicMatches(pattern, topic))) continue;
      try {
        entry.handler(message);
      } catch (error) {
        this.events.emit('handlerError', error);
      }
    }
  }

  private onTicks(bytes: Uint8Array): void {
    if (bytes.length % TICK_BYTES !== 0) {
      this.events.emit(
        'error',
        new TickwireClientError('BAD_FRAME', `a binary frame of ${bytes.length} bytes`),
      );
      return;
    }
    const tick = this.tick;
    for (let offset = 0; offset < bytes.length; offset += TICK_BYTES) {
      tick.wrap(bytes, offset);
      const topic = this.symbols.topicOf(tick);
      for (const entry of this.subscriptions.values()) {
        const onTicks = entry.options.onTicks;
        if (entry.options.format !== 'binary' || onTicks === undefined) continue;
        if (!entry.topics.some((pattern) => topicMatches(pattern, topic))) continue;
        try {
          onTicks(tick);
        } catch (error) {
          this.events.emit('handlerError', error);
        }
      }
    }
  }

  private onClose(code: number, reason: string): void {
    this.socket = undefined;
    this.endConnection('DISCONNECTED', `the connection closed (${code}${reason ? ` ${reason}` : ''})`);
    if (this.closedByUser) return;
    if (closeIsFinal(code)) {
      this.events.emit(
        'error',
        new TickwireClientError('CLOSED', `the server closed the connection for good: ${code} ${reason}`),
      );
      this.close();
      return;
    }
    this.attempt++;
    const retryInMs = this.delay(this.attempt);
    this.setState({ state: 'disconnected', attempt: this.attempt, code, reason, retryInMs });
    this.reconnectTimer = setTimeout(() => this.open(), retryInMs);
  }

  /** The connection is over: requests in flight fail (the server may or may not have acted on them). */
  private endConnection(code: ClientErrorCode, message: string): void {
    this.ready = false;
    this.symbolsFresh = false;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new TickwireClientError(code, message, id));
    }
    this.pending.clear();
  }

  /**
   * Browsers do not show WebSocket pings to scripts, so a half-open connection (a dead network
   * path) shows only as silence: after a heartbeat interval without a frame the client pings, and
   * a ping without a reply closes the socket, which reconnects.
   */
  private startHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastFrameAt < intervalMs) return;
      const socket = this.socket;
      this.send({ op: 'ping' }).catch(() => {
        if (this.socket === socket) socket?.close(4000, 'no reply to ping');
      });
    }, intervalMs);
  }

  private setState(event: ClientEvents['state']): void {
    this.connectionState = event.state;
    this.events.emit('state', event);
  }
}

function errorOf(frame: Record<string, unknown>): TickwireClientError {
  const code = (typeof frame.code === 'string' ? frame.code : 'BAD_FRAME') as ClientErrorCode;
  return new TickwireClientError(
    code,
    String(frame.message ?? ''),
    typeof frame.id === 'number' ? frame.id : undefined,
  );
}
