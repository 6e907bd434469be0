import {
  type ConnectionOptions,
  connect,
  errors,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { isDecline } from './envelope.ts';
import { topicMatches } from '../topic-match.ts';
import {
  type BrokerTransport,
  errorText,
  NoResponderSignal,
  reconnectDelayMs,
  type TransportEvents,
  type TransportRequest,
  type TransportSettings,
} from './transport.ts';

/** How long `close` waits for the server to confirm what was sent before closing. */
const FLUSH_WAIT_MS = 1000;

/**
 * NATS core through nats.js. Topic patterns are NATS subjects already (`*` and `>` mean the
 * same), so the broker delivers exactly what is wanted.
 *
 * - The first connection is retried here, forever, with capped backoff, so a bus whose broker is
 *   down at start can still be closed at any time (nats.js's `waitOnFirstConnect` would keep its
 *   own dial loop running with no connection to close). After that nats.js reconnects by itself
 *   (`maxReconnectAttempts: -1`) and restores subscriptions itself.
 * - `noEcho`: the server does not send this connection's own publishes back to it; the bus has
 *   already delivered them locally.
 * - Responders subscribe `<prefix>-rpc.<pattern>` in one queue group per prefix, so one request
 *   reaches one responder in the whole deployment; a reply is a NATS reply. A decline (the
 *   responder was removed meanwhile) counts as "no responder", as does NATS's own no-responders
 *   status.
 */
export class NatsTransport implements BrokerTransport {
  readonly kind = 'nats';
  readonly url: string;

  private readonly settings: TransportSettings;
  private readonly dataSubscriptions = new Map<string, Subscription>();
  private readonly rpcSubscriptions = new Map<string, Subscription>();
  private readonly queueGroup: string;
  private connection: NatsConnection | undefined;
  private events: TransportEvents | undefined;
  private connected = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(settings: TransportSettings) {
    this.settings = settings;
    this.url = settings.displayUrl;
    this.queueGroup = `${settings.names.prefix}-responders`;
  }

  start(events: TransportEvents): void {
    this.events = events;
    this.dial(0);
  }

  isConnected(): boolean {
    return this.connected;
  }

  subjectOf(topic: string): string {
    return this.settings.names.data + topic;
  }

  owns(subject: string): boolean {
    return subject.startsWith(this.settings.names.data);
  }

  publish(subject: string, envelope: Uint8Array): void {
    try {
      this.connection!.publish(subject, envelope);
    } catch (error) {
      this.events?.onError(errorText(error));
    }
  }

  subscribe(pattern: string): void {
    if (this.dataSubscriptions.has(pattern)) return;
    this.dataSubscriptions.set(pattern, this.openData(pattern));
  }

  unsubscribe(pattern: string): void {
    this.closeSubscription(this.dataSubscriptions, pattern);
  }

  serve(pattern: string): void {
    if (this.rpcSubscriptions.has(pattern)) return;
    this.rpcSubscriptions.set(pattern, this.openRpc(pattern));
  }

  unserve(pattern: string): void {
    this.closeSubscription(this.rpcSubscriptions, pattern);
  }

  covers(pattern: string, topic: string): boolean {
    return topicMatches(pattern, topic);
  }

  request(topic: string, envelope: Uint8Array, timeoutMs: number): TransportRequest {
    const reply = this.connection!.request(`${this.settings.names.rpc}${topic}`, envelope, {
      timeout: timeoutMs,
    }).then(
      (message) => {
        if (isDecline(message.data)) throw new NoResponderSignal('the responder declined');
        return message.data;
      },
      (error: unknown) => {
        const noResponders =
          error instanceof errors.NoRespondersError ||
          (error instanceof errors.RequestError && error.isNoResponders());
        throw noResponders ? new NoResponderSignal('no responders') : error;
      },
    );
    return { reply, cancel: () => {} };
  }

  sync(): Promise<void> {
    return this.connection!.flush();
  }

  async rtt(): Promise<number> {
    return this.connection!.rtt();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    if (connection === undefined || connection.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      connection.flush().catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, FLUSH_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    await connection.close().catch(() => undefined);
  }

  private dial(attempt: number): void {
    if (this.closed) return;
    connect(this.connectionOptions()).then(
      (connection) => {
        if (this.closed) {
          void connection.close().catch(() => undefined);
          return;
        }
        this.attach(connection);
      },
      (error: unknown) => {
        if (this.closed) return;
        const reason = errorText(error);
        this.events?.onError(reason);
        this.events?.onDisconnected(reason);
        this.retryTimer = setTimeout(() => this.dial(attempt + 1), reconnectDelayMs(attempt));
        this.retryTimer.unref();
      },
    );
  }

  private connectionOptions(): ConnectionOptions {
    const url = new URL(this.settings.url);
    const options: ConnectionOptions = {
      servers: `${url.hostname}:${url.port || '4222'}`,
      name: `tickwire-bus-${this.settings.lane}`,
      noEcho: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      timeout: 5000,
    };
    if (url.password !== '') {
      options.user = decodeURIComponent(url.username);
      options.pass = decodeURIComponent(url.password);
    } else if (url.username !== '') {
      options.token = decodeURIComponent(url.username);
    }
    return options;
  }

  /** Takes over a fresh connection: subscribes to everything wanted and follows its status. */
  private attach(connection: NatsConnection): void {
    this.connection = connection;
    for (const pattern of this.dataSubscriptions.keys())
      this.dataSubscriptions.set(pattern, this.openData(pattern));
    for (const pattern of this.rpcSubscriptions.keys())
      this.rpcSubscriptions.set(pattern, this.openRpc(pattern));
    void this.followStatus(connection);
    void connection.closed().then((error) => {
      if (this.closed) return;
      // Reconnection gave up (it should not, with unlimited attempts): start over from scratch.
      this.connected = false;
      this.events?.onDisconnected(error instanceof Error ? error.message : 'connection closed');
      this.connection = undefined;
      this.dial(0);
    });
    // Subscriptions are written before the server sees anything else from us; the round trip
    // makes sure it has them before the bus reports connected.
    connection.flush().then(
      () => {
        if (this.closed || this.connection !== connection) return;
        this.connected = true;
        this.events?.onConnected();
      },
      (error: unknown) => this.events?.onError(errorText(error)),
    );
  }

  private async followStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (this.closed || this.connection !== connection) return;
      switch (status.type) {
        case 'disconnect':
          this.connected = false;
          this.events?.onDisconnected(`disconnected from ${status.server}`);
          break;
        case 'reconnect':
          // nats.js has re-sent our subscriptions; the round trip makes sure the server has them.
          connection.flush().then(
            () => {
              if (this.closed || this.connection !== connection || connection.isClosed()) return;
              this.connected = true;
              this.events?.onConnected();
            },
            (error: unknown) => this.events?.onError(errorText(error)),
          );
          break;
        case 'error':
          this.events?.onError(errorText(status.error));
          break;
        default:
          break;
      }
    }
  }

  /** A subscription on a connection not made yet is a placeholder; `attach` opens it for real. */
  private openData(pattern: string): Subscription {
    const connection = this.connection;
    if (connection === undefined) return PLACEHOLDER;
    const offset = this.settings.names.data.length;
    return connection.subscribe(`${this.settings.names.data}${pattern}`, {
      callback: (error, message) => {
        if (error !== null) {
          this.events?.onError(errorText(error));
          return;
        }
        this.events?.onMessage(message.subject.slice(offset), message.data);
      },
    });
  }

  private openRpc(pattern: string): Subscription {
    const connection = this.connection;
    if (connection === undefined) return PLACEHOLDER;
    const offset = this.settings.names.rpc.length;
    return connection.subscribe(`${this.settings.names.rpc}${pattern}`, {
      queue: this.queueGroup,
      callback: (error, message: Msg) => {
        if (error !== null) {
          this.events?.onError(errorText(error));
          return;
        }
        this.events?.onRequest(message.subject.slice(offset), message.data, (reply) => {
          if (!this.closed) message.respond(reply);
        });
      },
    });
  }

  private closeSubscription(subscriptions: Map<string, Subscription>, pattern: string): void {
    const subscription = subscriptions.get(pattern);
    if (subscription === undefined) return;
    subscriptions.delete(pattern);
    if (subscription !== PLACEHOLDER && !subscription.isClosed()) subscription.unsubscribe();
  }
}

/** Stands for a wanted subscription until there is a connection to make it on. */
const PLACEHOLDER = { isClosed: () => true, unsubscribe: () => {} } as unknown as Subscription;
