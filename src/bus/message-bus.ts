/**
 * The message bus every Tickwire component talks through. The in-process memory bus implements it
 * today; Redis and NATS buses come later behind this same interface, so it promises only what all
 * three can keep.
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
