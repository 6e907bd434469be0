import type { TickSink } from '../tick-sink.ts';
import { drainDeferred } from './payload-writer.ts';
import type { StreamRoute } from './stream-routes.ts';

/** The mapper's state (routes, counters) and the start and end of a rotation overlap per route. */

export interface MapperCounters {
  /** Frames handed to normalizeFrame. */
  frames: number;
  ticks: number;
  /** Frames that are not JSON, lack a field, carry a wrongly typed one or a value the tick cannot hold. */
  malformed: number;
  /** Frames of a stream nobody routed (e.g. arriving just after an unsubscribe). */
  unknownStream: number;
  /** Frames dropped because their sequence was already accepted (rotation overlap, resubscribe). */
  duplicates: number;
  /** Frames from a rotation's new socket held back until the old one caught up with them. */
  overlapDeferred: number;
  /** Held-back frames dropped because too many were held. */
  overlapOverflow: number;
  /** Replies and other non-data frames that reached the mapper. */
  ignored: number;
  /** Ticks the sink refused (its ring was full). */
  sinkRefused: number;
  /** Top-of-book quotes with bid >= ask. */
  crossedQuotes: number;
}

/** The mapper's state: routes by stream name, counters and the last malformed frame's reason. */
export class MapperContext {
  readonly routes = new Map<string, StreamRoute>();
  readonly counters: MapperCounters = {
    frames: 0,
    ticks: 0,
    malformed: 0,
    unknownStream: 0,
    duplicates: 0,
    overlapDeferred: 0,
    overlapOverflow: 0,
    ignored: 0,
    sinkRefused: 0,
    crossedQuotes: 0,
  };
  lastMalformed = '';

  add(route: StreamRoute): void {
    this.routes.set(route.stream, route);
  }

  /** Starts a rotation overlap on `streams`: `oldSource` stays trusted until `newSource` catches up. */
  beginOverlap(streams: Iterable<string>, oldSource: number, newSource: number): void {
    for (const stream of streams) {
      const route = this.routes.get(stream);
      if (route !== undefined) beginRouteOverlap(route, oldSource, newSource);
    }
  }

  /** How many of `streams` the replacement socket has not caught up on yet. */
  unaligned(streams: Iterable<string>): number {
    let count = 0;
    for (const stream of streams) {
      const route = this.routes.get(stream);
      if (route !== undefined && !route.aligned) count++;
    }
    return count;
  }

  /**
   * Ends an overlap: `source` (the replacement, or the old socket when the rotation failed) is
   * trusted alone. Frames the replacement still holds ahead of the old socket are written through
   * `sink` when it takes over (the old socket will not deliver what lies between; the pipeline's
   * sequence check flags that hole) and dropped when the rotation failed.
   */
  endOverlap(streams: Iterable<string>, source: number, sink?: TickSink): void {
    for (const stream of streams) {
      const route = this.routes.get(stream);
      if (route !== undefined) endRouteOverlap(route, this, source, sink);
    }
  }

  /** Forgets the last sequence of `streams`, e.g. after the exchange restarted its counters. */
  resetSequences(streams: Iterable<string>): void {
    for (const stream of streams) {
      const route = this.routes.get(stream);
      if (route !== undefined) route.lastSequence = -1;
    }
  }
}

/** One route of MapperContext.beginOverlap. */
export function beginRouteOverlap(route: StreamRoute, oldSource: number, newSource: number): void {
  route.primarySource = oldSource;
  route.secondarySource = newSource;
  // A stream with nothing accepted yet has nothing to lose: the new socket may lead at once.
  route.aligned = route.lastSequence < 0;
}

/** One route of MapperContext.endOverlap. */
export function endRouteOverlap(
  route: StreamRoute,
  context: MapperContext,
  source: number,
  sink?: TickSink,
): void {
  if (route.deferred !== undefined && route.deferred.length > 0) {
    if (sink !== undefined && source === route.secondarySource) drainDeferred(route, context, sink, true);
    route.deferred.length = 0;
  }
  route.primarySource = source;
  route.secondarySource = -1;
  route.aligned = true;
}
