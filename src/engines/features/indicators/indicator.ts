import type { Bar } from '../bar-builder.ts';

/** One number, or several named ones (MACD's macd, signal and histogram). A bus payload. */
export type IndicatorValue = number | { [output: string]: number };

/** The book of a symbol as the features engine last saw it, for the microstructure features. */
export interface MarketView {
  /** The last top of book, if a quote has come. */
  quote(): Quote | undefined;
  /** Base amounts on each side within the best `levels` price levels (0 and 0 with no book). */
  depth(levels: number): { bid: number; ask: number };
}

export interface Quote {
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
}

/** One running indicator of one symbol: it sees every closed bar, in order, once. */
export interface Indicator {
  /** Adds a closed bar and returns the value after it, or null while warming up (or undefined). */
  update(bar: Bar, market: MarketView): IndicatorValue | null;
}

export interface IndicatorParam {
  name: string;
  default: number;
  /** Whole numbers only (periods). */
  integer: boolean;
  min: number;
  max: number;
}

/** What the catalog knows of an indicator: how to name it, parameterize it and build it. */
export interface IndicatorDefinition {
  /** The first part of a feature name: `rsi` in `rsi-14`. */
  name: string;
  /** What it computes, with whose definition (docs/FEATURES.md has the formulas). */
  summary: string;
  params: readonly IndicatorParam[];
  /** It reads the book (MarketView), not only bars: the engine then follows quotes and levels. */
  readsBook?: true;
  /** The names of its outputs when it has several. */
  outputs?: readonly string[];
  /** Bars that give no value before the first one that does. */
  warmUp(params: readonly number[]): number;
  create(params: readonly number[]): Indicator;
}

const MAX_PERIOD = 10_000;

/** A period parameter: a whole number of bars. */
export function period(name: string, fallback: number, min = 1): IndicatorParam {
  return { name, default: fallback, integer: true, min, max: MAX_PERIOD };
}

/** A real-valued parameter (a multiplier, an acceleration). */
export function factor(name: string, fallback: number, min: number, max: number): IndicatorParam {
  return { name, default: fallback, integer: false, min, max };
}

/** NaN, the building blocks' "not yet", is null outside. */
export function valueOf(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}
