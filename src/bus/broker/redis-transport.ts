import { Redis, type RedisOptions } from 'ioredis';
import { isDecline, originHexOf, sequenceOf } from './envelope.ts';
import { Interest } from './interest.ts';
import { redisGlob, redisGlobMatches } from './naming.ts';
import {
  type BrokerTransport,
  errorText,
  NoResponderSignal,
  reconnectDelayMs,
  type TransportEvents,
  type TransportRequest,
  type TransportSettings,
} from './transport.ts';

/** Channels or globs per SUBSCRIBE/PSUBSCRIBE command when restoring after a reconnect. */
const SUBSCRIBE_BATCH = 500;
/** How long `close` waits for QUIT, so buffered publishes leave, before cutting the connection. */
const QUIT_WAIT_MS = 1000;

interface PendingReply {
  receivers: number | undefined;
  declines: number;
  resolve(envelope: Uint8Array): void;
  reject(error: Error): void;
}

/**
 * Redis pub/sub through ioredis, on two connections: one publishes (and PINGs), one subscribes,
 * so a burst of publishes never waits behind incoming messages and the subscriber connection can
 * stay in subscriber mode.
 *
 * - Exact topics use SUBSCRIBE, patterns PSUBSCRIBE with a glob (a superset, see redisGlob). Two
 *   patterns can share a glob (`md.*` and `md.>` are both `md.*`), so globs are reference-counted
 *   here: PUNSUBSCRIBE goes out when the last pattern using it leaves.
 * - ioredis's own offline queue and resubscription are off: the bus buffers publishes itself
 *   (bounded), and this transport restores its subscriptions on every `ready`, reporting
 *   `connected` only once the broker has confirmed them.
 * - Requests: PUBLISH on `<prefix>-rpc.<topic>` returns how many subscriptions heard it; 0 is "no
 *   responder". Every hearer replies on the requester's `<prefix>-rpc-reply.<node>` channel, with
 *   a decline when it has no matching responder (its glob may be a superset); the first reply that
 *   is not a decline wins, and as many declines as hearers is "no responder" too.
 */
export class RedisTransport implements BrokerTransport {
  readonly kind = 'redis';
  readonly url: string;

  private readonly settings: TransportSettings;
  private readonly replyChannel: string;
  private readonly channels = new Interest();
  private readonly globs = new Interest();
  private readonly pendingReplies = new Map<number, PendingReply>();
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private events: TransportEvents | undefined;
  private subscribed = false;
  /** The latest command on the subscriber connection: Redis answers in order, so when it is done all are. */
  private lastSubscriberCommand: Promise<unknown> = Promise.resolve();
  private connected = false;
  private closed = false;

  constructor(settings: TransportSettings) {
    this.settings = settings;
    this.url = settings.displayUrl;
    this.replyChannel = `${settings.names.reply}${settings.nodeHex}`;
  }

  start(events: TransportEvents): void {
    this.events = events;
    const options: RedisOptions = {
      protocol: 2,
      enableOfflineQueue: false,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 5000,
      retryStrategy: (times) => (this.closed ? null : reconnectDelayMs(times)),
    };
    // Auto-pipelining: every PUBLISH of one event-loop turn leaves in one write, not one syscall each.
    const pub = new Redis(this.settings.url, {
      ...options,
      connectionName: `tickwire-bus-${this.settings.lane}-pub`,
      enableAutoPipelining: true,
    });
    const sub = new Redis(this.settings.url, {
      ...options,
      connectionName: `tickwire-bus-${this.settings.lane}-sub`,
    });
    this.pub = pub;
    this.sub = sub;
    for (const client of [pub, sub]) {
      client.on('error', (error: Error) => this.events?.onError(errorText(error)));
      client.on('close', () => {
        if (client === sub) this.subscribed = false;
        this.refresh('connection closed');
      });
    }
    pub.on('ready', () => this.refresh('publisher ready'));
    sub.on('ready', () => this.restoreSubscriptions(sub));
    sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.dispatch(channel, message));
    sub.on('pmessageBuffer', (_pattern: string, channel: Buffer, message: Buffer) =>
      this.dispatch(channel, message),
    );
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
    this.pub!.publish(subject, envelope as Buffer).catch(this.onCommandError);
  }

  subscribe(pattern: string): void {
    this.addInterest(this.settings.names.data, pattern);
  }

  unsubscribe(pattern: string): void {
    this.dropInterest(this.settings.names.data, pattern);
  }

  serve(pattern: string): void {
    this.addInterest(this.settings.names.rpc, pattern);
  }

  unserve(pattern: string): void {
    this.dropInterest(this.settings.names.rpc, pattern);
  }

  covers(pattern: string, topic: string): boolean {
    return redisGlobMatches(redisGlob(pattern), topic);
  }

  request(topic: string, envelope: Uint8Array): TransportRequest {
    const id = sequenceOf(envelope);
    let entry: PendingReply | undefined;
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      entry = { receivers: undefined, declines: 0, resolve, reject };
    });
    this.pendingReplies.set(id, entry!);
    this.pub!.publish(`${this.settings.names.rpc}${topic}`, envelope as Buffer).then(
      (receivers) => {
        entry!.receivers = receivers;
        this.settleIfAllDeclined(id, entry!);
      },
      (error: unknown) => {
        this.pendingReplies.delete(id);
        entry!.reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
    return { reply, cancel: () => this.pendingReplies.delete(id) };
  }

  async sync(): Promise<void> {
    await this.lastSubscriberCommand.catch(() => undefined);
  }

  async rtt(): Promise<number> {
    const started = performance.now();
    await this.pub!.ping();
    return performance.now() - started;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.pendingReplies.clear();
    const pub = this.pub;
    const sub = this.sub;
    if (pub !== undefined && pub.status === 'ready') {
      // QUIT is answered after every command before it, so publishes already handed over leave.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        pub.quit().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, QUIT_WAIT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    pub?.disconnect();
    sub?.disconnect();
  }

  private readonly onCommandError = (error: unknown): void => {
    this.events?.onError(errorText(error));
  };

  private refresh(reason: string): void {
    const now =
      !this.closed && this.pub?.status === 'ready' && this.sub?.status === 'ready' && this.subscribed;
    if (now === this.connected) return;
    this.connected = now;
    if (now) this.events?.onConnected();
    else this.events?.onDisconnected(reason);
  }

  /** Subscribes again to everything wanted, then reports connected once Redis has confirmed it. */
  private restoreSubscriptions(sub: Redis): void {
    // Replies to this node's requests come on the lane that sends them.
    const channels = [
      ...(this.settings.lane === 'priority' ? [this.replyChannel] : []),
      ...this.channels.keys(),
    ];
    const globs = [...this.globs.keys()];
    const commands: Promise<unknown>[] = [];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH) {
      commands.push(sub.subscribe(...channels.slice(i, i + SUBSCRIBE_BATCH)));
    }
    for (let i = 0; i < globs.length; i += SUBSCRIBE_BATCH) {
      commands.push(sub.psubscribe(...globs.slice(i, i + SUBSCRIBE_BATCH)));
    }
    const restored = Promise.all(commands);
    this.lastSubscriberCommand = restored;
    restored.then(
      () => {
        if (sub.status !== 'ready') return;
        this.subscribed = true;
        this.refresh('subscriber ready');
      },
      (error: unknown) => this.events?.onError(`restoring subscriptions: ${errorText(error)}`),
    );
  }

  private addInterest(namespace: string, pattern: string): void {
    const isGlob = pattern.includes('*') || pattern.includes('>');
    const name = namespace + (isGlob ? redisGlob(pattern) : pattern);
    const interest = isGlob ? this.globs : this.channels;
    if (!interest.acquire(name) || this.sub?.status !== 'ready') return;
    const command = isGlob ? this.sub.psubscribe(name) : this.sub.subscribe(name);
    this.lastSubscriberCommand = command;
    command.catch(this.onCommandError);
  }

  private dropInterest(namespace: string, pattern: string): void {
    const isGlob = pattern.includes('*') || pattern.includes('>');
    const name = namespace + (isGlob ? redisGlob(pattern) : pattern);
    const interest = isGlob ? this.globs : this.channels;
    if (!interest.release(name) || this.sub?.status !== 'ready') return;
    const command = isGlob ? this.sub.punsubscribe(name) : this.sub.unsubscribe(name);
    this.lastSubscriberCommand = command;
    command.catch(this.onCommandError);
  }

  /** Routes one message by namespace. Never throws: ioredis would rethrow it as uncaught. */
  private dispatch(channelBytes: Buffer, message: Buffer): void {
    try {
      const events = this.events!;
      const names = this.settings.names;
      const channel = channelBytes.toString('latin1');
      if (channel.startsWith(names.data)) {
        events.onMessage(channel.slice(names.data.length), message);
      } else if (channel === this.replyChannel) {
        this.onReply(message);
      } else if (channel.startsWith(names.rpc)) {
        events.onRequest(channel.slice(names.rpc.length), message, (reply) => this.sendReply(message, reply));
      }
    } catch (error) {
      this.events?.onError(`handling a message: ${errorText(error)}`);
    }
  }

  private sendReply(request: Uint8Array, reply: Uint8Array): void {
    const origin = originHexOf(request);
    if (origin === undefined || !this.connected) return;
    this.pub!.publish(`${this.settings.names.reply}${origin}`, reply as Buffer).catch(this.onCommandError);
  }

  private onReply(message: Uint8Array): void {
    if (message.length < 16) return;
    const id = sequenceOf(message);
    const entry = this.pendingReplies.get(id);
    if (entry === undefined) return;
    if (isDecline(message)) {
      entry.declines++;
      this.settleIfAllDeclined(id, entry);
      return;
    }
    this.pendingReplies.delete(id);
    entry.resolve(message);
  }

  private settleIfAllDeclined(id: number, entry: PendingReply): void {
    if (entry.receivers === undefined || entry.declines < entry.receivers) return;
    if (this.pendingReplies.get(id) !== entry) return;
    this.pendingReplies.delete(id);
    entry.reject(new NoResponderSignal('no subscriber answered'));
  }
}
