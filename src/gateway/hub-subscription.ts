import type { DataFormat } from './protocol.ts';
import type { CompiledFilter } from './filter.ts';
import type { OutboundMessage } from './outbound-message.ts';

/** What the hub needs from a connection. */
export interface Subscriber {
  /** Offers a message that passed the subscription's filter; the connection decides lanes and budgets. */
  offer(message: OutboundMessage, binary: boolean): void;
}

/** One connection's subscription to one pattern, as the hub and its backlog hold it. */
export interface HubSubscription {
  readonly subscriber: Subscriber;
  readonly pattern: string;
  readonly filter: CompiledFilter | undefined;
  readonly format: DataFormat;
  /**
   * True from creation (set it in the literal: added later, it would sit outside the object, one
   * more memory load per delivery); cleared by `Hub.remove`, so that market data still in the
   * backlog is not offered to it any more.
   */
  active: boolean;
}
