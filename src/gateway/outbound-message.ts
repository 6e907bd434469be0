import type { Payload } from '../bus/index.ts';
import type { StreamPosition } from './history.ts';
import { LANE_INDEX, topicFamily } from './lanes.ts';
import { textFrame } from './ws-frame.ts';

/**
 * One bus message on its way to clients, shared by every connection that receives it. Its JSON
 * frame is serialized on first use and then reused for every client: serialized once per format,
 * never once per client. A binary tick needs no serialization at all.
 */
export class OutboundMessage {
  private frame: Buffer | undefined;
  private conflatedFrame: Buffer | undefined;
  private familyName: string | undefined;

  constructor(
    readonly topic: string,
    readonly payload: Payload,
    readonly lane: number,
    /** Stream position on a recoverable topic. */
    readonly position: StreamPosition | undefined,
    /** Turns the payload into the `data` of a JSON frame (ticks become their JSON view). */
    private readonly toData: (payload: Payload) => unknown,
    /** True when replayed from history for a reconnecting client. */
    readonly recovered = false,
  ) {}

  /**
   * A reply to a client request (subscribed, pong, error…): its frame is given, and it travels in
   * the high lane, ahead of market data, so that a pong measures the connection and not the queue.
   */
  static reply(text: string): OutboundMessage {
    const message = new OutboundMessage('', null, LANE_INDEX.high, undefined, () => null);
    message.frame = textFrame(text);
    return message;
  }

  /** The topic's family (`md`, `fills`…), computed once: counters label each conflation with it. */
  get family(): string {
    return (this.familyName ??= topicFamily(this.topic));
  }

  /** The 64-byte tick(s) when the payload is binary. */
  get tick(): Uint8Array | undefined {
    return this.payload instanceof Uint8Array ? this.payload : undefined;
  }

  /** The JSON text frame, marked `conflated` when it replaced older messages on its topic. */
  jsonFrame(conflated = false): Buffer {
    if (conflated) return (this.conflatedFrame ??= this.render(true));
    return (this.frame ??= this.render(false));
  }

  /** Bytes this message adds to a connection's queue in `format`. */
  sizeFor(binary: boolean): number {
    if (binary && this.payload instanceof Uint8Array) return this.payload.length;
    return this.jsonFrame().length;
  }

  private render(conflated: boolean): Buffer {
    const frame: Record<string, unknown> = { topic: this.topic };
    if (this.position) {
      frame.epoch = this.position.epoch;
      frame.offset = this.position.offset;
    }
    if (this.recovered) frame.recovered = true;
    if (conflated) frame.conflated = true;
    frame.data = this.toData(this.payload);
    return textFrame(JSON.stringify(frame));
  }
}
