import type { MessageBus } from '../bus/index.ts';
import type { Gateway } from '../gateway/index.ts';
import { assessHealth, type NodeHealth } from '../monitor/index.ts';
import type { TickPipeline } from '../pipeline/index.ts';
import type { TradingService } from '../trading/index.ts';
import type { MarketFeed } from './market-feed.ts';

export interface NodeStatusSources {
  bus: MessageBus;
  pipeline: TickPipeline;
  gateway: Gateway;
  trading: TradingService;
  feed: MarketFeed | undefined;
}

/** The node's health (probes, `system.health`) and every component's state (`engine.status`). */
export function nodeStatus({ bus, pipeline, gateway, trading, feed }: NodeStatusSources): {
  health: () => NodeHealth;
  components: () => Record<string, unknown>;
} {
  const health = (): NodeHealth => {
    const workers = pipeline.stats().workers;
    const feedHealth = feed?.health();
    return assessHealth({
      bus: bus.health(),
      workers: { alive: workers.filter((worker) => worker.alive).length, total: workers.length },
      ...(feedHealth
        ? {
            feed: {
              state: feedHealth.state,
              books: feedHealth.books.books,
              inSync: feedHealth.books.inSync,
              connections: feedHealth.connections,
            },
          }
        : {}),
      trading: trading.health(),
    });
  };
  const components = (): Record<string, unknown> => {
    const stats = pipeline.stats();
    const feedHealth = feed?.health();
    const { kind, state, url, reconnects, rttMs, lastError } = bus.health();
    return {
      feed: feedHealth
        ? {
            state: feedHealth.state,
            venue: feedHealth.venue,
            symbols: feedHealth.symbols,
            connections: feedHealth.connections.map(
              ({ id, state, streams, lastMessageAgeMs, reconnects }) => ({
                id,
                state,
                streams,
                lastMessageAgeMs,
                reconnects,
              }),
            ),
            books: {
              books: feedHealth.books.books,
              inSync: feedHealth.books.inSync,
              resyncing: feedHealth.books.resyncing,
              gaps: feedHealth.books.gaps,
            },
          }
        : { state: 'none' },
      pipeline: {
        mode: stats.mode,
        ticksPerSecond: stats.ticksPerSecond,
        staleSymbols: stats.stale.count,
        workers: stats.workers.map(({ index, state, restarts, symbols }) => ({
          index,
          state,
          restarts,
          symbols,
        })),
      },
      bus: { kind, state, url, reconnects, rttMs, lastError },
      gateway: {
        connections: gateway.connectionCount,
        deepestQueue: gateway.deepestQueue(),
        backlog: gateway.hub.backlogLength,
      },
      trading: trading.health(),
    };
  };
  return { health, components };
}
