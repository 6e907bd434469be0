import { TickwireError } from '../errors.ts';
import {
  type BusHealth,
  type BusOptions,
  type BusStats,
  type Handler,
  type MessageBus,
  type Payload,
  type RequestOptions,
  type Responder,
  type Unsubscribe,
} from './message-bus.ts';
import { checkedRequestTimeout, closedError } from './bus-checks.ts';
import { PatternTrie } from './pattern-trie.ts';
import { assertPayload } from './payload.ts';
import { hasWildcard, parsePattern, parseTopic } from './topic-grammar.ts';
import { topicMatches } from './topic-match.ts';

/** Resolved handler lists kept before the cache is cleared; bounds memory when topics churn. */
export const RESOLVED_CACHE_LIMIT = 100_000;

interface Subscription {
  /** Creation order; a resolved list is sorted by it so delivery follows subscription order. */
  readonly id: number;
  readonly pattern: string;
  readonly handler: Handler;
  /** Cleared by unsubscribe; checked before every call so no handler runs after its unsubscribe returned. */
  active: boolean;
}

interface ResponderEntry {
  readonly id: number;
  readonly pattern: string;
  readonly responder: Responder;
}

export interface MemoryBusStats extends BusStats {
  /** Topics whose resolved handler list is cached. */
  cachedTopics: number;
}

/**
 * The in-process bus, and the default. On top of the MessageBus contract it adds:
 *
 * - Synchronous delivery: every matching handler has run when `publish` returns.
 * - No copies: every subscriber receives the very object that was published.
 * - Delivery follows subscription order (exact and pattern subscriptions interleaved by when they
 *   were made).
 * - Unsubscribe during delivery: a message goes to the subscriptions that existed when its
 *   delivery started, minus any unsubscribed before their turn came. A handler is never called
 *   after its unsubscribe returned; a subscription made during delivery gets the next message.
 * - Publishing from inside a handler: the message is queued and delivered right after the current
 *   one, before the outermost `publish` returns. Delivering it depth-first instead would hand it
 *   to later subscribers before the message they are still waiting for, breaking per-publisher
 *   order.
 *
 * Lookup: exact subscriptions live in a Map by topic, wildcard patterns in a segment trie. The
 * merged, ordered handler list per published topic is cached and dropped on any change that could
 * affect it (one entry for an exact subscription, the whole cache for a pattern), so a
 * steady-state publish is one Map lookup and a loop over an array. The topic is validated only on
 * a cache miss: an entry exists only for a topic that passed validation.
 */
export class MemoryBus implements MessageBus {
  private readonly exact = new Map<string, Subscription[]>();
  private patterns = new PatternTrie<Subscription>();
  private readonly resolved = new Map<string, readonly Subscription[]>();
  private readonly responders = new Map<number, ResponderEntry>();
  private readonly pending = new Set<PendingRequest>();
  private readonly onHandlerError: ((error: unknown, topic: string) => void) | undefined;

  private nextId = 0;
  private subscriptionCount = 0;
  private closed = false;
  private published = 0;
  private delivered = 0;
  private handlerErrors = 0;
  private lastMessageId = 0;

  // Publishes made from inside a handler wait here (see the class comment).
  private delivering = false;
  private readonly queuedTopics: string[] = [];
  private readonly queuedPayloads: Payload[] = [];

  /** Reads only `onHandlerError`: the broker options (prefix, buffering, gaps, rewrite) mean nothing here. */
  constructor(options: BusOptions = {}) {
    this.onHandlerError = options.onHandlerError;
  }

  publish(topic: string, payload: Payload): void {
    if (this.closed) throw closedError('publish');
    const list = this.resolved.get(topic) ?? this.resolve(topic);
    assertPayload(payload, topic);
    this.published++;
    if (this.delivering) {
      this.queuedTopics.push(topic);
      this.queuedPayloads.push(payload);
      return;
    }
    this.delivering = true;
    try {
      this.deliver(list, topic, payload);
      for (let i = 0; i < this.queuedTopics.length && !this.closed; i++) {
        // Looked up again: a queued message goes to the subscriptions as they are when its turn comes.
        const queuedTopic = this.queuedTopics[i]!;
        const queuedList = this.resolved.get(queuedTopic) ?? this.resolve(queuedTopic);
        this.deliver(queuedList, queuedTopic, this.queuedPayloads[i]!);
      }
    } finally {
      if (this.queuedTopics.length !== 0) {
        this.queuedTopics.length = 0;
        this.queuedPayloads.length = 0;
      }
      this.delivering = false;
    }
  }

  subscribe(pattern: string, handler: Handler): Unsubscribe {
    if (this.closed) throw closedError('subscribe');
    parsePattern(pattern);
    if (typeof handler !== 'function') {
      throw new TickwireError('BAD_CONFIG', `handler for ${JSON.stringify(pattern)} must be a function`);
    }
    const subscription: Subscription = { id: this.nextId++, pattern, handler, active: true };
    if (hasWildcard(pattern)) {
      this.patterns.add(pattern, subscription);
      this.resolved.clear();
    } else {
      let list = this.exact.get(pattern);
      if (list === undefined) {
        list = [];
        this.exact.set(pattern, list);
      }
      list.push(subscription);
      this.resolved.delete(pattern);
    }
    this.subscriptionCount++;
    return () => this.unsubscribe(subscription);
  }

  request(topic: string, payload: Payload, options: RequestOptions = {}): Promise<Payload> {
    try {
      if (this.closed) throw closedError('request');
      const timeoutMs = checkedRequestTimeout(topic, payload, options);
      const entry = this.responderFor(topic);
      if (entry === undefined) {
        throw new TickwireError('NO_RESPONDER', `no responder for request topic ${JSON.stringify(topic)}`);
      }
      return this.ask(entry, topic, payload, timeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  respond(pattern: string, responder: Responder): Unsubscribe {
    if (this.closed) throw closedError('respond');
    parsePattern(pattern);
    if (typeof responder !== 'function') {
      throw new TickwireError('BAD_CONFIG', `responder for ${JSON.stringify(pattern)} must be a function`);
    }
    const entry: ResponderEntry = { id: this.nextId++, pattern, responder };
    this.responders.set(entry.id, entry);
    return () => {
      this.responders.delete(entry.id);
    };
  }

  stats(): MemoryBusStats {
    return {
      published: this.published,
      delivered: this.delivered,
      handlerErrors: this.handlerErrors,
      subscriptions: this.subscriptionCount,
      patterns: this.patterns.size,
      responders: this.responders.size,
      pendingRequests: this.pending.size,
      cachedTopics: this.resolved.size,
    };
  }

  /** No broker: always 'connected' until closed, nothing in or out. */
  health(): BusHealth {
    return {
      kind: 'memory',
      state: this.closed ? 'closed' : 'connected',
      reconnects: 0,
      messagesIn: 0,
      messagesOut: 0,
      pendingPublishes: 0,
      droppedPublishes: 0,
      malformed: 0,
      duplicates: 0,
      gaps: 0,
      missed: 0,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.exact.clear();
    this.patterns = new PatternTrie();
    this.resolved.clear();
    this.subscriptionCount = 0;
    this.responders.clear();
    for (const request of [...this.pending])
      request.settle(closedError('request (pending when the bus closed)'));
  }

  private deliver(list: readonly Subscription[], topic: string, payload: Payload): void {
    const messageId = ++this.lastMessageId;
    for (let i = 0; i < list.length; i++) {
      const subscription = list[i]!;
      // Checked per call: an earlier handler may have unsubscribed this one or closed the bus.
      if (!subscription.active || this.closed) continue;
      this.delivered++;
      try {
        subscription.handler(payload, topic, messageId);
      } catch (error) {
        this.reportHandlerError(error, topic);
      }
    }
  }

  /** Validates `topic` and builds, caches and returns its handler list. */
  private resolve(topic: string): readonly Subscription[] {
    const segments = parseTopic(topic).split('.');
    const list: Subscription[] = [];
    this.patterns.collect(segments, list);
    const exact = this.exact.get(topic);
    if (exact !== undefined) for (const subscription of exact) list.push(subscription);
    list.sort(byId);
    if (this.resolved.size >= RESOLVED_CACHE_LIMIT) this.resolved.clear();
    this.resolved.set(topic, list);
    return list;
  }

  private unsubscribe(subscription: Subscription): void {
    if (!subscription.active) return;
    subscription.active = false;
    if (this.closed) return;
    this.subscriptionCount--;
    if (hasWildcard(subscription.pattern)) {
      this.patterns.remove(subscription.pattern, subscription);
      this.resolved.clear();
      return;
    }
    const list = this.exact.get(subscription.pattern);
    if (list !== undefined) {
      const index = list.indexOf(subscription);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.exact.delete(subscription.pattern);
    }
    this.resolved.delete(subscription.pattern);
  }

  /** The earliest registered responder whose pattern matches; one answer per request. */
  private responderFor(topic: string): ResponderEntry | undefined {
    for (const entry of this.responders.values()) {
      if (topicMatches(entry.pattern, topic)) return entry;
    }
    return undefined;
  }

  private ask(entry: ResponderEntry, topic: string, payload: Payload, timeoutMs: number): Promise<Payload> {
    return new Promise<Payload>((resolve, reject) => {
      const request: PendingRequest = {
        settle: (outcome) => {
          if (!this.pending.delete(request)) return;
          clearTimeout(timer);
          if (outcome instanceof Error) reject(outcome);
          else resolve(outcome.reply);
        },
      };
      const timer = setTimeout(() => {
        request.settle(
          new TickwireError(
            'REQUEST_TIMEOUT',
            `no reply to request on ${JSON.stringify(topic)} within timeoutMs ${timeoutMs}`,
          ),
        );
      }, timeoutMs);
      this.pending.add(request);
      const fail = (error: unknown) => {
        // A timed-out or closed request is already settled; the failure still counts.
        this.reportHandlerError(error, topic);
        request.settle(
          new TickwireError(
            'RESPONDER_FAILED',
            `responder for ${JSON.stringify(topic)} failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      };
      try {
        Promise.resolve(entry.responder(payload, topic)).then((reply) => {
          try {
            assertPayload(reply, topic);
          } catch (error) {
            fail(error);
            return;
          }
          request.settle({ reply });
        }, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  private reportHandlerError(error: unknown, topic: string): void {
    this.handlerErrors++;
    if (this.onHandlerError === undefined) return;
    try {
      this.onHandlerError(error, topic);
    } catch {
      // The hook is the last place an error can go; it must not reach the publisher.
    }
  }
}

interface PendingRequest {
  settle(outcome: Error | { reply: Payload }): void;
}

function byId(a: Subscription, b: Subscription): number {
  return a.id - b.id;
}
