import * as signals from 'trading-signals';
import { MemoryBus } from '../src/bus/index.ts';
import {
  type Bar,
  type FeatureMessage,
  FeaturesEngine,
  INDICATORS,
  type IndicatorDefinition,
} from '../src/engines/index.ts';
import { SIDE, Tick } from '../src/wire/index.ts';
import { type Bench, percentile } from './harness.ts';

/**
 * The features engine (docs/FEATURES.md, "Benchmark"): 1,000 symbols, 1 s bars, 30 indicators on
 * each (FEATURES below: 25 indicators, five of them twice with other periods). The baseline is the
 * same engine, on the same trades, with every indicator computed by trading-signals instead
 * (each catalog entry's `create` pointed at trading-signals' class for the run): the bars, the bus
 * and the publishing are the same, only the indicator library differs.
 *
 * - `indicator_updates_per_s`: trades fed as fast as the engine takes them (the market's clock
 *   runs as fast as the trades' times: a replay), indicator updates (closed bars × 30) per second
 *   of wall time, everything included (bars from trades, updates, publishing on the bus).
 * - `close_to_publish_p99_ms`: trades paced in real time (exchange time = now), and each feature
 *   value's latency from its bar's end (the bar's close time) to its arrival at a bus subscriber.
 *   It includes the wait for the market's clock to pass the bar's end (the engine closes bars on
 *   trades and sweeps every 250 ms of market time), as a user reading the feature gets it.
 */

const SYMBOLS = 1_000;
/** Trades per symbol per second of market time. */
const TRADES_PER_SYMBOL_PER_S = 5;
const FEATURES = [
  'sma-20',
  'sma-50',
  'ema-20',
  'ema-50',
  'wma-20',
  'dema-20',
  'tema-20',
  'kama-10-2-30',
  'rsi-14',
  'rsi-7',
  'stoch-14-3-3',
  'stochrsi-14-14-3-3',
  'macd-12-26-9',
  'bb-20-2',
  'bb-50-2',
  'atr-14',
  'atr-7',
  'adx-14',
  'cci-20',
  'roc-10',
  'mom-10',
  'willr-14',
  'obv',
  'mfi-14',
  'vwap',
  'keltner-20-2-10',
  'donchian-20',
  'psar-0_02-0_2',
  'aroon-25',
  'slope-14',
];

type Candle = { open: number; high: number; low: number; close: number; volume: number };
const candle = (bar: Bar): Candle => ({
  open: bar.open,
  high: bar.high,
  low: bar.low,
  close: bar.close,
  volume: bar.volume,
});

/** The trading-signals object for each indicator of FEATURES, fed what it takes. */
const TRADING_SIGNALS: Record<string, (params: readonly number[]) => (bar: Bar) => unknown> = {
  sma: ([n]) => close(new signals.SMA(n!)),
  ema: ([n]) => close(new signals.EMA(n!)),
  wma: ([n]) => close(new signals.WMA(n!)),
  dema: ([n]) => close(new signals.DEMA(n!)),
  tema: ([n]) => close(new signals.TEMA(n!)),
  kama: ([n]) => close(new signals.KAMA(n!)),
  rsi: ([n]) => close(new signals.RSI(n!)),
  stoch: ([n, k, d]) =>
    whole(new signals.StochasticOscillator({ kPeriod: n!, kSlowingPeriod: k!, dPeriod: d! })),
  stochrsi: ([n]) => close(new signals.StochasticRSI(n!)),
  macd: ([fast, slow, signal]) =>
    close(new signals.MACD(new signals.EMA(fast!), new signals.EMA(slow!), new signals.EMA(signal!))),
  bb: ([n, k]) => close(new signals.BollingerBands(n!, k!)),
  atr: ([n]) => whole(new signals.ATR(n!)),
  adx: ([n]) => whole(new signals.ADX(n!)),
  cci: ([n]) => whole(new signals.CCI(n!)),
  roc: ([n]) => close(new signals.ROC(n!)),
  mom: ([n]) => close(new signals.MOM(n!)),
  willr: ([n]) => whole(new signals.WilliamsR(n!)),
  obv: () => whole(new signals.OBV(1)),
  mfi: ([n]) => whole(new signals.MFI(n!)),
  vwap: () => whole(new signals.VWAP()),
  keltner: ([n, k, m]) =>
    whole(new signals.KeltnerChannels({ emaInterval: n!, multiplier: k!, atrInterval: m! })),
  donchian: ([n]) => whole(new signals.DonchianChannels(n!)),
  psar: ([step, max]) => whole(new signals.PSAR({ accelerationStep: step!, accelerationMax: max! })),
  aroon: ([n]) => whole(new signals.Aroon(n!)),
  slope: ([n]) => close(new signals.LinearRegression(n!)),
};

function close(indicator: { add(price: number): unknown }): (bar: Bar) => unknown {
  return (bar) => indicator.add(bar.close);
}

function whole(indicator: { add(candle: Candle): unknown }): (bar: Bar) => unknown {
  return (bar) => indicator.add(candle(bar));
}

/** Runs `body` with every catalog indicator computed by trading-signals, then restores the catalog. */
async function withTradingSignals<T>(body: () => Promise<T>): Promise<T> {
  const saved = new Map<IndicatorDefinition, IndicatorDefinition['create']>();
  for (const definition of INDICATORS) {
    const make = TRADING_SIGNALS[definition.name];
    if (make === undefined) continue;
    saved.set(definition, definition.create);
    (definition as { create: IndicatorDefinition['create'] }).create = (params) => {
      const update = make(params);
      return {
        update: (bar) => {
          const value = update(bar);
          // Their values as the engine publishes them: a number, or an object of numbers.
          return value === null || value === undefined ? null : (value as never);
        },
      };
    };
  }
  try {
    return await body();
  } finally {
    for (const [definition, create] of saved)
      (definition as { create: IndicatorDefinition['create'] }).create = create;
  }
}

/** A deterministic stream of trades: `seconds` of market time from `startMs`, every symbol trading. */
function* trades(seconds: number, startMs: number): Generator<[topic: string, tick: Uint8Array]> {
  let state = 12_345;
  const random = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const prices = Array.from({ length: SYMBOLS }, (_, i) => 1_000_000 + i * 1_000);
  const topics = Array.from({ length: SYMBOLS }, (_, i) => `md.trade.SIM.S${i}`);
  const tick = new Tick();
  const perStep = SYMBOLS;
  const steps = seconds * TRADES_PER_SYMBOL_PER_S;
  for (let step = 0; step < steps; step++) {
    const time = startMs + Math.floor((step * 1_000) / TRADES_PER_SYMBOL_PER_S);
    for (let s = 0; s < perStep; s++) {
      prices[s] = Math.max(1_000, prices[s]! + Math.round((random() - 0.5) * 200));
      const bytes = new Uint8Array(64);
      tick
        .wrap(bytes)
        .writeTrade(
          1,
          s,
          2,
          4,
          step,
          random() < 0.5 ? SIDE.buy : SIDE.sell,
          time + (s % 50),
          0,
          time,
          0,
          prices[s]!,
          1 + Math.floor(random() * 10_000),
          step * SYMBOLS + s,
        );
      yield [topics[s]!, bytes];
    }
  }
}

/** The engine fed `seconds` of market as fast as it goes: indicator updates per second of wall time. */
async function throughput(seconds: number): Promise<{ updatesPerS: number; bars: number }> {
  const bus = new MemoryBus();
  const engine = new FeaturesEngine({ bars: ['1s'], features: FEATURES });
  let bars = 0;
  bus.subscribe('bars.>', () => bars++);
  let values = 0;
  bus.subscribe('features.>', () => values++);
  await engine.start(bus);
  const input = [...trades(seconds, 1_763_719_200_000)];
  const started = performance.now();
  for (const [topic, tick] of input) bus.publish(topic, tick);
  const elapsedS = (performance.now() - started) / 1_000;
  await engine.stop();
  await bus.close();
  if (values === 0) throw new Error('no feature values were published');
  return { updatesPerS: (bars * FEATURES.length) / elapsedS, bars };
}

/** Trades paced in real time for `seconds`: each value's latency from its bar's end, ms. */
async function latency(seconds: number): Promise<number[]> {
  const bus = new MemoryBus();
  const engine = new FeaturesEngine({ bars: ['1s'], features: FEATURES });
  const latencies: number[] = [];
  bus.subscribe('features.>', (payload) => latencies.push(Date.now() - (payload as FeatureMessage).time));
  await engine.start(bus);
  const startMs = Math.ceil(Date.now() / 1_000) * 1_000;
  const stream = trades(seconds, startMs);
  let next = stream.next();
  // Each step's trades go out when their time comes: the market runs at the wall clock's pace.
  while (!next.done) {
    const due = new Tick().wrap(next.value[1]).receiveMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    for (let i = 0; i < SYMBOLS && !next.done; i++, next = stream.next())
      bus.publish(next.value[0], next.value[1]);
  }
  await engine.stop();
  await bus.close();
  return latencies;
}

const bench: Bench = {
  name: 'features',
  description:
    'features engine: indicator updates per second and close-to-publish latency, 1,000 symbols × 30 indicators, against trading-signals',
  async run(ctx) {
    const seconds = ctx.quick ? 20 : 120;
    const liveSeconds = ctx.quick ? 3 : 30;
    ctx.note(
      `${SYMBOLS} symbols × ${FEATURES.length} indicators, 1 s bars, ${TRADES_PER_SYMBOL_PER_S} trades per symbol per second`,
    );
    // Warm both up once, so that neither pays the JIT in its measured run.
    await throughput(3);
    await withTradingSignals(() => throughput(3));
    const ours = await throughput(seconds);
    const theirs = await withTradingSignals(() => throughput(seconds));
    ctx.report({
      metric: 'indicator_updates_per_s',
      value: ours.updatesPerS,
      unit: 'updates/s',
      better: 'higher',
      baseline: 'the same engine with trading-signals indicators',
      baseline_value: theirs.updatesPerS,
      symbols: SYMBOLS,
      indicators: FEATURES.length,
      bars: ours.bars,
      market_seconds: seconds,
    });
    const ourLatency = await latency(liveSeconds);
    const theirLatency = await withTradingSignals(() => latency(liveSeconds));
    ctx.report({
      metric: 'close_to_publish_p99_ms',
      value: percentile(ourLatency, 99),
      unit: 'ms',
      better: 'lower',
      baseline: 'the same engine with trading-signals indicators',
      baseline_value: percentile(theirLatency, 99),
      p50_ms: percentile(ourLatency, 50),
      baseline_p50_ms: percentile(theirLatency, 50),
      values: ourLatency.length,
      live_seconds: liveSeconds,
    });
  },
};

export default bench;
