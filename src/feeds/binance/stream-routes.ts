import type { TickSink } from '../tick-sink.ts';
import type { BinanceDepthDiff, BinanceStreamPayload } from './binance-payloads.ts';
import type { RouteKind } from './stream-names.ts';
import type { LevelScratch } from './tick-writers.ts';

/**
 * Routes, one per subscribed stream: what the mapper needs about a stream, looked up by the name
 * a combined-stream frame starts with.
 */

/**
 * Streams whose payload is a state (top of book, partial book, the current candle) rather than an
 * event: a newer one supersedes every older one, so skipping some loses nothing.
 */
const SUPERSEDING: Readonly<Record<RouteKind, boolean>> = {
  trade: false,
  aggTrade: false,
  depthDiff: false,
  bookTicker: true,
  partialDepth: true,
  kline: true,
};

/** Receives the diffs of a depth stream in order (the local order book); returns ticks written. */
export interface DepthDiffHandler {
  onDiff(diff: BinanceDepthDiff, receiveMs: number, receiveNanosOfMs: number, sink: TickSink): number;
  /**
   * Whether a diff from `firstUpdateId` to `lastUpdateId`, already read into levels, can be
   * applied by `applyRead` as onDiff would apply it (the book is synced and the diff is old or
   * follows); when not, the frame takes the general path (onDiff), which may need to keep it.
   */
  takesRead(firstUpdateId: number, lastUpdateId: number): boolean;
  applyRead(
    firstUpdateId: number,
    lastUpdateId: number,
    eventTime: number,
    levels: LevelScratch,
    receiveMs: number,
    receiveNanosOfMs: number,
    sink: TickSink,
  ): number;
}

/**
 * Everything the mapper needs about one stream, looked up once per frame by stream name.
 * `lastSequence` de-duplicates: frames of a stream arrive twice while a connection is rotated
 * (old and new socket overlap) and once after a resubscription race; a frame whose sequence is not
 * above the last one accepted is dropped and counted.
 */
export interface StreamRoute {
  readonly stream: string;
  readonly kind: RouteKind;
  readonly symbol: string;
  readonly symbolId: number;
  readonly venueId: number;
  readonly priceScale: number;
  readonly sizeScale: number;
  /** BAR_INTERVALS index of a kline stream, 0 otherwise. */
  readonly interval: number;
  readonly supersedes: boolean;
  /** Last accepted sequence (trade id, aggregate id, update id, event time); -1 before the first. */
  lastSequence: number;
  /** The socket whose frames are trusted; -1 = any. */
  primarySource: number;
  /** During a rotation overlap, the replacement socket; -1 otherwise. */
  secondarySource: number;
  /** Whether the replacement socket has caught up with the old one on this stream. */
  aligned: boolean;
  /**
   * Frames the replacement socket delivered ahead of the old one, kept (in order) until the old
   * socket reaches them: then they continue the sequence and are written.
   */
  deferred: DeferredFrame[] | undefined;
  /** The local book fed by a diff stream; without one, diffs are written as they come. */
  depth: DepthDiffHandler | undefined;
}

export interface DeferredFrame {
  readonly data: BinanceStreamPayload;
  readonly receiveMs: number;
  readonly receiveNanosOfMs: number;
}

export function createRoute(
  stream: string,
  kind: RouteKind,
  symbol: string,
  symbolId: number,
  venueId: number,
  scales: { priceScale: number; sizeScale: number },
  interval = 0,
): StreamRoute {
  return {
    stream,
    kind,
    symbol,
    symbolId,
    venueId,
    priceScale: scales.priceScale,
    sizeScale: scales.sizeScale,
    interval,
    supersedes: SUPERSEDING[kind],
    lastSequence: -1,
    primarySource: -1,
    secondarySource: -1,
    aligned: true,
    deferred: undefined,
    depth: undefined,
  };
}

const STREAM_PREFIX = '{"stream":"';

/**
 * The stream name of a combined-stream frame without parsing it: Binance writes `stream` first.
 * Returns '' for any other frame (a raw-stream payload, a reply).
 */
export function streamOfFrame(text: string): string {
  if (!text.startsWith(STREAM_PREFIX)) return '';
  const end = text.indexOf('"', STREAM_PREFIX.length);
  return end < 0 ? '' : text.slice(STREAM_PREFIX.length, end);
}

/** Replies to our requests, and Binance's serverShutdown notice (the socket's close follows). */
export function isReplyOrNotice(text: string): boolean {
  return (
    (text.includes('"id"') && (text.includes('"result"') || text.includes('"code"'))) ||
    text.includes('"serverShutdown"')
  );
}
