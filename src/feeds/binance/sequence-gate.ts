import type { BinanceStreamPayload } from './binance-payloads.ts';
import type { MapperContext } from './mapper-context.ts';
import type { StreamRoute } from './stream-routes.ts';

/**
 * De-duplication: whether a stream's frame is new, already accepted or, during a rotation
 * overlap, ahead of the old socket and held back.
 */

export const DROP = 0;
export const ACCEPT = 1;
export const DEFER = 2;

/**
 * Whether a frame with sequence `sequence` (and, for diffs, first update id `first`) from socket
 * `source` is new for `route`: ACCEPT (and records it), DROP (already accepted) or DEFER. Outside
 * a rotation this is plain de-duplication. During one, the replacement socket's frame is taken
 * only when it continues the accepted sequence without a hole (or the stream is a state that
 * supersedes); a frame ahead of the old socket is deferred until the old one catches up.
 */
export function acceptSequence(
  route: StreamRoute,
  context: MapperContext,
  source: number,
  sequence: number,
  first: number,
): number {
  const last = route.lastSequence;
  if (sequence <= last) {
    if (source === route.secondarySource) route.aligned = true;
    context.counters.duplicates++;
    return DROP;
  }
  if (source === route.secondarySource && !route.aligned) {
    if (!(route.supersedes || last < 0 || first === last + 1)) {
      context.counters.overlapDeferred++;
      return DEFER;
    }
    route.aligned = true;
  }
  route.lastSequence = sequence;
  return ACCEPT;
}

/** Most frames held per stream during a rotation overlap; beyond it the oldest are dropped. */
export const MAX_DEFERRED_FRAMES = 10_000;

export function defer(
  route: StreamRoute,
  context: MapperContext,
  data: BinanceStreamPayload,
  receiveMs: number,
  receiveNanosOfMs: number,
): number {
  const deferred = (route.deferred ??= []);
  if (deferred.length >= MAX_DEFERRED_FRAMES) {
    deferred.shift();
    context.counters.overlapOverflow++;
  }
  deferred.push({ data, receiveMs, receiveNanosOfMs });
  return 0;
}
