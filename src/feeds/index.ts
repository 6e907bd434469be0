/** Market-data feeds: the Binance Spot adapter (it reads the simulator over sockets like any exchange). */

export * from './binance/index.ts';
export type { TickSink } from './tick-sink.ts';
