/**
 * The message bus every Tickwire component talks through. The in-process memory bus and the Redis
 * and NATS broker buses implement it, so it promises only what all three can keep.
 *
 * What every implementation guarantees:
 * - Delivery is at most once. A message published while nobody matching is subscribed is gone;
 *   a broker bus may also drop messages on disconnect or overload. There is no replay or
 *   acknowledgement: consumers that need gap detection use the tick sequence numbers.
 * - Per-publisher ordering: messages from one publisher (one bus instance) on one topic reach each
 *   subscriber in the order they were published. Nothing is promised across topics or publishers.
 * - A handler is called with the payload and the concrete topic it was published on (not the
 *   pattern). Handlers must not mutate the payload: other subscribers may hold the same object.
 * - A handler that throws (or a responder that fails) never throws into the publisher and never
 *   stops delivery to other handlers; it is counted in `stats().handlerErrors` and passed to the
 *   `onHandlerError` hook given at construction.
 * - Payloads are either binary ticks (a Uint8Array whose length is a positive multiple of 64,
 *   delivered as a Uint8Array) or JSON-able values (delivered as equal JSON values). Anything else
 *   is rejected with BAD_PAYLOAD. Only the top level is checked on publish; nested values must be
 *   JSON-able by type (`JsonValue`), because a broker bus serializes them.
 * - Topics and patterns follow the grammar in topic-grammar.ts; a bad one throws BAD_TOPIC.
 * - Request/reply is its own channel: `request` reaches only responders registered with `respond`
 *   (not plain subscribers), and `publish` never reaches responders. When several responders
 *   match, exactly one reply is returned (which one is implementation-defined).
 * - After `close()`, `publish`, `subscribe` and `respond` throw BUS_CLOSED and `request` rejects
 *   with it; pending requests are rejected with BUS_CLOSED and no handler is called again.
 *   `stats()` keeps working, `close()` and unsubscribing are no-ops.
 *
 * Synchronous errors: `publish`, `subscribe` and `respond` throw; `request` always returns a
 * promise and reports every error (BAD_TOPIC, BAD_PAYLOAD, NO_RESPONDER, REQUEST_TIMEOUT,
 * RESPONDER_FAILED, BUS_CLOSED) by rejecting it.
 */
export interface MessageBus {
  /** Hands `payload` to every subscription whose pattern matches `topic` (a topic without wildcards). */
  publish(topic: string, payload: Payload): void;
  /**
   * Calls `handler` for every message on a topic matching `pattern`. Subscribing the same handler
   * twice gives two independent subscriptions (and two calls per message).
   */
  subscribe(pattern: string, handler: Handler): Unsubscribe;
  /** Sends `payload` to one responder on `topic` and resolves with its reply. */
  request(topic: string, payload: Payload, options?: RequestOptions): Promise<Payload>;
  /** Answers requests on topics matching `pattern` with what `responder` returns or resolves to. */
  respond(pattern: string, responder: Responder): Unsubscribe;
  stats(): BusStats;
  /**
   * The bus's connection to its broker and what crossed it. Never throws, also after `close()`.
   * The memory bus has no broker: it reports state 'connected' (then 'closed') and zero counters.
   */
  health(): BusHealth;
  /** Stops the bus; idempotent. */
  close(): Promise<void>;
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A 64-byte tick (or several back to back) stays binary end to end; anything else is a JSON-able value. */
export type Payload = Uint8Array | JsonValue;

/**
 * Receives one message. `messageId` identifies the message as this node's bus delivers it: every
 * handler called for one published message gets the same id, and ids increase with each message.
 * A consumer with several matching subscriptions uses it to do per-message work once.
 */
export type Handler = (payload: Payload, topic: string, messageId: number) => void;

export type Responder = (payload: Payload, topic: string) => Payload | Promise<Payload>;

/** Ends a subscription or responder. Idempotent: calling it again does nothing. */
export type Unsubscribe = () => void;

export interface RequestOptions {
  /** How long to wait for the reply before rejecting with REQUEST_TIMEOUT. Default DEFAULT_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 5000;

export interface BusOptions {
  /**
   * Told about every handler or responder failure, after it has been counted. The default does
   * nothing beyond the count, so a failing handler on the hot path cannot flood the console.
   * If this hook throws, the throw is swallowed: nothing reaches the publisher.
   */
  onHandlerError?: (error: unknown, topic: string) => void;
  /**
   * Broker buses only: every broker key and subject lives under `<prefix>.`, so several Tickwire
   * deployments can share one broker. Default DEFAULT_BUS_PREFIX. Ignored by the memory bus.
   */
  prefix?: string;
  /**
   * Broker buses only: publishes kept while the broker is unreachable and sent in order on
   * (re)connect. When full, the oldest is dropped and counted in `droppedPublishes`. Default
   * DEFAULT_MAX_PENDING_PUBLISHES. Ignored by the memory bus.
   */
  maxPendingPublishes?: number;
  /**
   * Broker buses only: told when messages from another node went missing on the broker (its
   * per-topic sequence jumped): `missed` messages on `topic`. Counted in `gaps`/`missed` first;
   * a throw is swallowed. Never called by the memory bus, which cannot lose messages.
   */
  onGap?: (topic: string, missed: number) => void;
  /**
   * Broker buses only: called with every binary payload received from the broker, before local
   * delivery, on this node's own copy of the bytes, which it may rewrite in place (the platform maps
   * the symbol id inside ticks to this node's registry). A throw drops the message; it is counted
   * in `handlerErrors` and passed to `onHandlerError`. Never called by the memory bus: local
   * messages already use this node's ids.
   */
  rewriteInbound?: (topic: string, ticks: Uint8Array) => void;
}

export const DEFAULT_BUS_PREFIX = 'tickwire';
export const DEFAULT_MAX_PENDING_PUBLISHES = 10_000;

/** Bus implementations; `createBus` picks one from its spec (see bus-spec.ts). */
export const BUS_KINDS = ['memory', 'redis', 'nats'] as const;
export type BusKind = (typeof BUS_KINDS)[number];

/**
 * Where a bus stands with its broker:
 * - connecting: the first connection attempt is under way and nothing has failed yet;
 * - connected: messages flow to and from the broker (always, for the memory bus);
 * - degraded: the broker is unreachable (down at start, or the connection was lost); local
 *   delivery goes on, publishes wait in the bounded buffer, reconnection is retried forever;
 * - closed: `close()` was called.
 */
export const BUS_STATES = ['connecting', 'connected', 'degraded', 'closed'] as const;
export type BusState = (typeof BUS_STATES)[number];

/** What crossed the broker (all 0 on the memory bus): in both a broker bus's health() and stats(). */
export interface BrokerCounters {
  /** Successful connections after the first. */
  reconnects: number;
  /** Messages received from the broker, before any filtering (echoes, duplicates, malformed). */
  messagesIn: number;
  /** Messages written to the broker: publishes, requests and replies. */
  messagesOut: number;
  /** Publishes waiting for the broker right now. */
  pendingPublishes: number;
  /** Publishes dropped because the pending buffer was full (the oldest goes first). */
  droppedPublishes: number;
  /** Messages from the broker that were not a valid envelope, topic or payload; skipped. */
  malformed: number;
  /** Repeats of a message already delivered (overlapping broker subscriptions); skipped. */
  duplicates: number;
  /** Times a remote publisher's per-topic sequence jumped (messages lost on the broker). */
  gaps: number;
  /** Messages those jumps skipped over. */
  missed: number;
}

export interface BusHealth extends BrokerCounters {
  kind: BusKind;
  state: BusState;
  /** The broker URL, without credentials. */
  url?: string;
  /** The last connection or broker error seen, if any (kept after recovery, for diagnosis). */
  lastError?: string;
  /** Round trip to the broker, measured every few seconds while connected. */
  rttMs?: number;
}

export interface BusStats {
  /** Messages accepted by `publish` (valid topic and payload), whether or not anyone received them. */
  published: number;
  /** Handler calls made (one message to three subscribers counts three). */
  delivered: number;
  /** Handler throws plus responder failures. */
  handlerErrors: number;
  /** Live subscriptions, exact and pattern. */
  subscriptions: number;
  /** Of those, how many use a wildcard. */
  patterns: number;
  /** Live responders. */
  responders: number;
  /** Requests sent by this bus still waiting for a reply. */
  pendingRequests: number;
}
