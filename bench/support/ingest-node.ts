/**
 * The ingest path the `ingest` benchmark measures, wired in one place: simulator sockets →
 * BinanceFeed (stream lookup, receive stamp) → TickPipeline (raw frames through the input rings;
 * the workers' Binance normalizer parses them, keeps the books and writes ticks; drain) →
 * MemoryBus → one subscriber on `md.>` that counts every tick and records its latency. When the feed or the
 * pipeline changes how they are joined, this function is the only benchmark code to adapt.
 */
import { allMarketData, MemoryBus, type Payload } from '../../src/bus/index.ts';
import { BinanceFeed, binanceNormalizer } from '../../src/feeds/binance/index.ts';
import {
  DROP_REASONS,
  FRAME_DROP_REASONS,
  type PipelineProfileName,
  resolvePipelineSettings,
  TickPipeline,
} from '../../src/pipeline/index.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';
import { LatencyHistogram } from './ingest-latency.ts';
import { DEPTH_SPEED, STREAM_MIX } from './ingest-protocol.ts';

export interface IngestNodeOptions {
  restUrl: string;
  wsUrl: string;
  symbols: readonly string[];
  profile: PipelineProfileName;
}

/**
 * Running totals since the node started; the benchmark takes differences over a window. Drops are
 * by reason, each prefixed with where it happened: `frame.` (a raw frame the pipeline refused,
 * e.g. its input ring was full), `tick.` (the pipeline's tick input policy), `output.` (a tick a
 * worker's normalizer found no output slot for), `feed.` (the adapter refused or the sink refused).
 */
export interface IngestNodeCounters {
  /** Frames the feed's sockets delivered to the adapter. */
  frames: number;
  /** Frames written into the workers' input rings, and frames their normalizers parsed. */
  framesWritten: number;
  framesNormalized: number;
  /** Ticks the normalizers wrote (from frames; snapshot ticks not included). */
  ticksWritten: number;
  /** Ticks the subscriber received from the bus. */
  published: number;
  dropped: Record<string, number>;
  malformed: number;
  gaps: number;
  snapshots: number;
}

export interface IngestNodeHealth {
  connections: number;
  connectionsLive: number;
  unconfirmed: number;
  books: number;
  booksInSync: number;
  snapshotsPending: number;
}

export interface IngestNode {
  readonly workers: number;
  readonly streamsPerConnection: number;
  /** Publish time (the wall clock in the bus handler, as readClock reads it) minus the tick's receive time, every tick. */
  readonly fromReceive: LatencyHistogram;
  /** Publish time minus the tick's exchange time (the simulator's event time, whole ms). */
  readonly fromExchange: LatencyHistogram;
  counters(): IngestNodeCounters;
  health(): IngestNodeHealth;
  stop(): Promise<void>;
}

/**
 * Binance's own limits on dials and REST weight are lifted here and in the simulator (its
 * requestWeightPerMinute, set by bench/support/ingest-simulator.ts): at 50,000 symbols they
 * would stretch the warm-up to hours (one snapshot per book). A snapshot
 * round trip to the busy simulator takes 20-70 ms, so 64 at a time reach about 1,000 a second.
 */
const SIMULATOR_FEED_LIMITS = {
  minDialIntervalMs: 1,
  connectionsPerWindow: 100_000,
  restWeightPerMinute: 100_000_000,
  snapshotConcurrency: 64,
  snapshotsPerWorker: 64,
} as const;

/** Byte offsets of a tick's exchange and receive times, u64 nanoseconds since the epoch (docs/WIRE.md). */
const EXCHANGE_TIME_BYTE = 16;
const RECEIVE_TIME_BYTE = 24;

function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** `INGEST_WORKERS=<n>` overrides the profile's worker threads (0: inline), to compare the two. */
function workersOverride(): number | undefined {
  const text = process.env.INGEST_WORKERS;
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text))
    throw new Error(`INGEST_WORKERS must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

export async function startIngestNode(options: IngestNodeOptions): Promise<IngestNode> {
  const workers = workersOverride();
  const settings = resolvePipelineSettings(options.profile, { workers });
  const registry = new SymbolRegistry();
  const bus = new MemoryBus();
  const fromReceive = new LatencyHistogram();
  const fromExchange = new LatencyHistogram();
  let published = 0;
  // Times are read from the payload's bytes (no Tick view: each payload is a fresh buffer, and a
  // view per tick would cost the subscriber an allocation) relative to a base time, so that the
  // subtraction is exact in floating point; readClock's own resolution is about 0.25 µs.
  const baseMs = Math.floor(performance.timeOrigin);
  const baseNs = BigInt(baseMs) * 1_000_000n;
  const baseHi = Number(baseNs >> 32n);
  const baseLo = Number(baseNs & 0xffff_ffffn);
  const originOffsetMs = performance.timeOrigin - baseMs;
  const sinceBaseNs = (bytes: Uint8Array, at: number) =>
    (u32At(bytes, at + 4) - baseHi) * 2 ** 32 + (u32At(bytes, at) - baseLo);
  const unsubscribe = bus.subscribe(allMarketData(), (payload: Payload) => {
    const bytes = payload as Uint8Array;
    const nowNs = (originOffsetMs + performance.now()) * 1e6;
    fromReceive.record(nowNs - sinceBaseNs(bytes, RECEIVE_TIME_BYTE));
    fromExchange.record(nowNs - sinceBaseNs(bytes, EXCHANGE_TIME_BYTE));
    published++;
  });

  const pipeline = await TickPipeline.start({
    registry,
    bus,
    profile: options.profile,
    workers,
    normalizer: binanceNormalizer(),
  });
  let feed: BinanceFeed;
  try {
    feed = new BinanceFeed({
      restUrl: options.restUrl,
      wsUrl: options.wsUrl,
      venue: 'SIM',
      symbols: options.symbols,
      streams: STREAM_MIX,
      depthSpeed: DEPTH_SPEED,
      registry,
      pipeline,
      streamsPerConnection: settings.streamsPerConnection,
      ...SIMULATOR_FEED_LIMITS,
    });
    await feed.start();
  } catch (error) {
    await pipeline.stop();
    throw error;
  }

  return {
    workers: settings.workers,
    streamsPerConnection: settings.streamsPerConnection,
    fromReceive,
    fromExchange,
    counters() {
      const stats = pipeline.stats();
      const health = feed.health();
      const dropped: Record<string, number> = {};
      for (const reason of FRAME_DROP_REASONS) dropped[`frame.${reason}`] = stats.frames.dropped[reason];
      for (const reason of DROP_REASONS) dropped[`tick.${reason}`] = stats.dropped[reason];
      dropped['output.refused'] = stats.workers.reduce((total, worker) => total + worker.outputRefused, 0);
      dropped['feed.sinkRefused'] = health.mapper.sinkRefused + health.books.sinkRefused;
      return {
        frames: health.mapper.frames,
        framesWritten: stats.frames.written,
        framesNormalized: health.mapper.normalized,
        ticksWritten: health.mapper.ticks,
        published,
        dropped,
        malformed: health.mapper.malformed,
        gaps: health.books.gaps,
        snapshots: health.books.snapshots,
      };
    },
    health() {
      const health = feed.health();
      return {
        connections: health.totals.connections,
        connectionsLive: health.totals.byState.live,
        unconfirmed: health.totals.unconfirmed,
        books: health.books.books,
        booksInSync: health.books.inSync,
        snapshotsPending: health.rest.snapshotsQueued + health.rest.snapshotsInFlight,
      };
    },
    async stop() {
      await feed.stop();
      await pipeline.stop();
      unsubscribe();
      await bus.close();
    },
  };
}
