import { TickwireError } from '../../errors.ts';
import type { TickSink } from '../tick-sink.ts';
import type {
  BinanceAggTrade,
  BinanceBookTicker,
  BinanceDepthDiff,
  BinanceDepthSnapshot,
  BinanceKline,
  BinanceStreamPayload,
  BinanceTrade,
} from './binance-payloads.ts';
import type { MapperContext } from './mapper-context.ts';
import { ACCEPT, acceptSequence, DEFER, defer } from './sequence-gate.ts';
import type { RouteKind } from './stream-names.ts';
import type { StreamRoute } from './stream-routes.ts';
import {
  writeAggTradeTick,
  writeBookTickerTick,
  writeDepthDiffTicks,
  writeKlineTick,
  writePartialDepthTicks,
  writeTradeTick,
} from './tick-writers.ts';

/**
 * One payload of a known route: its fields checked, passed through the sequence gate, written by
 * the pure writer of its kind; and the frames a rotation held back, written once the accepted
 * sequence reaches them. A payload that cannot be written throws; the caller counts it malformed.
 */

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function writePayload(
  data: BinanceStreamPayload,
  route: StreamRoute,
  context: MapperContext,
  source: number,
  receiveMs: number,
  receiveNanosOfMs: number,
  sink: TickSink,
): number {
  let written: number;
  switch (route.kind) {
    case 'trade': {
      const trade = data as BinanceTrade;
      if (!isInteger(trade.t) || !isInteger(trade.T)) throw badField('trade', 't/T');
      const verdict = acceptSequence(route, context, source, trade.t, trade.t);
      if (verdict !== ACCEPT)
        return verdict === DEFER ? defer(route, context, data, receiveMs, receiveNanosOfMs) : 0;
      written = writeTradeTick(trade, route, receiveMs, receiveNanosOfMs, sink);
      break;
    }
    case 'aggTrade': {
      const trade = data as BinanceAggTrade;
      if (!isInteger(trade.a) || !isInteger(trade.T)) throw badField('aggTrade', 'a/T');
      const verdict = acceptSequence(route, context, source, trade.a, trade.a);
      if (verdict !== ACCEPT)
        return verdict === DEFER ? defer(route, context, data, receiveMs, receiveNanosOfMs) : 0;
      written = writeAggTradeTick(trade, route, receiveMs, receiveNanosOfMs, sink);
      break;
    }
    case 'bookTicker': {
      const quote = data as BinanceBookTicker;
      if (!isInteger(quote.u)) throw badField('bookTicker', 'u');
      if (acceptSequence(route, context, source, quote.u, quote.u) !== ACCEPT) return 0;
      written = writeBookTickerTick(quote, route, receiveMs, receiveNanosOfMs, sink);
      if (written === 2) {
        context.counters.crossedQuotes++;
        written = 1;
      }
      break;
    }
    case 'depthDiff': {
      const diff = data as BinanceDepthDiff;
      if (!isInteger(diff.U) || !isInteger(diff.u) || !isInteger(diff.E) || diff.U > diff.u) {
        throw badField('depthUpdate', 'U/u/E');
      }
      const verdict = acceptSequence(route, context, source, diff.u, diff.U);
      if (verdict !== ACCEPT)
        return verdict === DEFER ? defer(route, context, data, receiveMs, receiveNanosOfMs) : 0;
      written =
        route.depth !== undefined
          ? route.depth.onDiff(diff, receiveMs, receiveNanosOfMs, sink)
          : writeDepthDiffTicks(diff, route, receiveMs, receiveNanosOfMs, sink, context.counters);
      break;
    }
    case 'partialDepth': {
      const book = data as BinanceDepthSnapshot;
      if (!isInteger(book.lastUpdateId)) throw badField('partial depth', 'lastUpdateId');
      if (acceptSequence(route, context, source, book.lastUpdateId, book.lastUpdateId) !== ACCEPT) return 0;
      written = writePartialDepthTicks(book, route, receiveMs, receiveNanosOfMs, sink, context.counters);
      break;
    }
    case 'kline': {
      const kline = data as BinanceKline;
      if (!isInteger(kline.E) || typeof kline.k !== 'object' || kline.k === null || !isInteger(kline.k.t)) {
        throw badField('kline', 'E/k.t');
      }
      if (acceptSequence(route, context, source, kline.E, kline.E) !== ACCEPT) return 0;
      written = writeKlineTick(kline, route, receiveMs, receiveNanosOfMs, sink);
      break;
    }
  }
  return written;
}

/** Sequence (last update id for a diff) and first update id of a deferrable payload. */
function sequenceOf(kind: RouteKind, data: BinanceStreamPayload): number {
  return kind === 'trade'
    ? (data as BinanceTrade).t
    : kind === 'aggTrade'
      ? (data as BinanceAggTrade).a
      : (data as BinanceDepthDiff).u;
}

function firstOf(kind: RouteKind, data: BinanceStreamPayload): number {
  return kind === 'depthDiff' ? (data as BinanceDepthDiff).U : sequenceOf(kind, data);
}

/**
 * Writes the frames the replacement socket delivered ahead, once the accepted sequence reached
 * them (or unconditionally with `force`, when the replacement takes over). Returns ticks written.
 */
export function drainDeferred(
  route: StreamRoute,
  context: MapperContext,
  sink: TickSink,
  force: boolean,
): number {
  const deferred = route.deferred!;
  let start = 0;
  while (start < deferred.length && sequenceOf(route.kind, deferred[start]!.data) <= route.lastSequence)
    start++;
  context.counters.duplicates += start;
  if (start === deferred.length) {
    deferred.length = 0;
    return 0;
  }
  if (!force && firstOf(route.kind, deferred[start]!.data) !== route.lastSequence + 1) {
    if (start > 0) deferred.splice(0, start);
    return 0;
  }
  route.aligned = true;
  const pending = deferred.splice(0);
  let written = 0;
  for (let i = start; i < pending.length; i++) {
    const { data, receiveMs, receiveNanosOfMs } = pending[i]!;
    // Aligned now, so each is taken by the plain rule (above the last accepted sequence).
    try {
      const count = writePayload(
        data,
        route,
        context,
        route.secondarySource,
        receiveMs,
        receiveNanosOfMs,
        sink,
      );
      if (count > 0) written += count;
    } catch (error) {
      malformed(
        context,
        `deferred frame of ${route.stream}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  context.counters.ticks += written;
  return written;
}

function badField(type: string, fields: string): TickwireError {
  return new TickwireError('FEED_BAD_PAYLOAD', `${type} payload lacks integer ${fields}`);
}

export function malformed(context: MapperContext, reason: string): void {
  context.counters.malformed++;
  context.lastMalformed = reason;
}
