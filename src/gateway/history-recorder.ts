import type { MessageBus, Payload, Unsubscribe } from '../bus/index.ts';
import { topicMatches } from '../bus/index.ts';
import type { StreamPosition, TopicHistory } from './history.ts';

/**
 * Keeps the recovery history of recoverable topics whether or not anyone is subscribed right now:
 * a client that is disconnected is exactly the one that will ask for what it missed. It holds its
 * own bus subscription per recoverable pattern and appends each message once, keyed by the bus's
 * messageId, so the hub delivering the same message learns the same position.
 */
export class HistoryRecorder {
  private readonly unsubscribes: Unsubscribe[];
  private lastMessageId = -1;
  private lastPosition: StreamPosition | undefined;

  constructor(
    bus: MessageBus,
    readonly history: TopicHistory,
    readonly patterns: readonly string[],
  ) {
    this.unsubscribes = patterns.map((pattern) =>
      bus.subscribe(pattern, (payload, topic, messageId) => {
        this.positionOf(topic, payload, messageId);
      }),
    );
  }

  isRecoverable(topic: string): boolean {
    for (const pattern of this.patterns) if (topicMatches(pattern, topic)) return true;
    return false;
  }

  /** The message's stream position, appending it to the history the first time its id is seen. */
  positionOf(topic: string, payload: Payload, messageId: number): StreamPosition {
    if (messageId !== this.lastMessageId || this.lastPosition === undefined) {
      this.lastPosition = this.history.append(topic, payload);
      this.lastMessageId = messageId;
    }
    return this.lastPosition;
  }

  /** Marks messages the bus lost on a recoverable topic (see TopicHistory.skip). */
  noteGap(topic: string, missed: number): void {
    if (this.isRecoverable(topic)) this.history.skip(topic, missed);
  }

  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }
}
