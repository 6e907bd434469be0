/** Market-data feeds: the Binance Spot adapter and the Binance-compatible exchange simulator. */

export * from './binance/index.ts';
export * from './simulator/index.ts';
export type { TickSink } from './tick-sink.ts';
