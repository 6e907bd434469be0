import { TickwireError } from '../../errors.ts';
import type { NormalizerSpec } from '../../pipeline/index.ts';
import type { BookState, OrderBookCounters } from './order-book.ts';
import { ROUTE_KINDS, type RouteKind } from './stream-names.ts';

/**
 * What the feed on the main thread and its normalizers in the pipeline workers share: how a
 * stream's static facts ride in every frame record (`streamInfo`), the control messages, the
 * messages a normalizer posts back, and the figures it reports.
 */

export const BINANCE_NORMALIZER_NAME = 'binance';

/** Settings the normalizers take from the feed (configureNormalizer). */
export interface BinanceNormalizerConfig {
  emitSnapshots: boolean;
  maxBufferedDiffs: number;
}

/**
 * A stream's facts packed into the record header's u32 `streamInfo`, so a worker needs no route
 * table from the main thread (nothing to keep in step, nothing lost when it restarts):
 * bits 0-2 route kind, 3-6 priceScale, 7-10 sizeScale, 11-18 venue id, 19-22 bar interval.
 */
export interface StreamFacts {
  kind: RouteKind;
  priceScale: number;
  sizeScale: number;
  venueId: number;
  interval: number;
}

export function packStreamInfo(facts: StreamFacts): number {
  const kind = ROUTE_KINDS.indexOf(facts.kind);
  return (
    (kind |
      (facts.priceScale << 3) |
      (facts.sizeScale << 7) |
      (facts.venueId << 11) |
      (facts.interval << 19)) >>>
    0
  );
}

export function unpackStreamInfo(info: number): StreamFacts {
  const kind = ROUTE_KINDS[info & 7];
  if (kind === undefined) {
    throw new TickwireError('FEED_BAD_PAYLOAD', `streamInfo 0x${info.toString(16)} names no route kind`);
  }
  return {
    kind,
    priceScale: (info >>> 3) & 15,
    sizeScale: (info >>> 7) & 15,
    venueId: (info >>> 11) & 255,
    interval: (info >>> 19) & 15,
  };
}

/** Control messages from the feed to a normalizer (JSON), ordered with the frames. Route = stream id. */
export type BinanceControl =
  /** Start over: forget the streams' last sequences, drop their books (next ticks carry `gap`). */
  | { op: 'resync'; routes: number[] }
  /** The socket carrying these streams was lost: their books resync. */
  | { op: 'down'; routes: number[] }
  | { op: 'beginOverlap'; routes: number[]; oldSource: number; newSource: number }
  | { op: 'endOverlap'; routes: number[]; source: number }
  /** The streams were unsubscribed: forget them. */
  | { op: 'remove'; routes: number[] }
  /** Describe the book of `route` (answered in `books`), with its best `levels` levels a side. */
  | { op: 'inspect'; route: number; id: number; levels: number };

/** A book as a normalizer describes it on request. */
export interface BookView {
  state: BookState;
  lastUpdateId: number;
  /** Mantissas at the symbol's price scale; NaN when the side is empty. */
  bestBid: number;
  bestAsk: number;
  bidLevels: number;
  askLevels: number;
  bufferedDiffs: number;
  counters: OrderBookCounters;
  /** The best levels asked for, best first, as [price, size] mantissas at the symbol's scales. */
  bids: [number, number][];
  asks: [number, number][];
}

/** What a normalizer posts to the feed (at most one message per input batch). */
export interface BinanceNormalizerMessage {
  /** Books (by route) that want a snapshot. */
  snapshots?: number[];
  /** Of those, the books whose snapshot was older than the diffs they held. */
  stale?: number[];
  /** Routes whose replacement socket caught up during a rotation overlap. */
  aligned?: number[];
  /** The last malformed frame's reason, when it changed. */
  malformed?: string;
  /** Answers to `inspect`, by request id (undefined: no book on that route). */
  books?: { id: number; book: BookView | undefined }[];
}

/** Totals a normalizer reports (summed over workers and their restarts). */
export const NORMALIZER_TOTALS = [
  'frames',
  'ticks',
  'malformed',
  'duplicates',
  'overlapDeferred',
  'overlapOverflow',
  'sinkRefused',
  'crossedQuotes',
  'diffsApplied',
  'diffsDropped',
  'gaps',
  'staleSnapshots',
  'snapshots',
  'resyncs',
  'crossed',
  'bufferOverflows',
  'badDiffs',
  'bookSinkRefused',
  /** Snapshots that arrived for a book no longer waiting for one (e.g. after a restart). */
  'snapshotsUnused',
] as const;
/** Gauges: values of now, summed over live workers. */
export const NORMALIZER_GAUGES = ['books', 'inSync', 'resyncing', 'awaitingFirstDiff'] as const;
export const NORMALIZER_FIGURES = [...NORMALIZER_TOTALS, ...NORMALIZER_GAUGES] as const;
export type NormalizerFigure = (typeof NORMALIZER_FIGURES)[number];
export const NORMALIZER_FIGURE = Object.fromEntries(
  NORMALIZER_FIGURES.map((name, index) => [name, index]),
) as Record<NormalizerFigure, number>;

/** The spec to start a TickPipeline with, so its workers normalize Binance frames. */
export function binanceNormalizer(): NormalizerSpec {
  return {
    name: BINANCE_NORMALIZER_NAME,
    url: new URL('./binance-worker-normalizer.ts', import.meta.url).href,
    figures: NORMALIZER_FIGURES.length,
    totals: NORMALIZER_TOTALS.length,
  };
}

/** The figure an OrderBookCounters key is reported as: its own name, but sinkRefused is bookSinkRefused. */
export function bookCounterFigure(key: keyof OrderBookCounters): NormalizerFigure {
  return key === 'sinkRefused' ? 'bookSinkRefused' : key;
}
