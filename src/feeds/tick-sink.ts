import type { Tick } from '../wire/index.ts';

/**
 * Where a producer of finished ticks writes them (the replay, tests): claim a slot for a symbol,
 * write the tick into it, commit. `TickPipeline` implements it; a refused claim (undefined) means
 * the tick was dropped and counted by the sink.
 */
export interface TickSink {
  claim(symbolId: number): Tick | undefined;
  commit(): void;
}
