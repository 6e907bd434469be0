import { type MessageBus, type Payload, topicMatches, type Unsubscribe } from '../bus/index.ts';
import { type SymbolRegistry, Tick, tickToJson } from '../wire/index.ts';
import type { CompiledFilter } from './filter.ts';
import { matchesJson, matchesTick } from './filter.ts';
import type { StreamPosition } from './history.ts';
import type { HistoryRecorder } from './history-recorder.ts';
import { laneOf } from './lanes.ts';
import { OutboundMessage } from './outbound-message.ts';
import type { DataFormat } from './protocol.ts';
import { TickFields } from './tick-fields.ts';

/** What the hub needs from a connection. */
export interface Subscriber {
  /** Offers a message that passed the subscription's filter; the connection decides lanes and budgets. */
  offer(message: OutboundMessage, binary: boolean): void;
}

export interface HubSubscription {
  readonly subscriber: Subscriber;
  readonly pattern: string;
  readonly filter: CompiledFilter | undefined;
  readonly format: DataFormat;
}

export interface HubOptions {
  bus: MessageBus;
  registry: SymbolRegistry;
  recorder: HistoryRecorder;
}

interface PatternEntry {
  readonly subscriptions: HubSubscription[];
  readonly unsubscribe: Unsubscribe;
}

/**
 * Connects connections to the bus. The hub holds ONE bus subscription per distinct pattern that
 * some connection wants (reference-counted: the last connection leaving a pattern unsubscribes
 * it), so the bus sees thousands of patterns, not one per connection. For each bus message it
 * builds one OutboundMessage (with its recovery position, if its topic is recoverable) and offers
 * it to every subscription whose filter passes.
 */
export class Hub {
  private readonly patterns = new Map<string, PatternEntry>();
  private readonly tick = new Tick();
  private readonly fields: TickFields;
  // The bus hands one message to every matching pattern in turn, under one messageId: remember
  // the OutboundMessage built for it, so that serialization happens once per message.
  private lastMessageId = -1;
  private lastMessage: OutboundMessage | undefined;
  delivered = 0;
  filteredOut = 0;

  constructor(private readonly options: HubOptions) {
    this.fields = new TickFields(options.registry);
  }

  add(subscription: HubSubscription): void {
    const entry = this.patterns.get(subscription.pattern);
    if (entry) {
      entry.subscriptions.push(subscription);
      return;
    }
    const subscriptions = [subscription];
    const unsubscribe = this.options.bus.subscribe(subscription.pattern, (payload, topic, messageId) =>
      this.deliver(subscriptions, payload, topic, messageId),
    );
    this.patterns.set(subscription.pattern, { subscriptions, unsubscribe });
  }

  remove(subscription: HubSubscription): void {
    const entry = this.patterns.get(subscription.pattern);
    if (!entry) return;
    const index = entry.subscriptions.indexOf(subscription);
    if (index < 0) return;
    entry.subscriptions.splice(index, 1);
    if (entry.subscriptions.length === 0) {
      entry.unsubscribe();
      this.patterns.delete(subscription.pattern);
    }
  }

  /** Distinct patterns with their number of subscriptions. */
  counts(): { pattern: string; subscribers: number }[] {
    return [...this.patterns].map(([pattern, entry]) => ({
      pattern,
      subscribers: entry.subscriptions.length,
    }));
  }

  /**
   * Offers a message that did not come from the bus (a REST broadcast) to every subscription whose
   * pattern matches its topic; returns how many connections took it.
   */
  offerToMatching(message: OutboundMessage): number {
    const reached = new Set<Subscriber>();
    const tick = message.tick;
    if (tick) this.fields.wrap(tick);
    for (const [pattern, entry] of this.patterns) {
      if (!topicMatches(pattern, message.topic)) continue;
      for (const subscription of entry.subscriptions) {
        if (reached.has(subscription.subscriber) || !this.passes(subscription, message)) continue;
        subscription.subscriber.offer(message, subscription.format === 'binary' && tick !== undefined);
        reached.add(subscription.subscriber);
      }
    }
    return reached.size;
  }

  /** A message built from a stored history entry, for a reconnecting client. */
  recoveredMessage(topic: string, payload: Payload, position: StreamPosition): OutboundMessage {
    return new OutboundMessage(topic, payload, laneOf(topic, payload), position, this.toData, true);
  }

  private deliver(
    subscriptions: readonly HubSubscription[],
    payload: Payload,
    topic: string,
    messageId: number,
  ): void {
    const message = this.messageFor(payload, topic, messageId);
    const tick = message.tick;
    if (tick) this.fields.wrap(tick);
    for (let i = 0; i < subscriptions.length; i++) {
      const subscription = subscriptions[i]!;
      if (!this.passes(subscription, message)) {
        this.filteredOut++;
        continue;
      }
      subscription.subscriber.offer(message, subscription.format === 'binary' && tick !== undefined);
      this.delivered++;
    }
  }

  /** Whether the message passes the subscription's filter (with `fields` wrapped on its tick). */
  private passes(subscription: HubSubscription, message: OutboundMessage): boolean {
    const filter = subscription.filter;
    if (filter === undefined) return true;
    return message.tick ? matchesTick(filter, this.fields) : matchesJson(filter, message.payload);
  }

  private messageFor(payload: Payload, topic: string, messageId: number): OutboundMessage {
    if (messageId === this.lastMessageId && this.lastMessage) return this.lastMessage;
    const recorder = this.options.recorder;
    const position = recorder.isRecoverable(topic)
      ? recorder.positionOf(topic, payload, messageId)
      : undefined;
    const message = new OutboundMessage(topic, payload, laneOf(topic, payload), position, this.toData);
    this.lastMessageId = messageId;
    this.lastMessage = message;
    return message;
  }

  /** The `data` of a JSON frame: a tick's JSON view, or the JSON payload as it is. */
  private readonly toData = (payload: Payload): unknown =>
    payload instanceof Uint8Array ? tickToJson(this.tick.wrap(payload, 0), this.options.registry) : payload;
}
