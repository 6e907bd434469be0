import type { BrokerNames } from './naming.ts';

/**
 * What a broker bus needs from one broker client. A transport knows its broker's subject syntax
 * and connection handling; it knows nothing of handlers, envelopes (beyond telling a decline) or
 * sequence numbers, which the bus owns. Every method is safe to call while disconnected.
 */
export interface BrokerTransport {
  readonly kind: 'redis' | 'nats';
  /** The broker URL without credentials. */
  readonly url: string;
  /** Starts connecting, retrying forever with capped backoff. Never throws for a down broker. */
  start(events: TransportEvents): void;
  /** True while publishes can be written to the broker. */
  isConnected(): boolean;
  /** The broker subject or channel of data messages on `topic`. */
  subjectOf(topic: string): string;
  /** True when `subject` is one of this transport's data subjects. */
  owns(subject: string): boolean;
  /** Writes one data message to `subject` (from subjectOf); only called while connected. */
  publish(subject: string, envelope: Uint8Array): void;
  /** Makes, or drops, the broker subscription for a data pattern (exact topics included). */
  subscribe(pattern: string): void;
  unsubscribe(pattern: string): void;
  /** True when the broker subscription for `pattern` delivers messages on `topic` (maybe a superset). */
  covers(pattern: string, topic: string): boolean;
  /** Makes, or drops, the broker subscription through which requests for `pattern` reach this node. */
  serve(pattern: string): void;
  unserve(pattern: string): void;
  /**
   * Sends a request for `topic`; `reply` resolves with the first reply that is not a decline, or
   * rejects with NoResponderSignal when nobody (or only decliners) heard it. Only called while
   * connected. `cancel` frees what the transport holds for it (the bus keeps its own deadline).
   */
  request(topic: string, envelope: Uint8Array, timeoutMs: number): TransportRequest;
  /** Resolves once the broker has confirmed every (un)subscribe issued so far; only called while connected. */
  sync(): Promise<void>;
  /** Round trip to the broker in milliseconds. */
  rtt(): Promise<number>;
  /** Flushes what it can and disconnects for good; stops reconnecting. */
  close(): Promise<void>;
}

export interface TransportRequest {
  readonly reply: Promise<Uint8Array>;
  cancel(): void;
}

export interface TransportEvents {
  /** Connected, first time or again. The transport has already restored its subscriptions. */
  onConnected(): void;
  /** The connection was lost (or a connection attempt failed while not connected). */
  onDisconnected(reason: string): void;
  /** Any client or broker error, for `lastError`. */
  onError(message: string): void;
  /** A data message; `topic` is the subject with the data prefix removed (not validated yet). */
  onMessage(topic: string, data: Uint8Array): void;
  /** A request for `topic`; `reply` sends the reply envelope back to the requester. */
  onRequest(topic: string, data: Uint8Array, reply: (envelope: Uint8Array) => void): void;
}

export interface TransportSettings {
  readonly url: string;
  readonly displayUrl: string;
  /** Its namespaces: `names.data` is this transport's data namespace (see LanedTransport). */
  readonly names: BrokerNames;
  /** Which lane it carries, for its connection names: `priority` also carries requests. */
  readonly lane: 'priority' | 'market-data';
  /** This node's id in hex: the Redis reply channel is named after it. */
  readonly nodeHex: string;
}

/** Nobody answers: no subscriber heard the request, or every one that did declined it. */
export class NoResponderSignal extends Error {
  override readonly name = 'NoResponderSignal';
}

/** Reconnection delay: doubles from 50 ms up to 2 s, plus up to 20 % jitter so nodes do not retry in step. */
export function reconnectDelayMs(attempt: number): number {
  const base = Math.min(2000, 50 * 2 ** Math.min(attempt, 6));
  return Math.round(base * (1 + Math.random() * 0.2));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
