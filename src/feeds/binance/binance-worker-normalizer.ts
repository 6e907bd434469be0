/**
 * The Binance normalizer that runs inside each pipeline worker (or in process, for tests): it owns
 * the per-stream state of the worker's partition — routes built from each record's `streamInfo`,
 * de-duplication and rotation overlaps, and the local order books with their snapshot + diff
 * procedure — and writes ticks through the worker's quality checks into its output ring. The main
 * thread only looks the stream up, stamps the receive time and copies the frame's bytes; snapshots
 * the books ask for are fetched there and come back through the same ring, ordered with the diffs.
 */
import type {
  FrameNormalizer,
  NormalizerContext,
  NormalizerFactory,
  NormalizerSink,
  RecordMeta,
} from '../../pipeline/index.ts';
import { GENERAL_PATH, normalizeRouted, normalizeScanned } from './binance-mapper.ts';
import type { BinanceDepthSnapshot } from './binance-payloads.ts';
import { beginRouteOverlap, endRouteOverlap, MapperContext } from './mapper-context.ts';
import { createRoute, type StreamRoute, streamOfFrame } from './stream-routes.ts';
import {
  bookCounterFigure,
  type BinanceControl,
  type BinanceNormalizerConfig,
  type BinanceNormalizerMessage,
  type BookView,
  NORMALIZER_FIGURE,
  unpackStreamInfo,
} from './binance-normalizer-protocol.ts';
import { BookTally, ORDER_BOOK_COUNTER_KEYS } from './book-tally.ts';
import { OrderBook, ORDER_BOOK_DEFAULTS } from './order-book.ts';

const decoder = new TextDecoder();
/** Least time between two posts of a new malformed-frame reason. */
const MALFORMED_POST_MS = 250;

export class BinanceNormalizer implements FrameNormalizer {
  readonly context = new MapperContext();
  private readonly routes: (StreamRoute | undefined)[] = [];
  private readonly books = new Map<number, OrderBook>();
  private readonly sink: NormalizerSink;
  private config: BinanceNormalizerConfig = { ...ORDER_BOOK_DEFAULTS };
  private readonly snapshotRequests = new Set<number>();
  private stale: number[] = [];
  private aligned: number[] = [];
  private answers: { id: number; book: BookView | undefined }[] = [];
  private postedMalformed = '';
  private nextMalformedPost = 0;
  /** Sums over the books, updated from the books touched since the last figures (never a walk over all). */
  private readonly tally = new BookTally();
  private snapshotsUnused = 0;

  constructor(private readonly host: NormalizerContext) {
    this.sink = host.sink;
    if (host.config !== undefined) this.configure(host.config);
  }

  frame(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void {
    const context = this.context;
    context.counters.frames++;
    const frame = bytes.subarray(start, start + length);
    const id = meta.stream;
    const { source, receiveMs, receiveNanosOfMs } = meta;
    let route = this.routes[id];
    const wasAligned = route?.aligned ?? true;
    // Most frames are read from their bytes; the rest (and a stream's first) are decoded and parsed.
    if (
      route === undefined ||
      normalizeScanned(frame, route, context, this.sink, source, receiveMs, receiveNanosOfMs) === GENERAL_PATH
    ) {
      const text = decoder.decode(frame);
      route ??= this.createRoute(id, meta, text);
      normalizeRouted(text, route, context, this.sink, source, receiveMs, receiveNanosOfMs);
    }
    if (!wasAligned && route.aligned) this.aligned.push(id);
    if (route.depth !== undefined) this.tally.touch(this.books.get(id)!);
  }

  snapshot(bytes: Uint8Array, start: number, length: number, meta: RecordMeta): void {
    const book = this.books.get(meta.stream);
    // Asked for by a book that has since been dropped, resynced again or replaced (worker restart).
    if (book === undefined || book.state !== 'awaitingSnapshot') {
      this.snapshotsUnused++;
      return;
    }
    this.tally.touch(book);
    try {
      const snapshot = JSON.parse(
        decoder.decode(bytes.subarray(start, start + length)),
      ) as BinanceDepthSnapshot;
      if (
        typeof snapshot?.lastUpdateId !== 'number' ||
        !Array.isArray(snapshot.bids) ||
        !Array.isArray(snapshot.asks)
      ) {
        throw new Error('lacks lastUpdateId/bids/asks');
      }
      if (!book.applySnapshot(snapshot, meta.receiveMs, meta.receiveNanosOfMs, this.sink)) {
        this.stale.push(meta.stream);
      }
    } catch (error) {
      this.context.counters.malformed++;
      this.context.lastMalformed = `depth snapshot of ${book.route.symbol}: ${(error as Error).message}`;
      book.snapshotFailed();
    }
  }

  control(bytes: Uint8Array, start: number, length: number): void {
    const message = JSON.parse(decoder.decode(bytes.subarray(start, start + length))) as BinanceControl;
    switch (message.op) {
      case 'resync':
        for (const id of message.routes) {
          const route = this.routes[id];
          if (route !== undefined) route.lastSequence = -1;
          this.invalidate(id);
        }
        break;
      case 'down':
        for (const id of message.routes) this.invalidate(id);
        break;
      case 'beginOverlap':
        for (const id of message.routes) {
          const route = this.routes[id];
          if (route !== undefined) beginRouteOverlap(route, message.oldSource, message.newSource);
          // A stream this worker has not seen yet has nothing to lose: aligned at once.
          if (route === undefined || route.aligned) this.aligned.push(id);
        }
        break;
      case 'endOverlap':
        for (const id of message.routes) {
          const route = this.routes[id];
          if (route !== undefined) endRouteOverlap(route, this.context, message.source, this.sink);
          // Held diffs written now reach the book.
          const book = this.books.get(id);
          if (book !== undefined) this.tally.touch(book);
        }
        break;
      case 'remove':
        for (const id of message.routes) {
          const book = this.books.get(id);
          if (book !== undefined) {
            this.tally.remove(book);
            this.books.delete(id);
          }
          this.snapshotRequests.delete(id);
          this.routes[id] = undefined;
        }
        break;
      case 'inspect':
        this.answers.push({ id: message.id, book: viewOf(this.books.get(message.route), message.levels) });
        break;
    }
  }

  configure(config: unknown): void {
    this.config = { ...this.config, ...(config as Partial<BinanceNormalizerConfig>) };
  }

  flush(): void {
    const message: BinanceNormalizerMessage = {};
    let any = false;
    if (this.snapshotRequests.size > 0) {
      message.snapshots = [...this.snapshotRequests];
      this.snapshotRequests.clear();
      any = true;
    }
    if (this.stale.length > 0) {
      message.stale = this.stale;
      this.stale = [];
      any = true;
    }
    if (this.aligned.length > 0) {
      message.aligned = this.aligned;
      this.aligned = [];
      any = true;
    }
    if (this.answers.length > 0) {
      message.books = this.answers;
      this.answers = [];
      any = true;
    }
    const reason = this.context.lastMalformed;
    if (reason !== this.postedMalformed) {
      const now = performance.now();
      if (now >= this.nextMalformedPost) {
        message.malformed = reason;
        this.postedMalformed = reason;
        this.nextMalformedPost = now + MALFORMED_POST_MS;
        any = true;
      }
    }
    if (any) this.host.post(message);
  }

  writeFigures(figures: Float64Array): void {
    const counters = this.context.counters;
    const f = NORMALIZER_FIGURE;
    figures[f.frames] = counters.frames;
    figures[f.ticks] = counters.ticks;
    figures[f.malformed] = counters.malformed;
    figures[f.duplicates] = counters.duplicates;
    figures[f.overlapDeferred] = counters.overlapDeferred;
    figures[f.overlapOverflow] = counters.overlapOverflow;
    figures[f.sinkRefused] = counters.sinkRefused;
    figures[f.crossedQuotes] = counters.crossedQuotes;
    figures[f.snapshotsUnused] = this.snapshotsUnused;
    const tally = this.tally;
    tally.update();
    for (const key of ORDER_BOOK_COUNTER_KEYS) figures[f[bookCounterFigure(key)]] = tally.totals[key];
    figures[f.books] = tally.books;
    figures[f.inSync] = tally.states.synced;
    figures[f.resyncing] = tally.states.awaitingSnapshot;
    figures[f.awaitingFirstDiff] = tally.states.awaitingDiff;
  }

  private invalidate(id: number): void {
    const book = this.books.get(id);
    if (book === undefined) return;
    book.invalidate();
    this.tally.touch(book);
  }

  /** The route of a stream met for the first time: its facts come with every record. */
  private createRoute(id: number, meta: RecordMeta, text: string): StreamRoute {
    const facts = unpackStreamInfo(meta.streamInfo);
    const stream = streamOfFrame(text) || `stream #${id}`;
    const symbol = stream.slice(0, Math.max(0, stream.indexOf('@'))).toUpperCase();
    const route = createRoute(
      stream,
      facts.kind,
      symbol,
      meta.symbolId,
      facts.venueId,
      facts,
      facts.interval,
    );
    if (facts.kind === 'depthDiff') {
      const book = new OrderBook(route, () => this.snapshotRequests.add(id), {
        emitSnapshots: this.config.emitSnapshots,
        maxBufferedDiffs: this.config.maxBufferedDiffs,
      });
      // This worker replaces one that died: consumers must learn the book was rebuilt.
      if (this.host.incarnation > 0) book.oweGap();
      route.depth = book;
      this.books.set(id, book);
      this.tally.add(book);
    }
    this.routes[id] = route;
    return route;
  }
}

function viewOf(book: OrderBook | undefined, levels: number): BookView | undefined {
  if (book === undefined) return undefined;
  return {
    state: book.state,
    lastUpdateId: book.lastUpdateId,
    bestBid: book.bestBid,
    bestAsk: book.bestAsk,
    bidLevels: book.bids.count,
    askLevels: book.asks.count,
    bufferedDiffs: book.bufferedDiffs,
    counters: { ...book.counters },
    bids: book.bids.toArray(levels),
    asks: book.asks.toArray(levels),
  };
}

export const createNormalizer: NormalizerFactory = (context) => new BinanceNormalizer(context);
