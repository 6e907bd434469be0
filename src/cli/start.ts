import { pino } from 'pino';
import type { TickwireConfig } from '../config/index.ts';
import { startPlatform } from '../platform/index.ts';

/**
 * `tickwire start`: runs a node until SIGINT or SIGTERM, then shuts down cleanly and exits 0.
 * A second signal while shutting down exits at once.
 */
export async function start(config: TickwireConfig): Promise<void> {
  const log = pino({ level: config.logLevel, base: { service: 'tickwire' } });
  const platform = await startPlatform(config, log);
  log.info(
    {
      url: platform.url,
      feed: config.feed,
      // The broker URL without credentials.
      bus: platform.bus.health().url ?? 'memory',
      workers: config.workers,
      symbols: platform.registry.size,
    },
    `Tickwire is running: dashboard at ${platform.url}/`,
  );
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    platform.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
