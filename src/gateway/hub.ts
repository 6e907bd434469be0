import { type MessageBus, type Payload, topicMatches, type Unsubscribe } from '../bus/index.ts';
import { type SymbolRegistry, Tick, tickToJson } from '../wire/index.ts';
import { matchesJson, matchesTick } from './filter.ts';
import type { StreamPosition } from './history.ts';
import type { HistoryRecorder } from './history-recorder.ts';
import { FanoutBacklog } from './fanout-backlog.ts';
import type { HubSubscription, Subscriber } from './hub-subscription.ts';
import { LANE_INDEX, laneOf } from './lanes.ts';
import { OutboundMessage } from './outbound-message.ts';
import { TickFields } from './tick-fields.ts';

export interface HubOptions {
  bus: MessageBus;
  registry: SymbolRegistry;
  recorder: HistoryRecorder;
  /** Market data arrived in the backlog: the scheduler is to offer it (FanoutScheduler.backlogged). */
  onBacklog(): void;
  /** A waiting market-data message was replaced by this newer one on its topic: the node is overloaded. */
  onConflated(message: OutboundMessage): void;
  /** The set of distinct patterns changed (engines computing on demand are told, docs/ENGINES.md). */
  onPatternsChanged?(): void;
}

interface PatternEntry {
  /** Replaced, never mutated, on (un)subscribe: the backlog keeps the array a message arrived with. */
  subscriptions: readonly HubSubscription[];
  readonly unsubscribe: Unsubscribe;
}

/** Offers made between two looks at the clock. */
const OFFERS_PER_CLOCK_CHECK = 64;

/**
 * Connects connections to the bus. The hub holds ONE bus subscription per distinct pattern that
 * some connection wants (reference-counted: the last connection leaving a pattern unsubscribes
 * it), so the bus sees thousands of patterns, not one per connection. For each bus message it
 * builds one OutboundMessage (with its recovery position, if its topic is recoverable) and offers
 * it to every subscription whose filter passes: at once for the critical and high lanes (fills,
 * orders, alerts), and for market data through the backlog, in the scheduler's slices
 * (fanout-scheduler.ts), so that its publisher is never held for the fan-out.
 */
export class Hub {
  private readonly patterns = new Map<string, PatternEntry>();
  private readonly backlog: FanoutBacklog;
  private readonly tick = new Tick();
  private readonly fields: TickFields;
  /** The tick `fields` is wrapped on. */
  private fieldsOf: Uint8Array | undefined;
  // The bus hands one message to every matching pattern in turn, under one messageId: remember
  // the OutboundMessage built for it, so that serialization happens once per message.
  private lastMessageId = -1;
  private lastMessage: OutboundMessage | undefined;
  delivered = 0;
  filteredOut = 0;

  constructor(private readonly options: HubOptions) {
    this.fields = new TickFields(options.registry);
    this.backlog = new FanoutBacklog(options.onConflated);
  }

  add(subscription: HubSubscription): void {
    const existing = this.patterns.get(subscription.pattern);
    if (existing) {
      existing.subscriptions = [...existing.subscriptions, subscription];
      return;
    }
    const entry: PatternEntry = {
      subscriptions: [subscription],
      unsubscribe: this.options.bus.subscribe(subscription.pattern, (payload, topic, messageId) =>
        this.deliver(entry.subscriptions, payload, topic, messageId),
      ),
    };
    this.patterns.set(subscription.pattern, entry);
    this.options.onPatternsChanged?.();
  }

  remove(subscription: HubSubscription): void {
    const entry = this.patterns.get(subscription.pattern);
    if (!entry || !entry.subscriptions.includes(subscription)) return;
    subscription.active = false;
    entry.subscriptions = entry.subscriptions.filter((other) => other !== subscription);
    if (entry.subscriptions.length === 0) {
      entry.unsubscribe();
      this.patterns.delete(subscription.pattern);
      this.options.onPatternsChanged?.();
    }
  }

  /** The distinct patterns some connection subscribes to. */
  patternNames(): IterableIterator<string> {
    return this.patterns.keys();
  }

  /** Market-data messages (one per message and pattern) waiting for their offers. */
  get backlogLength(): number {
    return this.backlog.length;
  }

  /** A mark after the market data waiting now (FanoutScheduler's offer phase). */
  mark(): number {
    return this.backlog.mark();
  }

  /**
   * Offers the waiting market data before `mark` to its subscriptions until `deadline`
   * (performance.now()); returns true once none before the mark is left.
   */
  offerUntil(mark: number, deadline: number): boolean {
    let offered = 0;
    for (let entry = this.backlog.peek(mark); entry !== undefined; entry = this.backlog.peek(mark)) {
      const message = entry.pending.message;
      const tick = message.tick;
      const subscriptions = entry.subscriptions;
      for (let i = entry.next; i < subscriptions.length; i++) {
        const subscription = subscriptions[i]!;
        if (subscription.active !== true) continue;
        if (!this.passes(subscription, message)) {
          this.filteredOut++;
          continue;
        }
        subscription.subscriber.offer(message, subscription.format === 'binary' && tick !== undefined);
        this.delivered++;
        if (++offered % OFFERS_PER_CLOCK_CHECK === 0 && performance.now() >= deadline) {
          entry.next = i + 1;
          return false;
        }
      }
      this.backlog.shift();
    }
    return true;
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
    if (message.lane > LANE_INDEX.high) {
      if (this.backlog.push(message, subscriptions, messageId)) this.options.onBacklog();
      return;
    }
    const tick = message.tick;
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
    const tick = message.tick;
    if (tick === undefined) return matchesJson(filter, message.payload);
    // Wrapped only for a filter, once per message: a view per tick is garbage most messages never need.
    if (this.fieldsOf !== tick) {
      this.fields.wrap(tick);
      this.fieldsOf = tick;
    }
    return matchesTick(filter, this.fields);
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
