import { MESSAGE_TYPES, type Tick } from '../wire/index.ts';

/**
 * What a delivered message is, for the report, and how old it is: the time from the event's own
 * timestamp to its receipt. Market data carries the exchange's time in nanoseconds; trading
 * events the exchange's `eventTime` (ms, so their latencies are good to about a millisecond).
 * Bars are timed by their open, not by an event, so they are counted but not timed.
 */

const NS_PER_MS = 1e6;

/** The event type and event time (ms since the epoch) of a JSON message; no time: not timed. */
export function jsonEvent(topic: string, data: unknown): { type: string; eventMs?: number } {
  const fields = (data ?? {}) as { type?: unknown; exchangeTimeNs?: unknown; eventTime?: unknown };
  if (topic.startsWith('md.')) {
    const kind = topic.slice(3, topic.indexOf('.', 3));
    if (kind === 'bar' || typeof fields.exchangeTimeNs !== 'string') return { type: kind };
    return { type: kind, eventMs: Number(fields.exchangeTimeNs) / NS_PER_MS };
  }
  const type = typeof fields.type === 'string' ? fields.type : topic.split('.', 1)[0]!;
  return typeof fields.eventTime === 'number' ? { type, eventMs: fields.eventTime } : { type };
}

/** The same for a binary tick. */
export function tickEvent(tick: Tick): { type: string; eventMs?: number } {
  const type = MESSAGE_TYPES[tick.type - 1] ?? 'unknown';
  if (type === 'bar') return { type };
  return { type, eventMs: tick.exchangeMs + tick.exchangeNanosOfMs / NS_PER_MS };
}
