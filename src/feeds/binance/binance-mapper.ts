import { readClock } from '../../wire/index.ts';
import type { TickSink } from '../tick-sink.ts';
import type { BinanceCombinedFrame, BinanceStreamPayload } from './binance-payloads.ts';
import type { MapperContext } from './mapper-context.ts';
import { drainDeferred, malformed, writePayload } from './payload-writer.ts';
import { isReplyOrNotice, streamOfFrame, type StreamRoute } from './stream-routes.ts';

/**
 * Binance Spot market data → 64-byte ticks. `normalizeFrame` takes one text frame as it came off the
 * socket; `normalizeRouted` and `normalizePayload` start later, once the route is known. The parts:
 * - binance-payloads.ts: the raw payload types as Binance documents them;
 * - stream-routes.ts: the per-stream routing table (stream name → symbol, scales, de-duplication state);
 * - tick-writers.ts: the pure functions that write one payload as ticks;
 * - sequence-gate.ts, payload-writer.ts: de-duplication across rotation overlaps, the checked write;
 * - mapper-context.ts: routes and counters; symbol-scales.ts: scales from exchangeInfo.
 * Nothing here touches a socket, a timer or the network, so the same code can run in a worker
 * thread on raw frames.
 */

/**
 * Normalizes one text frame from a combined stream into ticks written through `sink`. `source`
 * names the socket it came from (for rotation overlaps). Returns the number of ticks written;
 * never throws for bad input: malformed frames, unknown streams and duplicates are counted in
 * `context.counters`.
 */
export function normalizeFrame(text: string, context: MapperContext, sink: TickSink, source = 0): number {
  const counters = context.counters;
  counters.frames++;
  const stream = streamOfFrame(text);
  if (stream === '') {
    if (isReplyOrNotice(text)) {
      counters.ignored++;
    } else {
      malformed(context, 'not a combined-stream frame');
    }
    return 0;
  }
  const route = context.routes.get(stream);
  if (route === undefined) {
    counters.unknownStream++;
    return 0;
  }
  const now = readClock();
  return normalizeRouted(text, route, context, sink, source, now.ms, now.nanosOfMs);
}

/**
 * The part of normalizeFrame after the route is known (a pipeline worker starts here: the main
 * thread looked the route up and stamped the receive time). Parses, checks, de-duplicates and
 * writes; returns ticks written and never throws for bad input.
 */
export function normalizeRouted(
  text: string,
  route: StreamRoute,
  context: MapperContext,
  sink: TickSink,
  source: number,
  receiveMs: number,
  receiveNanosOfMs: number,
): number {
  let frame: BinanceCombinedFrame;
  try {
    frame = JSON.parse(text) as BinanceCombinedFrame;
  } catch {
    malformed(context, `frame of ${route.stream} is not JSON`);
    return 0;
  }
  const data = frame.data;
  if (typeof data !== 'object' || data === null) {
    malformed(context, `frame of ${route.stream} has no data object`);
    return 0;
  }
  try {
    const written = normalizePayload(data, route, context, source, receiveMs, receiveNanosOfMs, sink);
    if (written < 0) {
      context.counters.sinkRefused++;
      return 0;
    }
    return written;
  } catch (error) {
    malformed(context, `frame of ${route.stream}: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  }
}

/**
 * One payload of a known route. Checks the fields it reads (a wrong type is malformed, not a
 * crash), de-duplicates, and writes. Returns ticks written, or -1 when the sink refused the tick.
 */
export function normalizePayload(
  data: BinanceStreamPayload,
  route: StreamRoute,
  context: MapperContext,
  source: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  const counters = context.counters;
  const previous = route.lastSequence;
  let written: number;
  try {
    written = writePayload(data, route, context, source, receiveMs, receiveNanosOfMs, sink);
  } catch (error) {
    // A frame that could not be written did not happen: its sequence may still arrive intact.
    route.lastSequence = previous;
    throw error;
  }
  if (written > 0) counters.ticks += written;
  const deferred = route.deferred;
  if (deferred !== undefined && deferred.length > 0 && source !== route.secondarySource) {
    drainDeferred(route, context, sink, false);
  }
  return written;
}
