import { type ErrorCode, TickwireError } from '../../errors.ts';
import { checkedRequestTimeout, closedError } from '../bus-checks.ts';
import type { BusSpec } from '../bus-spec.ts';
import { MemoryBus } from '../memory-bus.ts';
import {
  type BrokerCounters,
  type BusHealth,
  type BusOptions,
  type BusState,
  type BusStats,
  DEFAULT_BUS_PREFIX,
  DEFAULT_MAX_PENDING_PUBLISHES,
  type Handler,
  type MessageBus,
  type Payload,
  type RequestOptions,
  type Responder,
  type Unsubscribe,
} from '../message-bus.ts';
import { assertPayload } from '../payload.ts';
import { isTopic, parseTopic } from '../topic-grammar.ts';
import { isMarketDataTopic } from '../topics.ts';
import { topicMatches } from '../topic-match.ts';
import {
  decodeEnvelope,
  decodePayload,
  type Envelope,
  encodeEnvelope,
  isFromNode,
  MalformedEnvelope,
  type NodeId,
  newNodeId,
  type Role,
  ROLES,
} from './envelope.ts';
import { DUPLICATE, InboundTracker } from './inbound-tracker.ts';
import { Interest } from './interest.ts';
import { type BrokerNames, brokerNames } from './naming.ts';
import { LanedTransport } from './laned-transport.ts';
import { NatsTransport } from './nats-transport.ts';
import { PendingPublishes } from './pending-publishes.ts';
import { RedisTransport } from './redis-transport.ts';
import { type BrokerTransport, errorText, NoResponderSignal, type TransportSettings } from './transport.ts';

/** How often the round trip to the broker is measured while connected. */
export const RTT_INTERVAL_MS = 5000;
/** Upper bound for `maxPendingPublishes`: 10 million envelopes is already gigabytes. */
export const MAX_PENDING_PUBLISHES_LIMIT = 10_000_000;
/** Inbound topics remembered as valid before that cache starts over. */
const TOPIC_CACHE_LIMIT = 100_000;
/** The broker keeps a request this much longer than the bus does, so the bus's own timeout decides. */
const TRANSPORT_TIMEOUT_MARGIN_MS = 1000;

/** Error codes a remote responder's node may send back; anything else arrives as RESPONDER_FAILED. */
const REPLY_ERROR_CODES: readonly ErrorCode[] = ['RESPONDER_FAILED', 'BAD_PAYLOAD'];

export interface BrokerBusStats extends BusStats, BrokerCounters {
  /** Topics whose local handler list the inner memory bus has cached. */
  cachedTopics: number;
  /** This node's own publishes that came back from the broker (Redis has no "no echo"); skipped. */
  echoes: number;
  /** Distinct patterns (exact topics included) this node holds a broker subscription for. */
  brokerSubscriptions: number;
  /** Distinct responder patterns this node serves through the broker. */
  brokerResponders: number;
}

interface OutboundTopic {
  readonly subject: string;
  /** Its publishes wait here while the broker is away: one buffer per lane, so market data never pushes a fill out. */
  readonly pending: PendingPublishes;
  sequence: number;
}

interface ResponderEntry {
  readonly pattern: string;
  readonly responder: Responder;
}

interface RemoteRequest {
  settle(outcome: Error | { reply: Payload }): void;
}

/**
 * The MessageBus over a broker (Redis pub/sub or NATS core). On top of the contract:
 *
 * - Local first: `publish` hands the message to this node's handlers at once, through an inner
 *   MemoryBus (so everything the memory bus promises holds for local traffic, broker up or down),
 *   and sends it to the broker; its own copy coming back is skipped by origin.
 * - Interest: a pattern is subscribed on the broker while at least one local handler wants it, so a
 *   node receives only the topics its consumers asked for (a superset on Redis for wildcards).
 * - Every remote message carries its origin and a per-(origin, topic) sequence: repeats (one
 *   message through two overlapping broker subscriptions) are skipped, jumps are counted as gaps
 *   and reported to `onGap`.
 * - While the broker is unreachable, publishes wait in a bounded buffer (oldest dropped first),
 *   subscriptions wait, and everything is restored on (re)connect; construction never waits for
 *   or fails on the broker.
 * - Remote messages reach local handlers in the order their publisher sent them per topic.
 * - Requests go to a local responder when one matches, otherwise over the broker; see the transports.
 */
export class BrokerBus implements MessageBus {
  readonly nodeId: NodeId;
  private readonly inner: MemoryBus;
  private readonly transport: BrokerTransport;
  private readonly names: BrokerNames;
  /** Publishes waiting for the broker, per lane (everything but market data; market data). */
  private readonly pending: PendingPublishes;
  private readonly pendingMarketData: PendingPublishes;
  private readonly tracker = new InboundTracker();
  private readonly dataInterest = new Interest();
  private readonly rpcInterest = new Interest();
  private readonly responders = new Map<number, ResponderEntry>();
  private readonly outbound = new Map<string, OutboundTopic>();
  private readonly validInbound = new Set<string>();
  private readonly remoteRequests = new Set<RemoteRequest>();
  private readonly connectionWaiters = new Set<() => void>();
  private readonly onHandlerError: BusOptions['onHandlerError'];
  private readonly onGap: BusOptions['onGap'];
  private readonly rewriteInbound: BusOptions['rewriteInbound'];
  private readonly rttTimer: NodeJS.Timeout;

  private state: BusState = 'connecting';
  private everConnected = false;
  private closed = false;
  private lastError: string | undefined;
  private rttMs: number | undefined;
  private nextResponderId = 0;
  private lastRequestId = 0;
  // The last request handled, to decline the copies Redis delivers through overlapping subscriptions.
  private lastRequestLow = -1;
  private lastRequestHigh = -1;
  private lastRequestSequence = -1;

  private published = 0;
  private ownHandlerErrors = 0;
  private reconnects = 0;
  private messagesIn = 0;
  private messagesOut = 0;
  private droppedPublishes = 0;
  private malformed = 0;
  private duplicates = 0;
  private gaps = 0;
  private missed = 0;
  private echoes = 0;

  constructor(spec: Exclude<BusSpec, { kind: 'memory' }>, options: BusOptions = {}) {
    const settled = {
      prefix: DEFAULT_BUS_PREFIX,
      maxPendingPublishes: DEFAULT_MAX_PENDING_PUBLISHES,
      ...options,
    };
    checkOptions(settled);
    this.names = brokerNames(settled.prefix);
    this.pending = new PendingPublishes(settled.maxPendingPublishes);
    this.pendingMarketData = new PendingPublishes(settled.maxPendingPublishes);
    this.onHandlerError = options.onHandlerError;
    this.onGap = options.onGap;
    this.rewriteInbound = options.rewriteInbound;
    this.inner = new MemoryBus({ onHandlerError: options.onHandlerError });
    this.nodeId = newNodeId();
    const lane = (name: TransportSettings['lane'], data: string): BrokerTransport => {
      const settings: TransportSettings = {
        url: spec.url,
        displayUrl: spec.displayUrl,
        names: { ...this.names, data },
        nodeHex: this.nodeId.hex,
        lane: name,
      };
      return spec.kind === 'redis' ? new RedisTransport(settings) : new NatsTransport(settings);
    };
    this.transport = new LanedTransport(
      lane('priority', this.names.data),
      lane('market-data', this.names.marketData),
    );
    this.rttTimer = setInterval(() => this.measureRtt(), RTT_INTERVAL_MS);
    this.rttTimer.unref();
    this.transport.start({
      onConnected: () => this.onConnected(),
      onDisconnected: (reason) => this.onDisconnected(reason),
      onError: (message) => this.onError(message),
      onMessage: (topic, data) => this.onMessage(topic, data),
      onRequest: (topic, data, reply) => this.onRequest(topic, data, reply),
    });
  }

  publish(topic: string, payload: Payload): void {
    if (this.closed) throw closedError('publish');
    let outbound = this.outbound.get(topic);
    if (outbound === undefined) {
      parseTopic(topic);
      // Never cleared: a sequence that restarted would look like old copies to every receiver.
      // One small entry per topic this node ever published; topic names are finite (topics.ts).
      outbound = {
        subject: this.transport.subjectOf(topic),
        pending: isMarketDataTopic(topic) ? this.pendingMarketData : this.pending,
        sequence: 0,
      };
      this.outbound.set(topic, outbound);
    }
    assertPayload(payload, topic);
    const sequence = (outbound.sequence + 1) >>> 0;
    const envelope = encodeEnvelope(ROLES.data, payload, this.nodeId, sequence, topic);
    outbound.sequence = sequence;
    this.published++;
    // To the broker first: a handler that publishes on the same topic from inside the local
    // delivery below must reach remote nodes after this message, as it does locally.
    this.send(outbound, envelope);
    this.inner.publish(topic, payload);
  }

  subscribe(pattern: string, handler: Handler): Unsubscribe {
    if (this.closed) throw closedError('subscribe');
    const off = this.inner.subscribe(pattern, handler);
    if (this.dataInterest.acquire(pattern)) {
      this.tracker.forget((topic) => this.transport.covers(pattern, topic));
      this.transport.subscribe(pattern);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      off();
      if (!this.closed && this.dataInterest.release(pattern)) this.transport.unsubscribe(pattern);
    };
  }

  request(topic: string, payload: Payload, options: RequestOptions = {}): Promise<Payload> {
    try {
      if (this.closed) throw closedError('request');
      const timeoutMs = checkedRequestTimeout(topic, payload, options);
      if (this.hasLocalResponder(topic)) return this.inner.request(topic, payload, options);
      const envelope = encodeEnvelope(ROLES.request, payload, this.nodeId, ++this.lastRequestId, topic);
      return this.askRemote(topic, envelope, timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  respond(pattern: string, responder: Responder): Unsubscribe {
    if (this.closed) throw closedError('respond');
    const off = this.inner.respond(pattern, responder);
    const id = this.nextResponderId++;
    this.responders.set(id, { pattern, responder });
    if (this.rpcInterest.acquire(pattern)) this.transport.serve(pattern);
    return () => {
      if (!this.responders.delete(id)) return;
      off();
      if (!this.closed && this.rpcInterest.release(pattern)) this.transport.unserve(pattern);
    };
  }

  stats(): BrokerBusStats {
    const inner = this.inner.stats();
    return {
      published: this.published,
      delivered: inner.delivered,
      handlerErrors: inner.handlerErrors + this.ownHandlerErrors,
      subscriptions: inner.subscriptions,
      patterns: inner.patterns,
      responders: inner.responders,
      pendingRequests: inner.pendingRequests + this.remoteRequests.size,
      cachedTopics: inner.cachedTopics,
      ...this.brokerCounters(),
      echoes: this.echoes,
      brokerSubscriptions: this.closed ? 0 : this.dataInterest.size,
      brokerResponders: this.closed ? 0 : this.rpcInterest.size,
    };
  }

  /** What crossed the broker: the counters stats() and health() both report. */
  private brokerCounters(): BrokerCounters {
    return {
      reconnects: this.reconnects,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      pendingPublishes: this.pending.size + this.pendingMarketData.size,
      droppedPublishes: this.droppedPublishes,
      malformed: this.malformed,
      duplicates: this.duplicates,
      gaps: this.gaps,
      missed: this.missed,
    };
  }

  health(): BusHealth {
    const health: BusHealth = {
      kind: this.transport.kind,
      state: this.state,
      url: this.transport.url,
      ...this.brokerCounters(),
    };
    if (this.lastError !== undefined) health.lastError = this.lastError;
    if (this.rttMs !== undefined) health.rttMs = this.rttMs;
    return health;
  }

  /**
   * Resolves once the broker has every subscription and responder this bus made before the call
   * (one round trip), waiting for the connection first. Subscribing on a broker is asynchronous:
   * a message another node publishes right after `subscribe` returned may still miss it; after
   * `await sync()` it cannot. Rejects with BUS_CLOSED if the bus closes first.
   */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(closedError('sync'));
    return new Promise<void>((resolve, reject) => {
      const run = () => {
        if (this.closed) reject(closedError('sync (waiting when the bus closed)'));
        else this.transport.sync().then(resolve, reject);
      };
      if (this.transport.isConnected()) run();
      else this.connectionWaiters.add(run);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.state = 'closed';
    clearInterval(this.rttTimer);
    // Publishes still waiting for a broker that never came back are lost: count them.
    this.droppedPublishes += this.pending.size + this.pendingMarketData.size;
    this.pending.clear();
    this.pendingMarketData.clear();
    await this.transport.close();
    // Settled last, right before close() resolves, so a caller awaiting close() has its rejection
    // handlers in place within the same turn.
    const waiters = [...this.connectionWaiters];
    this.connectionWaiters.clear();
    for (const waiter of waiters) waiter();
    for (const request of [...this.remoteRequests]) {
      request.settle(closedError('request (pending when the bus closed)'));
    }
    await this.inner.close();
  }

  private send({ subject, pending }: OutboundTopic, envelope: Uint8Array): void {
    if (pending.size === 0 && this.transport.isConnected()) {
      this.messagesOut++;
      this.transport.publish(subject, envelope);
      return;
    }
    if (pending.push(subject, envelope)) this.droppedPublishes++;
  }

  private onConnected(): void {
    if (this.closed) return;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    this.state = 'connected';
    // Fills, orders and the rest first: they waited behind nothing before the outage either.
    for (const pending of [this.pending, this.pendingMarketData]) {
      this.messagesOut += pending.drain((subject, envelope) => this.transport.publish(subject, envelope));
    }
    for (const send of [...this.connectionWaiters]) {
      this.connectionWaiters.delete(send);
      send();
    }
    this.measureRtt();
  }

  private onDisconnected(reason: string): void {
    if (this.closed) return;
    this.state = 'degraded';
    this.lastError = reason;
  }

  private onError(message: string): void {
    if (this.closed) return;
    this.lastError = message;
    if (this.state === 'connecting') this.state = 'degraded';
  }

  /** The envelope of a message from the broker, or undefined (counted as malformed) unless it is a valid `role` message on a valid topic. */
  private inbound(topic: string, data: Uint8Array, role: Role): Envelope | undefined {
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(data);
    } catch {
      this.malformed++;
      return undefined;
    }
    if (envelope.role !== role || !this.isValidInbound(topic)) {
      this.malformed++;
      return undefined;
    }
    return envelope;
  }

  /** One data message from the broker. Never throws: a transport callback has nowhere to put it. */
  private onMessage(topic: string, data: Uint8Array): void {
    this.messagesIn++;
    if (this.closed) return;
    const envelope = this.inbound(topic, data, ROLES.data);
    if (envelope === undefined) return;
    if (isFromNode(envelope, this.nodeId)) {
      this.echoes++;
      return;
    }
    // Decoded before the sequence check, so a malformed message never counts as a repeat; the
    // cost falls on repeats, which exist only where broker subscriptions overlap.
    let payload: Payload;
    try {
      payload = decodePayload(envelope);
    } catch {
      this.malformed++;
      return;
    }
    const missed = this.tracker.accept(envelope.originLow, envelope.originHigh, topic, envelope.sequence);
    if (missed === DUPLICATE) {
      this.duplicates++;
      return;
    }
    if (missed > 0) this.reportGap(topic, missed);
    if (!this.rewritten(topic, payload)) return;
    try {
      this.inner.publish(topic, payload);
    } catch (error) {
      this.reportHandlerError(error, topic);
    }
  }

  /** One request from another node (or, on Redis, our own heard back): answer, fail or decline. */
  private onRequest(topic: string, data: Uint8Array, reply: (envelope: Uint8Array) => void): void {
    this.messagesIn++;
    if (this.closed) return;
    const envelope = this.inbound(topic, data, ROLES.request);
    if (envelope === undefined) return;
    const answer = (role: Role, payload: Payload) => {
      if (this.closed) return;
      this.messagesOut++;
      reply(encodeEnvelope(role, payload, this.nodeId, envelope.sequence, topic));
    };
    const repeat =
      envelope.originLow === this.lastRequestLow &&
      envelope.originHigh === this.lastRequestHigh &&
      envelope.sequence === this.lastRequestSequence;
    this.lastRequestLow = envelope.originLow;
    this.lastRequestHigh = envelope.originHigh;
    this.lastRequestSequence = envelope.sequence;
    const entry = repeat ? undefined : this.localResponder(topic);
    if (entry === undefined) {
      answer(ROLES.decline, null);
      return;
    }
    const fail = (error: unknown) => {
      this.reportHandlerError(error, topic);
      answer(ROLES.errorReply, {
        code: 'RESPONDER_FAILED',
        message: `responder for ${JSON.stringify(topic)} failed: ${errorText(error)}`,
      });
    };
    const payload = this.readPayload(topic, envelope);
    if (payload === undefined) {
      answer(ROLES.errorReply, {
        code: 'BAD_PAYLOAD',
        message: `request on ${JSON.stringify(topic)} could not be read by the responding node`,
      });
      return;
    }
    try {
      Promise.resolve(entry.responder(payload, topic)).then((result) => {
        try {
          assertPayload(result, topic);
          answer(ROLES.reply, result);
        } catch (error) {
          fail(error);
        }
      }, fail);
    } catch (error) {
      fail(error);
    }
  }

  private askRemote(topic: string, envelope: Uint8Array, timeoutMs: number): Promise<Payload> {
    return new Promise<Payload>((resolve, reject) => {
      let cancel: (() => void) | undefined;
      let sent = false;
      const request: RemoteRequest = {
        settle: (outcome) => {
          if (!this.remoteRequests.delete(request)) return;
          clearTimeout(timer);
          this.connectionWaiters.delete(send);
          cancel?.();
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome.reply);
        },
      };
      const timer = setTimeout(() => {
        const why = sent ? '' : `: the broker ${this.transport.url} was not reachable`;
        request.settle(
          new TickwireError(
            'REQUEST_TIMEOUT',
            `no reply to request on ${JSON.stringify(topic)} within timeoutMs ${timeoutMs}${why}`,
          ),
        );
      }, timeoutMs);
      const send = () => {
        if (this.closed) return;
        sent = true;
        this.messagesOut++;
        const call = this.transport.request(topic, envelope, timeoutMs + TRANSPORT_TIMEOUT_MARGIN_MS);
        cancel = call.cancel;
        call.reply.then(
          (bytes) => {
            this.messagesIn++;
            request.settle(this.readReply(topic, bytes));
          },
          (error: unknown) => {
            if (!this.remoteRequests.has(request)) return;
            if (error instanceof NoResponderSignal) {
              request.settle(
                new TickwireError(
                  'NO_RESPONDER',
                  `no responder for request topic ${JSON.stringify(topic)} on this node or the broker`,
                ),
              );
            } else {
              // Lost with the connection, say: the deadline above still settles it.
              this.onError(`request on ${JSON.stringify(topic)}: ${errorText(error)}`);
            }
          },
        );
      };
      this.remoteRequests.add(request);
      if (this.transport.isConnected()) send();
      else this.connectionWaiters.add(send);
    });
  }

  private readReply(topic: string, bytes: Uint8Array): Error | { reply: Payload } {
    try {
      const envelope = decodeEnvelope(bytes);
      if (envelope.role === ROLES.reply) {
        const reply = this.readPayload(topic, envelope);
        if (reply !== undefined) return { reply };
      } else if (envelope.role === ROLES.errorReply) {
        const body = decodePayload(envelope) as { code?: unknown; message?: unknown } | null;
        const code = REPLY_ERROR_CODES.find((known) => known === body?.code) ?? 'RESPONDER_FAILED';
        return new TickwireError(code, String(body?.message ?? 'the responding node sent no message'));
      } else {
        throw new MalformedEnvelope(`role ${envelope.role} in a reply`);
      }
    } catch (error) {
      if (!(error instanceof MalformedEnvelope)) throw error;
      this.malformed++;
    }
    return new TickwireError(
      'RESPONDER_FAILED',
      `the reply to request on ${JSON.stringify(topic)} could not be read`,
    );
  }

  /** The payload as this node's own value, rewritten if asked; undefined when it must be skipped. */
  private readPayload(topic: string, envelope: Envelope): Payload | undefined {
    let payload: Payload;
    try {
      payload = decodePayload(envelope);
    } catch {
      this.malformed++;
      return undefined;
    }
    return this.rewritten(topic, payload) ? payload : undefined;
  }

  /** Runs `rewriteInbound` on binary payloads; false when it threw (counted, and the message dropped). */
  private rewritten(topic: string, payload: Payload): boolean {
    if (!(payload instanceof Uint8Array) || this.rewriteInbound === undefined) return true;
    try {
      this.rewriteInbound(topic, payload);
      return true;
    } catch (error) {
      this.reportHandlerError(error, topic);
      return false;
    }
  }

  private isValidInbound(topic: string): boolean {
    if (this.validInbound.has(topic)) return true;
    if (!isTopic(topic)) return false;
    if (this.validInbound.size >= TOPIC_CACHE_LIMIT) this.validInbound.clear();
    this.validInbound.add(topic);
    return true;
  }

  private hasLocalResponder(topic: string): boolean {
    return this.localResponder(topic) !== undefined;
  }

  private localResponder(topic: string): ResponderEntry | undefined {
    for (const entry of this.responders.values()) {
      if (topicMatches(entry.pattern, topic)) return entry;
    }
    return undefined;
  }

  private reportGap(topic: string, missed: number): void {
    this.gaps++;
    this.missed += missed;
    if (this.onGap === undefined) return;
    try {
      this.onGap(topic, missed);
    } catch {
      // Counted already; a failing hook must not stop delivery.
    }
  }

  private reportHandlerError(error: unknown, topic: string): void {
    this.ownHandlerErrors++;
    if (this.onHandlerError === undefined) return;
    try {
      this.onHandlerError(error, topic);
    } catch {
      // The hook is the last place an error can go.
    }
  }

  private measureRtt(): void {
    if (this.closed || !this.transport.isConnected()) return;
    this.transport.rtt().then(
      (ms) => {
        this.rttMs = ms;
      },
      (error: unknown) => this.onError(`rtt: ${errorText(error)}`),
    );
  }
}

function checkOptions(options: BusOptions & { prefix: string; maxPendingPublishes: number }): void {
  const max = options.maxPendingPublishes;
  if (!(Number.isInteger(max) && max >= 0 && max <= MAX_PENDING_PUBLISHES_LIMIT)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `maxPendingPublishes must be a whole number from 0 to ${MAX_PENDING_PUBLISHES_LIMIT}, got ${String(max)}`,
    );
  }
  for (const hook of ['onHandlerError', 'onGap', 'rewriteInbound'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new TickwireError(
        'BAD_CONFIG',
        `bus option ${hook} must be a function, got ${typeof options[hook]}`,
      );
    }
  }
}
