import { isMarketDataTopic, patternReaches } from '../topics.ts';
import type { BrokerTransport, TransportEvents, TransportRequest } from './transport.ts';

/**
 * Two lanes to one broker: market data on one transport (its own connections), everything else
 * (fills, orders, bot events, alerts, the cluster's control messages, requests) on another. A
 * connection is one TCP stream, in order: a fill published right after a burst of ticks on the
 * same connection would wait behind them in the publisher's socket, in the broker's queue for the
 * receiver, and in the receiver's socket. On a lane of its own it passes them at every hop.
 *
 * Each lane has its own subject namespace (`<prefix>.` and `<prefix>-md.`, naming.ts), so a
 * pattern that reaches both (`>`, `*.x`) is subscribed on both lanes and every message still
 * arrives once, on its own lane. The pair reports connected while both are.
 */
export class LanedTransport implements BrokerTransport {
  readonly kind: BrokerTransport['kind'];
  readonly url: string;
  private reportedConnected = false;

  constructor(
    /** Everything but market data, and requests. */
    private readonly priority: BrokerTransport,
    /** Market data. */
    private readonly marketData: BrokerTransport,
  ) {
    this.kind = priority.kind;
    this.url = priority.url;
  }

  start(events: TransportEvents): void {
    // A transport counts as connected before it says so, so the second lane up reports the pair.
    const laneEvents: TransportEvents = {
      ...events,
      onConnected: () => {
        if (this.reportedConnected || !this.isConnected()) return;
        this.reportedConnected = true;
        events.onConnected();
      },
      onDisconnected: (reason) => {
        this.reportedConnected = false;
        events.onDisconnected(reason);
      },
    };
    this.priority.start(laneEvents);
    this.marketData.start(laneEvents);
  }

  isConnected(): boolean {
    return this.priority.isConnected() && this.marketData.isConnected();
  }

  subjectOf(topic: string): string {
    return this.laneOf(topic).subjectOf(topic);
  }

  publish(subject: string, envelope: Uint8Array): void {
    (this.marketData.owns(subject) ? this.marketData : this.priority).publish(subject, envelope);
  }

  owns(subject: string): boolean {
    return this.priority.owns(subject) || this.marketData.owns(subject);
  }

  subscribe(pattern: string): void {
    const reaches = patternReaches(pattern);
    if (reaches.other) this.priority.subscribe(pattern);
    if (reaches.marketData) this.marketData.subscribe(pattern);
  }

  unsubscribe(pattern: string): void {
    const reaches = patternReaches(pattern);
    if (reaches.other) this.priority.unsubscribe(pattern);
    if (reaches.marketData) this.marketData.unsubscribe(pattern);
  }

  covers(pattern: string, topic: string): boolean {
    return this.laneOf(topic).covers(pattern, topic);
  }

  serve(pattern: string): void {
    this.priority.serve(pattern);
  }

  unserve(pattern: string): void {
    this.priority.unserve(pattern);
  }

  request(topic: string, envelope: Uint8Array, timeoutMs: number): TransportRequest {
    return this.priority.request(topic, envelope, timeoutMs);
  }

  async sync(): Promise<void> {
    await Promise.all([this.priority.sync(), this.marketData.sync()]);
  }

  rtt(): Promise<number> {
    return this.priority.rtt();
  }

  async close(): Promise<void> {
    await Promise.all([this.priority.close(), this.marketData.close()]);
  }

  private laneOf(topic: string): BrokerTransport {
    return isMarketDataTopic(topic) ? this.marketData : this.priority;
  }
}
