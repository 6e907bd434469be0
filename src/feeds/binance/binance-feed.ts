import { TickwireError } from '../../errors.ts';
import { type FrameTransport, InProcessTransport } from '../../pipeline/index.ts';
import {
  barIntervalCode,
  readClock,
  SYMBOL_NAME,
  type SymbolRegistry,
  type Venue,
  VENUES,
  venueId,
} from '../../wire/index.ts';
import type { TickSink } from '../tick-sink.ts';
import { type BinanceConnectionOptions, type ConnectionHealth } from './binance-connection.ts';
import type { BinanceKlineRow, BinanceSymbolInfo } from './binance-payloads.ts';
import type { MapperCounters } from './mapper-context.ts';
import { isReplyOrNotice } from './stream-routes.ts';
import { scalesOf } from './symbol-scales.ts';
import {
  BINANCE_NORMALIZER_NAME,
  type BinanceControl,
  type BinanceNormalizerMessage,
  type BookView,
  NORMALIZER_FIGURE,
  NORMALIZER_FIGURES,
  packStreamInfo,
} from './binance-normalizer-protocol.ts';
import { BinanceRest, fittedSnapshotLimit } from './binance-rest.ts';
import { SnapshotScheduler, type SnapshotOutcome } from './snapshot-scheduler.ts';
import { createNormalizer } from './binance-worker-normalizer.ts';
import type { OrderBookCounters } from './order-book.ts';
import {
  DEPTH_SPEEDS,
  type DepthSpeed,
  isBinanceStreamKind,
  klineInterval,
  routeKindOf,
  type BinanceStreamKind,
  type RouteKind,
  streamName,
} from './stream-names.ts';
import { NOT_A_STREAM_FRAME, StreamTable, UNKNOWN_STREAM } from './stream-table.ts';
import { SubscriptionManager, type SubscriptionTotals } from './subscription-manager.ts';

/** Binance Spot production endpoints. */
export const BINANCE_URLS = {
  restUrl: 'https://api.binance.com',
  wsUrl: 'wss://stream.binance.com:9443',
} as const;
/** Binance's market-data-only endpoints (no account data, same payloads). */
export const BINANCE_DATA_URLS = {
  restUrl: 'https://data-api.binance.vision',
  wsUrl: 'wss://data-stream.binance.vision',
} as const;
/** Binance Spot testnet. */
export const BINANCE_TESTNET_URLS = {
  restUrl: 'https://testnet.binance.vision',
  wsUrl: 'wss://stream.testnet.binance.vision',
} as const;

export interface BinanceFeedOptions {
  restUrl: string;
  wsUrl: string;
  /** Venue the symbols are registered under: 'BINANCE' for Binance, 'SIM' for the simulator. */
  venue: Venue;
  /** Symbols as Binance writes them (BTCUSDT); registered in this order, so ids are stable. */
  symbols: readonly string[];
  streams: readonly BinanceStreamKind[];
  registry: SymbolRegistry;
  /**
   * Where raw frames go to be normalized: the TickPipeline started with `binanceNormalizer()`, whose
   * workers parse the frames and keep the books. Give this or `sink`.
   */
  pipeline: FrameTransport | undefined;
  /**
   * Without a pipeline: ticks are written here, the frames normalized on this thread by the same
   * normalizer the workers run (tests, tools). Give this or `pipeline`.
   */
  sink: TickSink | undefined;
  /** Speed of the depth streams. */
  depthSpeed: DepthSpeed;
  /**
   * Levels of each book snapshot (REST limit; 1000 weighs 50). Unset: the deepest of Binance's
   * limits whose first snapshots of every book fit in half the minute's weight (fittedSnapshotLimit).
   */
  snapshotLimit: number | undefined;
  /** Snapshots fetched at once. */
  snapshotConcurrency: number;
  /**
   * Most snapshots being fetched or waiting in the pipeline for room, per pipeline worker: books of
   * a worker that is behind wait (queued, not fetched) instead of crowding its input ring.
   */
  snapshotsPerWorker: number;
  /** Least time between two snapshot requests of one book (after a failure or a stale one), ms. */
  snapshotRetryMs: number;
  /** Write each book snapshot as ticks (flag `snapshot`). */
  emitSnapshots: boolean;
  maxBufferedDiffs: number;
  streamsPerConnection: number;
  connectionsPerWindow: number;
  connectionWindowMs: number;
  minDialIntervalMs: number;
  restWeightPerMinute: number;
  restTimeoutMs: number;
  connection: Partial<Omit<BinanceConnectionOptions, 'wsUrl' | 'id' | 'maxStreams' | 'dialGate'>>;
}

export type BinanceFeedInit = Partial<BinanceFeedOptions> &
  Pick<BinanceFeedOptions, 'restUrl' | 'wsUrl' | 'symbols' | 'streams' | 'registry'>;

export const BINANCE_FEED_DEFAULTS: Omit<
  BinanceFeedOptions,
  'restUrl' | 'wsUrl' | 'symbols' | 'streams' | 'registry'
> = {
  venue: 'BINANCE',
  pipeline: undefined,
  sink: undefined,
  depthSpeed: '100ms',
  snapshotLimit: undefined,
  snapshotConcurrency: 4,
  snapshotsPerWorker: 8,
  snapshotRetryMs: 1_000,
  emitSnapshots: true,
  maxBufferedDiffs: 10_000,
  streamsPerConnection: 1024,
  connectionsPerWindow: 300,
  connectionWindowMs: 5 * 60 * 1_000,
  minDialIntervalMs: 200,
  restWeightPerMinute: 5_000,
  restTimeoutMs: 10_000,
  connection: {},
};

export const FEED_STATES = ['idle', 'starting', 'running', 'stopped'] as const;
export type FeedState = (typeof FEED_STATES)[number];

export interface BookTotals extends Omit<OrderBookCounters, 'sinkRefused'> {
  books: number;
  /** Books applying diffs. */
  inSync: number;
  /** Books buffering while a snapshot is fetched (first sync or after a gap). */
  resyncing: number;
  /** Books whose stream sent no diff yet. */
  awaitingFirstDiff: number;
  sinkRefused: number;
  /** Snapshots that arrived for a book no longer waiting for one (its worker restarted, it resynced again). */
  snapshotsUnused: number;
  /**
   * Diffs not passed to the normalizer because their book's snapshot request was still queued: the
   * snapshot, requested later, covers them.
   */
  diffsBeforeRequest: number;
  /**
   * Whether diffs of queued books are held back: false for good once a snapshot was older than the
   * diffs its book held with none of them lost on the way (the exchange's REST lags its streams).
   */
  holdingBackQueuedDiffs: boolean;
}

export interface FeedMapperHealth extends MapperCounters {
  /** Frames the transport refused (input ring full, worker down, too large): see the pipeline's frame stats. */
  transportRefused: number;
  /** Frames the normalizers parsed. */
  normalized: number;
}

export interface BinanceFeedHealth {
  state: FeedState;
  venue: Venue;
  symbols: number;
  connections: ConnectionHealth[];
  totals: SubscriptionTotals;
  books: BookTotals;
  mapper: FeedMapperHealth;
  lastMalformed: string;
  rest: {
    requests: number;
    failures: number;
    usedWeight: number;
    snapshotsQueued: number;
    snapshotsInFlight: number;
  };
}

/** One subscribed stream as the main thread knows it: enough to route its frames, nothing more. */
interface RouteEntry {
  /** Dense id, the record's `stream`: the normalizers index their state by it. */
  readonly id: number;
  readonly stream: string;
  readonly kind: RouteKind;
  readonly symbol: string;
  readonly symbolId: number;
  /** The stream's facts, packed into the record's `streamInfo`. */
  readonly info: number;
  /** A frame of this stream was refused by the transport since its book (if any) last asked for a snapshot. */
  diffRefused: boolean;
}

interface SymbolEntry {
  readonly symbol: string;
  readonly routes: RouteEntry[];
}

/** How long inspectBook waits for a worker's answer. */
const INSPECT_TIMEOUT_MS = 5_000;

/**
 * Binance Spot market data as ticks: exchangeInfo gives each symbol's scales, the subscription
 * manager keeps every stream subscribed over as many connections as it takes, and every frame is
 * handed, as the bytes `ws` delivered, to the normalizer that owns its symbol — in a pipeline
 * worker, which parses it, de-duplicates it, keeps the symbol's local order book exactly in step
 * and writes the ticks. This thread keeps the sockets, the stream → symbol lookup (a scan of the
 * frame's first bytes), rotation decisions, health and REST: book snapshots the workers ask for are
 * fetched here and sent back through the same ring as the diffs.
 */
export class BinanceFeed {
  readonly options: BinanceFeedOptions;
  private readonly transport: FrameTransport;
  private readonly rest: BinanceRest;
  private readonly manager: SubscriptionManager;
  private readonly entries = new Map<string, SymbolEntry>();
  private readonly table = new StreamTable<RouteEntry>();
  private readonly routesById: (RouteEntry | undefined)[] = [];
  private nextRouteId = 0;
  /** Whether diffs of books whose snapshot request is queued are held back (see onFrame). */
  private holdBackQueuedDiffs = true;
  private readonly counters = {
    frames: 0,
    unknownStream: 0,
    ignored: 0,
    malformed: 0,
    refused: 0,
    diffsBeforeRequest: 0,
  };
  private lastMalformed = '';
  /** Routes in a rotation overlap whose replacement socket has not caught up (as the workers report). */
  private readonly unalignedRoutes = new Set<number>();
  private readonly snapshots: SnapshotScheduler;
  private readonly inspections = new Map<number, (book: BookView | undefined) => void>();
  private nextInspection = 1;
  private feedState: FeedState = 'idle';
  private readonly venueId: number;
  /** Depth streams subscribed (each has a book in its worker). */
  private depthRouteCount = 0;
  private readonly removeListener: () => void;

  constructor(init: BinanceFeedInit) {
    this.options = { ...BINANCE_FEED_DEFAULTS, ...init };
    checkOptions(this.options);
    this.venueId = venueId(this.options.venue);
    this.transport =
      this.options.pipeline ??
      new InProcessTransport(
        { name: BINANCE_NORMALIZER_NAME, figures: NORMALIZER_FIGURES.length },
        createNormalizer,
        this.options.sink!,
      );
    this.removeListener = this.transport.addNormalizerListener({
      onMessage: (_worker, message) => this.hear(message as BinanceNormalizerMessage),
      onWorkerRestart: (worker) => this.workerRestarted(worker),
    });
    this.snapshots = new SnapshotScheduler(
      {
        concurrency: this.options.snapshotConcurrency,
        perWorker: this.options.snapshotsPerWorker,
        retryMs: this.options.snapshotRetryMs,
      },
      {
        workerOf: (id) => this.transport.workerOf(this.routesById[id]?.symbolId ?? 0),
        backlog: (worker) => this.transport.snapshotBacklog(worker),
        fetch: (id) => this.fetchSnapshot(id),
      },
    );
    this.rest = new BinanceRest({
      restUrl: this.options.restUrl,
      weightPerMinute: this.options.restWeightPerMinute,
      timeoutMs: this.options.restTimeoutMs,
    });
    this.manager = new SubscriptionManager(
      {
        wsUrl: this.options.wsUrl,
        streamsPerConnection: this.options.streamsPerConnection,
        connectionsPerWindow: this.options.connectionsPerWindow,
        connectionWindowMs: this.options.connectionWindowMs,
        minDialIntervalMs: this.options.minDialIntervalMs,
        connection: this.options.connection,
      },
      {
        onFrame: (frame, source) => this.onFrame(frame, source),
        beginOverlap: (streams, oldSource, newSource) => {
          const routes = this.routesOf(streams);
          for (const route of routes) this.unalignedRoutes.add(route.id);
          this.sendByWorker(routes, (ids) => ({ op: 'beginOverlap', routes: ids, oldSource, newSource }));
        },
        unaligned: (streams) => {
          let count = 0;
          for (const stream of streams) {
            const route = this.table.get(stream);
            if (route !== undefined && this.unalignedRoutes.has(route.id)) count++;
          }
          return count;
        },
        endOverlap: (streams, source) => {
          const routes = this.routesOf(streams);
          for (const route of routes) this.unalignedRoutes.delete(route.id);
          this.sendByWorker(routes, (ids) => ({ op: 'endOverlap', routes: ids, source }));
        },
        onDown: (streams) =>
          this.sendByWorker(this.routesOf(streams), (ids) => ({ op: 'down', routes: ids })),
      },
    );
  }

  get state(): FeedState {
    return this.feedState;
  }

  /**
   * The local book of `symbol` (with the `depth` stream) as its normalizer describes it, with its
   * best `levels` levels a side; undefined without one. Asks the worker that owns it (a control
   * message, ordered with the frames, so the view is the book as of the last frame sent).
   */
  inspectBook(symbol: string, levels = 0): Promise<BookView | undefined> {
    const route = this.entries.get(symbol)?.routes.find((entry) => entry.kind === 'depthDiff');
    if (route === undefined) return Promise.resolve(undefined);
    const id = this.nextInspection++;
    return new Promise<BookView | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inspections.delete(id);
        reject(
          new TickwireError(
            'FEED_STATE',
            `the book of ${symbol} was not described within ${INSPECT_TIMEOUT_MS} ms`,
          ),
        );
      }, INSPECT_TIMEOUT_MS);
      this.inspections.set(id, (book) => {
        clearTimeout(timer);
        resolve(book);
      });
      const worker = this.transport.workerOf(route.symbolId);
      if (!this.sendControl(worker, { op: 'inspect', route: route.id, id, levels })) {
        this.inspections.delete(id);
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  }

  /** Fetches exchangeInfo, registers the symbols, subscribes every stream. Resolves before the streams are live. */
  async start(): Promise<void> {
    if (this.feedState !== 'idle') {
      throw new TickwireError(
        'FEED_STATE',
        `BinanceFeed.start() called in state ${this.feedState}; only an idle feed starts`,
      );
    }
    this.feedState = 'starting';
    this.transport.configureNormalizer({
      emitSnapshots: this.options.emitSnapshots,
      maxBufferedDiffs: this.options.maxBufferedDiffs,
    });
    try {
      await this.addSymbolsNow(this.options.symbols);
    } catch (error) {
      this.feedState = 'idle';
      throw error;
    }
    this.feedState = 'running';
    this.manager.start();
  }

  /** Adds symbols at run time (fetches exchangeInfo for their scales). */
  async addSymbols(symbols: readonly string[]): Promise<void> {
    this.requireRunning('addSymbols');
    checkSymbols(symbols);
    await this.addSymbolsNow(symbols);
  }

  /** Removes symbols at run time: their streams are unsubscribed and their books dropped. */
  removeSymbols(symbols: readonly string[]): void {
    this.requireRunning('removeSymbols');
    const streams: string[] = [];
    const routes: RouteEntry[] = [];
    for (const symbol of symbols) {
      const entry = this.entries.get(symbol);
      if (entry === undefined) continue;
      this.entries.delete(symbol);
      for (const route of entry.routes) {
        streams.push(route.stream);
        routes.push(route);
        this.table.delete(route.stream);
        this.snapshots.forget(route.id);
        this.routesById[route.id] = undefined;
        if (route.kind === 'depthDiff') this.depthRouteCount--;
        this.unalignedRoutes.delete(route.id);
      }
    }
    this.manager.remove(streams);
    this.sendByWorker(routes, (ids) => ({ op: 'remove', routes: ids }));
  }

  /**
   * Starts `symbols` over: their books are dropped and refetched (ticks flagged `gap` until the new
   * snapshot), and their streams' de-duplication forgets the last sequence. A restarted pipeline
   * worker needs no call: its normalizer starts empty and resyncs its books by itself.
   */
  resync(symbols: readonly string[]): void {
    this.requireRunning('resync');
    const routes = symbols.flatMap((symbol) => this.entries.get(symbol)?.routes ?? []);
    this.sendByWorker(routes, (ids) => ({ op: 'resync', routes: ids }));
  }

  /**
   * The symbol's last `limit` candles of `interval` from the exchange's REST API, under the same
   * request-weight budget as the snapshots: history for a chart that then follows the live trades.
   */
  klines(symbol: string, interval: string, limit: number): Promise<BinanceKlineRow[]> {
    this.requireRunning('klines');
    return this.rest.klines(symbol, interval, limit);
  }

  async stop(): Promise<void> {
    if (this.feedState === 'stopped') return;
    this.feedState = 'stopped';
    this.removeListener();
    this.snapshots.stop();
    await this.manager.stop();
  }

  health(): BinanceFeedHealth {
    const subscriptions = this.manager.health();
    const figures = this.transport.normalizerFigures();
    const figure = (name: keyof typeof NORMALIZER_FIGURE) => figures[NORMALIZER_FIGURE[name]] ?? 0;
    const counters = this.counters;
    // Every depth stream has a book; a worker creates it on the stream's first frame, so the ones it
    // has not met yet are still awaiting their first diff.
    const books = this.depthRouteCount;
    return {
      state: this.feedState,
      venue: this.options.venue,
      symbols: this.entries.size,
      connections: subscriptions.connections,
      totals: subscriptions.totals,
      books: {
        books,
        inSync: figure('inSync'),
        resyncing: figure('resyncing'),
        awaitingFirstDiff: Math.max(0, books - figure('inSync') - figure('resyncing')),
        diffsApplied: figure('diffsApplied'),
        diffsDropped: figure('diffsDropped'),
        gaps: figure('gaps'),
        staleSnapshots: figure('staleSnapshots'),
        snapshots: figure('snapshots'),
        resyncs: figure('resyncs'),
        crossed: figure('crossed'),
        bufferOverflows: figure('bufferOverflows'),
        badDiffs: figure('badDiffs'),
        sinkRefused: figure('bookSinkRefused'),
        snapshotsUnused: figure('snapshotsUnused'),
        diffsBeforeRequest: counters.diffsBeforeRequest,
        holdingBackQueuedDiffs: this.holdBackQueuedDiffs,
      },
      mapper: {
        frames: counters.frames,
        normalized: figure('frames'),
        ticks: figure('ticks'),
        malformed: counters.malformed + figure('malformed'),
        unknownStream: counters.unknownStream,
        duplicates: figure('duplicates'),
        overlapDeferred: figure('overlapDeferred'),
        overlapOverflow: figure('overlapOverflow'),
        ignored: counters.ignored,
        sinkRefused: figure('sinkRefused'),
        crossedQuotes: figure('crossedQuotes'),
        transportRefused: counters.refused,
      },
      lastMalformed: this.lastMalformed,
      rest: {
        requests: this.rest.requests,
        failures: this.rest.failures,
        usedWeight: this.rest.usedWeight,
        snapshotsQueued: this.snapshots.queued,
        snapshotsInFlight: this.snapshots.inFlight,
      },
    };
  }

  /**
   * One frame off a socket: find its stream from the first bytes, stamp the receive time and hand
   * the bytes to the transport. Allocates nothing (the Buffer is ws's); frames that are not data
   * (replies, notices, garbage) are rare and decoded here to be told apart.
   */
  private onFrame(frame: Buffer, source: number): void {
    const counters = this.counters;
    counters.frames++;
    const route = this.table.lookup(frame);
    if (route === UNKNOWN_STREAM) {
      counters.unknownStream++;
      return;
    }
    if (route === NOT_A_STREAM_FRAME) {
      if (isReplyOrNotice(frame.toString())) counters.ignored++;
      else {
        counters.malformed++;
        this.lastMalformed = 'not a combined-stream frame';
      }
      return;
    }
    if (route.kind === 'depthDiff' && this.holdBackQueuedDiffs && this.snapshots.awaitsFetch(route.id)) {
      // The snapshot asked for is not requested yet, so it will be newer than this diff, which its
      // book would buffer only to drop it (Binance's step 3). Not passing it on spares the worker
      // parsing and keeping diffs of books that wait minutes in the queue (50,000 books).
      counters.diffsBeforeRequest++;
      return;
    }
    const now = readClock();
    if (
      !this.transport.offerFrame(route.symbolId, source, route.id, route.info, frame, now.ms, now.nanosOfMs)
    ) {
      counters.refused++;
      route.diffRefused = true;
    }
  }

  private hear(message: BinanceNormalizerMessage): void {
    if (message.stale !== undefined) for (const id of message.stale) this.noteStaleSnapshot(id);
    if (message.snapshots !== undefined) for (const id of message.snapshots) this.requestSnapshot(id);
    if (message.aligned !== undefined) for (const id of message.aligned) this.unalignedRoutes.delete(id);
    if (message.malformed !== undefined) this.lastMalformed = message.malformed;
    if (message.books !== undefined) {
      for (const { id, book } of message.books) {
        const resolve = this.inspections.get(id);
        this.inspections.delete(id);
        resolve?.(book);
      }
    }
  }

  /**
   * A pipeline worker restarted: its normalizer starts empty (its books ask for snapshots on their
   * first diff, their ticks flagged `gap`); overlaps it was tracking are void, so its streams no
   * longer hold a rotation back.
   */
  private workerRestarted(worker: number): void {
    for (const id of [...this.unalignedRoutes]) {
      const route = this.routesById[id];
      if (route === undefined || this.transport.workerOf(route.symbolId) === worker)
        this.unalignedRoutes.delete(id);
    }
  }

  private routesOf(streams: Iterable<string>): RouteEntry[] {
    const routes: RouteEntry[] = [];
    for (const stream of streams) {
      const route = this.table.get(stream);
      if (route !== undefined) routes.push(route);
    }
    return routes;
  }

  /** Sends one control message per worker that owns any of `routes`, naming its routes. */
  private sendByWorker(routes: readonly RouteEntry[], build: (ids: number[]) => BinanceControl): void {
    const byWorker = new Map<number, number[]>();
    for (const route of routes) {
      const worker = this.transport.workerOf(route.symbolId);
      const ids = byWorker.get(worker) ?? [];
      ids.push(route.id);
      byWorker.set(worker, ids);
    }
    for (const [worker, ids] of byWorker) this.sendControl(worker, build(ids));
  }

  private sendControl(worker: number, message: BinanceControl): boolean {
    return this.transport.sendControl(worker, JSON.stringify(message));
  }

  private async addSymbolsNow(symbols: readonly string[]): Promise<void> {
    const wanted = symbols.filter((symbol) => !this.entries.has(symbol));
    if (wanted.length === 0) return;
    const info = await this.rest.exchangeInfo();
    if (typeof info !== 'object' || info === null || !Array.isArray(info.symbols)) {
      throw new TickwireError('FEED_BAD_PAYLOAD', 'exchangeInfo has no symbols array');
    }
    const bySymbol = new Map<string, BinanceSymbolInfo>(info.symbols.map((entry) => [entry.symbol, entry]));
    const missing = wanted.filter((symbol) => !bySymbol.has(symbol));
    if (missing.length > 0) {
      throw new TickwireError(
        'UNKNOWN_SYMBOL',
        `${missing.length} symbol(s) not in ${this.options.restUrl} exchangeInfo: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
      );
    }
    const streams: string[] = [];
    for (const symbol of wanted) {
      const scales = scalesOf(bySymbol.get(symbol)!);
      const symbolId = this.options.registry.register(this.options.venue, symbol, scales);
      const entry: SymbolEntry = { symbol, routes: [] };
      for (const kind of this.options.streams) {
        const name = streamName(symbol, kind, this.options.depthSpeed);
        const interval = klineInterval(kind);
        const routeKind = routeKindOf(kind);
        const route: RouteEntry = {
          id: this.nextRouteId++,
          stream: name,
          kind: routeKind,
          symbol,
          symbolId,
          info: packStreamInfo({
            kind: routeKind,
            priceScale: scales.priceScale,
            sizeScale: scales.sizeScale,
            venueId: this.venueId,
            interval: interval === undefined ? 0 : barIntervalCode(interval),
          }),
          diffRefused: false,
        };
        this.routesById[route.id] = route;
        if (routeKind === 'depthDiff') this.depthRouteCount++;
        this.table.set(name, route);
        entry.routes.push(route);
        streams.push(name);
      }
      this.entries.set(symbol, entry);
    }
    this.manager.add(streams);
  }

  /**
   * The snapshot of book `id` was older than a diff it held. If none of its diffs was refused since
   * it asked, the diffs were all there: this exchange's REST lags its streams, so a diff received
   * before a request may be newer than the snapshot, and from now on all are passed on (onFrame).
   * A refused diff (input ring full) explains it otherwise: the book only asks again.
   */
  private noteStaleSnapshot(id: number): void {
    const route = this.routesById[id];
    if (route !== undefined && !route.diffRefused) this.holdBackQueuedDiffs = false;
  }

  /** A book (route `id`) wants a snapshot: one request per book at a time, paced per book and per worker. */
  private requestSnapshot(id: number): void {
    const route = this.routesById[id];
    if (this.feedState === 'stopped' || route === undefined) return;
    route.diffRefused = false;
    this.snapshots.request(id);
  }

  /** Fetches the snapshot and sends it, unparsed, through the ring of the worker that owns the book. */
  private async fetchSnapshot(id: number): Promise<SnapshotOutcome> {
    const route = this.routesById[id];
    if (route === undefined) return 'dropped';
    let bytes: Uint8Array;
    try {
      bytes = await this.rest.depthBytes(
        route.symbol,
        this.options.snapshotLimit ??
          fittedSnapshotLimit(this.depthRouteCount, this.options.restWeightPerMinute),
      );
    } catch (error) {
      this.lastMalformed = `snapshot of ${route.symbol}: ${(error as Error).message}`;
      return this.feedState === 'stopped' || this.routesById[id] !== route ? 'dropped' : 'failed';
    }
    if (this.feedState === 'stopped' || this.routesById[id] !== route) return 'dropped';
    this.snapshots.handingOver(id);
    const now = readClock();
    // Refused only while the owning worker is down; its successor asks again.
    return this.transport.offerSnapshot(route.symbolId, route.id, route.info, bytes, now.ms, now.nanosOfMs)
      ? 'delivered'
      : 'dropped';
  }

  private requireRunning(operation: string): void {
    if (this.feedState !== 'running') {
      throw new TickwireError(
        'FEED_STATE',
        `BinanceFeed.${operation}() called in state ${this.feedState}; the feed must be running`,
      );
    }
  }
}

function checkOptions(options: BinanceFeedOptions): void {
  const {
    restUrl,
    wsUrl,
    venue,
    streams,
    depthSpeed,
    snapshotLimit,
    snapshotConcurrency,
    registry,
    sink,
    pipeline,
  } = options;
  if (typeof restUrl !== 'string' || !/^https?:\/\//.test(restUrl)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `restUrl must start with http:// or https://, got ${JSON.stringify(restUrl)}`,
    );
  }
  if (typeof wsUrl !== 'string' || !/^wss?:\/\//.test(wsUrl)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `wsUrl must start with ws:// or wss://, got ${JSON.stringify(wsUrl)}`,
    );
  }
  if (!(VENUES as readonly string[]).includes(venue)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `venue must be one of ${VENUES.join(', ')}, got ${JSON.stringify(venue)}`,
    );
  }
  checkSymbols(options.symbols);
  if (!Array.isArray(streams) || streams.length === 0) {
    throw new TickwireError(
      'BAD_CONFIG',
      'streams must be a non-empty array of stream kinds (trade, aggTrade, bookTicker, depth, …)',
    );
  }
  for (const kind of streams) {
    if (typeof kind !== 'string' || !isBinanceStreamKind(kind)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `stream kind ${JSON.stringify(kind)} is not one of trade, aggTrade, bookTicker, depth, depth5, depth10, depth20, kline_<interval>`,
      );
    }
  }
  if (new Set(streams).size !== streams.length) {
    throw new TickwireError('BAD_CONFIG', `streams lists a kind twice: ${streams.join(', ')}`);
  }
  if (!(DEPTH_SPEEDS as readonly string[]).includes(depthSpeed)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `depthSpeed must be one of ${DEPTH_SPEEDS.join(', ')}, got ${JSON.stringify(depthSpeed)}`,
    );
  }
  if (
    snapshotLimit !== undefined &&
    !(Number.isInteger(snapshotLimit) && snapshotLimit >= 1 && snapshotLimit <= 5000)
  ) {
    throw new TickwireError(
      'BAD_CONFIG',
      `snapshotLimit must be an integer 1..5000, got ${String(snapshotLimit)}`,
    );
  }
  if (!(Number.isInteger(options.snapshotsPerWorker) && options.snapshotsPerWorker >= 1)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `snapshotsPerWorker must be an integer >= 1, got ${String(options.snapshotsPerWorker)}`,
    );
  }
  if (!(Number.isInteger(snapshotConcurrency) && snapshotConcurrency >= 1)) {
    throw new TickwireError(
      'BAD_CONFIG',
      `snapshotConcurrency must be an integer >= 1, got ${String(snapshotConcurrency)}`,
    );
  }
  if (typeof registry?.register !== 'function') {
    throw new TickwireError('BAD_CONFIG', 'registry must be a SymbolRegistry');
  }
  if ((pipeline === undefined) === (sink === undefined)) {
    throw new TickwireError(
      'BAD_CONFIG',
      'give exactly one of pipeline (a TickPipeline started with binanceNormalizer()) and sink',
    );
  }
  if (sink !== undefined && (typeof sink.claim !== 'function' || typeof sink.commit !== 'function')) {
    throw new TickwireError('BAD_CONFIG', 'sink must have claim(symbolId) and commit()');
  }
  if (pipeline !== undefined && pipeline.normalizerName !== BINANCE_NORMALIZER_NAME) {
    throw new TickwireError(
      'BAD_CONFIG',
      `pipeline must be started with normalizer binanceNormalizer(), got ${JSON.stringify(pipeline.normalizerName ?? 'none')}`,
    );
  }
}

function checkSymbols(symbols: readonly string[]): void {
  if (!Array.isArray(symbols) || symbols.length === 0) {
    throw new TickwireError('BAD_CONFIG', 'symbols must be a non-empty array of Binance symbols (BTCUSDT)');
  }
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (typeof symbol !== 'string' || !SYMBOL_NAME.test(symbol)) {
      throw new TickwireError(
        'BAD_CONFIG',
        `symbol ${JSON.stringify(symbol)} must be 1-32 characters of A-Z and 0-9 (uppercase)`,
      );
    }
    if (seen.has(symbol)) throw new TickwireError('BAD_CONFIG', `symbol ${symbol} is listed twice`);
    seen.add(symbol);
  }
}
