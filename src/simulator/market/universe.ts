import { SeededRandom } from './random.ts';

/** One simulated instrument: its name, starting price and decimals (as an exchange's tick and lot sizes). */
export interface SimulatedSymbol {
  symbol: string;
  /** Starting mid price. */
  price: number;
  /** Decimals of a price (Binance's tickSize 0.01 is 2). */
  priceScale: number;
  /** Decimals of a quantity (Binance's stepSize 0.00001 is 5). */
  sizeScale: number;
}

/**
 * The head of the simulated universe: real pairs at realistic prices and Binance's tick and lot
 * decimals, so `npm start` looks like a market. The rest are synthetic (S00030USDT, …).
 */
const LEADING_SYMBOLS: readonly SimulatedSymbol[] = [
  { symbol: 'BTCUSDT', price: 97_000, priceScale: 2, sizeScale: 5 },
  { symbol: 'ETHUSDT', price: 3_400, priceScale: 2, sizeScale: 4 },
  { symbol: 'BNBUSDT', price: 620, priceScale: 2, sizeScale: 3 },
  { symbol: 'SOLUSDT', price: 240, priceScale: 2, sizeScale: 3 },
  { symbol: 'XRPUSDT', price: 1.4, priceScale: 4, sizeScale: 1 },
  { symbol: 'DOGEUSDT', price: 0.38, priceScale: 5, sizeScale: 0 },
  { symbol: 'ADAUSDT', price: 0.95, priceScale: 4, sizeScale: 1 },
  { symbol: 'TRXUSDT', price: 0.2, priceScale: 4, sizeScale: 1 },
  { symbol: 'AVAXUSDT', price: 38, priceScale: 2, sizeScale: 2 },
  { symbol: 'LINKUSDT', price: 18, priceScale: 2, sizeScale: 2 },
  { symbol: 'DOTUSDT', price: 7.5, priceScale: 3, sizeScale: 2 },
  { symbol: 'LTCUSDT', price: 95, priceScale: 2, sizeScale: 3 },
  { symbol: 'BCHUSDT', price: 450, priceScale: 1, sizeScale: 3 },
  { symbol: 'SHIBUSDT', price: 0.000024, priceScale: 8, sizeScale: 0 },
  { symbol: 'UNIUSDT', price: 12, priceScale: 3, sizeScale: 2 },
  { symbol: 'ATOMUSDT', price: 8, priceScale: 3, sizeScale: 2 },
  { symbol: 'XLMUSDT', price: 0.35, priceScale: 4, sizeScale: 0 },
  { symbol: 'NEARUSDT', price: 5.5, priceScale: 3, sizeScale: 1 },
  { symbol: 'APTUSDT', price: 11, priceScale: 3, sizeScale: 2 },
  { symbol: 'ARBUSDT', price: 0.8, priceScale: 4, sizeScale: 1 },
  { symbol: 'OPUSDT', price: 1.9, priceScale: 4, sizeScale: 2 },
  { symbol: 'FILUSDT', price: 5, priceScale: 3, sizeScale: 2 },
  { symbol: 'INJUSDT', price: 25, priceScale: 2, sizeScale: 2 },
  { symbol: 'SUIUSDT', price: 3.5, priceScale: 4, sizeScale: 1 },
  { symbol: 'PEPEUSDT', price: 0.000018, priceScale: 8, sizeScale: 0 },
  { symbol: 'TONUSDT', price: 5.5, priceScale: 3, sizeScale: 2 },
  { symbol: 'ICPUSDT', price: 10, priceScale: 3, sizeScale: 2 },
  { symbol: 'ETCUSDT', price: 27, priceScale: 2, sizeScale: 2 },
  { symbol: 'AAVEUSDT', price: 190, priceScale: 2, sizeScale: 3 },
];

/** Seed of the synthetic part of the universe; fixed so the same count always gives the same symbols. */
const UNIVERSE_SEED = 20_261_121;

/**
 * The simulated universe: `count` symbols (BTCUSDT and ETHUSDT first), or the named symbols,
 * each named one taking its row from the leading table when it has one. Deterministic: the same
 * argument always gives the same list in the same order, so symbol ids are stable across restarts.
 */
export function simulatedUniverse(spec: number | readonly string[]): SimulatedSymbol[] {
  const random = new SeededRandom(UNIVERSE_SEED);
  if (typeof spec !== 'number') {
    return spec.map(
      (symbol) => LEADING_SYMBOLS.find((row) => row.symbol === symbol) ?? synthetic(symbol, random),
    );
  }
  const universe = LEADING_SYMBOLS.slice(0, spec);
  for (let i = universe.length; i < spec; i++) {
    universe.push(synthetic(`S${String(i).padStart(5, '0')}USDT`, random));
  }
  return universe;
}

/** A synthetic symbol: a log-uniform price between 0.001 and 10,000 with decimals that suit it. */
function synthetic(symbol: string, random: SeededRandom): SimulatedSymbol {
  const price = Number((10 ** (-3 + 7 * random.next())).toPrecision(5));
  const magnitude = Math.floor(Math.log10(price));
  return {
    symbol,
    price,
    // About six significant digits of price, as exchanges' tick sizes give.
    priceScale: Math.min(8, Math.max(0, 5 - magnitude)),
    // A lot worth roughly a cent to a dollar.
    sizeScale: Math.min(8, Math.max(0, magnitude + 1)),
  };
}
