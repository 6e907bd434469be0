import type { Logger } from 'pino';
import type { TickwireConfig } from '../config/index.ts';
import { TickwireError } from '../errors.ts';
import { BinanceFeed, type BinanceFeedHealth, type BinanceKlineRow, type BookView } from '../feeds/index.ts';
import type { TickPipeline } from '../pipeline/index.ts';
import { type ExchangeSimulator, simulatedUniverse } from '../simulator/index.ts';
import type { SymbolRegistry, Venue } from '../wire/index.ts';

/** The node's market-data source: the Binance adapter, reading Binance or the built-in simulator. */
export interface MarketFeed {
  readonly venue: Venue;
  health(): BinanceFeedHealth;
  /** The node's own book of the symbol, best `levels` a side; undefined without a depth stream. */
  book(symbol: string, levels: number): Promise<BookView | undefined>;
  /** Candles from the venue's REST API (its request weight counted with the snapshots'). */
  klines(symbol: string, interval: string, limit: number): Promise<BinanceKlineRow[]>;
  stop(): Promise<void>;
}

/**
 * Starts what `--feed` asks for, on a pipeline started with the Binance normalizer. `sim` reads
 * the node's Binance-compatible simulator (started by the platform) through the same adapter as
 * real Binance, so the path a simulated tick takes is the path a real one takes; its symbols are
 * published under venue SIM.
 */
export async function startMarketFeed(
  config: TickwireConfig,
  registry: SymbolRegistry,
  pipeline: TickPipeline,
  log: Logger,
  simulator: ExchangeSimulator | undefined,
): Promise<MarketFeed | undefined> {
  if (config.feed === 'none') return undefined;
  const venue: Venue = simulator ? 'SIM' : 'BINANCE';
  const restUrl = simulator?.url ?? config.binanceRestUrl;
  const wsUrl = simulator?.wsUrl ?? config.binanceWsUrl;
  const symbols = simulator ? simulatedNames(config.symbols) : await listedNames(config.symbols, restUrl);
  if (simulator) log.info({ rest: simulator.url, ws: simulator.wsUrl }, 'exchange simulator listening');
  const feed = new BinanceFeed({
    restUrl,
    wsUrl,
    venue,
    symbols,
    streams: config.feedStreams,
    registry,
    pipeline,
    streamsPerConnection: pipeline.settings.streamsPerConnection,
  });
  await feed.start();
  return {
    venue,
    health: () => feed.health(),
    book: (symbol, levels) => feed.inspectBook(symbol, levels),
    klines: (symbol, interval, limit) => feed.klines(symbol, interval, limit),
    stop: () => feed.stop(),
  };
}

function simulatedNames(symbols: TickwireConfig['symbols']): string[] {
  return typeof symbols === 'number' ? simulatedUniverse(symbols).map((entry) => entry.symbol) : [...symbols];
}

/** `--symbols N` on Binance: the first N symbols exchangeInfo lists as trading. */
async function listedNames(symbols: TickwireConfig['symbols'], restUrl: string): Promise<string[]> {
  if (typeof symbols !== 'number') return [...symbols];
  const url = `${restUrl}/api/v3/exchangeInfo`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => {
    throw new TickwireError('FEED_REST_FAILED', `GET ${url} failed: ${(error as Error).message}`);
  });
  if (!response.ok) throw new TickwireError('FEED_REST_FAILED', `GET ${url} answered ${response.status}`);
  const info = (await response.json()) as { symbols?: { symbol: string; status: string }[] };
  return (info.symbols ?? [])
    .filter((entry) => entry.status === 'TRADING')
    .slice(0, symbols)
    .map((entry) => entry.symbol);
}
