export { type MarketEventKind, PriceProcess } from './price-process.ts';
export { SeededRandom } from './random.ts';
export { type SimulatedSymbol, simulatedUniverse } from './universe.ts';
export {
  type ExchangeSimulator,
  type ExchangeSimulatorOptions,
  type ExchangeSimulatorStats,
  startExchangeSimulator,
  symbolsOption,
} from './exchange/index.ts';
