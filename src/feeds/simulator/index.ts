export { type MarketEventKind, PriceProcess } from './price-process.ts';
export { SeededRandom } from './random.ts';
export { SIM_VENUE, SimulatedFeed, type SimulatedFeedOptions, type TickSink } from './sim-feed.ts';
export { type SimulatedSymbol, simulatedUniverse } from './universe.ts';
