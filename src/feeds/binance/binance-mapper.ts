import { readClock } from '../../wire/index.ts';
import type { TickSink } from '../tick-sink.ts';
import type { BinanceCombinedFrame, BinanceStreamPayload } from './binance-payloads.ts';
import type { MapperContext } from './mapper-context.ts';
import { writeDiffLevels, writeTradeValues } from './tick-writers.ts';
import { ScannedPayload, scanDepthDiff, scanTrade } from './frame-scanner.ts';
import { drainDeferred, malformed, writePayload } from './payload-writer.ts';
import { ACCEPT, acceptSequence } from './sequence-gate.ts';
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

/** What normalizeScanned returns for a frame the general path (normalizeRouted) must take. */
export const GENERAL_PATH = -1;

const scanned = new ScannedPayload();

/**
 * The fast way through normalizeRouted for the commonest frames — trades, aggregate trades and
 * depth diffs of a stream not being rotated — read from the frame's bytes by the frame scanner
 * instead of decoded and parsed. Returns ticks written, or GENERAL_PATH, having changed nothing,
 * when the frame is not one of those, is not in Binance's compact form, or needs the general
 * path's handling (a book buffering or resyncing): the caller then calls normalizeRouted. The
 * ticks and counters are the same either way.
 */
export function normalizeScanned(
  frame: Uint8Array,
  route: StreamRoute,
  context: MapperContext,
  sink: TickSink,
  source: number,
  receiveMs: number,
  receiveNanosOfMs: number,
): number {
  // A rotation overlap may defer frames, which keeps them as objects: the general path does that.
  if (route.secondarySource !== -1 || (route.deferred !== undefined && route.deferred.length > 0)) {
    return GENERAL_PATH;
  }
  let written: number;
  switch (route.kind) {
    case 'trade':
    case 'aggTrade': {
      const idKey = route.kind === 'trade' ? 't' : 'a';
      if (!scanTrade(frame, idKey, route.priceScale, route.sizeScale, scanned)) return GENERAL_PATH;
      const id = scanned.sequence;
      if (acceptSequence(route, context, source, id, id) !== ACCEPT) return 0;
      written = writeTradeValues(
        route,
        id,
        scanned.buyerIsMaker,
        scanned.tradeTime,
        scanned.price,
        scanned.quantity,
        receiveMs,
        receiveNanosOfMs,
        sink,
      );
      break;
    }
    case 'depthDiff': {
      if (!scanDepthDiff(frame, route.priceScale, route.sizeScale, scanned)) return GENERAL_PATH;
      const { firstUpdateId: first, sequence: last, eventTime, levels } = scanned;
      const book = route.depth;
      if (book !== undefined && !book.takesRead(first, last)) return GENERAL_PATH;
      if (acceptSequence(route, context, source, last, first) !== ACCEPT) return 0;
      written =
        book !== undefined
          ? book.applyRead(first, last, eventTime, levels, receiveMs, receiveNanosOfMs, sink)
          : writeDiffLevels(
              route,
              first,
              last,
              eventTime,
              levels,
              receiveMs,
              receiveNanosOfMs,
              sink,
              context.counters,
            );
      break;
    }
    default:
      return GENERAL_PATH;
  }
  if (written < 0) {
    context.counters.sinkRefused++;
    return 0;
  }
  context.counters.ticks += written;
  return written;
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
