import { allFeatures, MemoryBus } from '../../bus/index.ts';
import { replay } from '../../recording/index.ts';
import { SymbolRegistry } from '../../wire/index.ts';
import { type FeatureMessage, FeaturesEngine, type FeaturesEngineOptions } from './features-engine.ts';

export interface BatchOptions extends Pick<FeaturesEngineOptions, 'bars' | 'features'> {
  /** The recording's directory (docs/RECORDING.md). */
  dir: string;
  /** Receive-time range, ns. */
  from?: bigint;
  to?: bigint;
}

export interface BatchResult {
  ticks: number;
  values: number;
}

/**
 * Features over a recording: the features engine itself, on a bus of its own, fed the recording as
 * fast as it can be read. The same code on the same ticks in the same order: the values are those
 * the live engine published when the market was recorded (tested).
 */
export async function featuresOfRecording(
  options: BatchOptions,
  onValue: (value: FeatureMessage) => void,
): Promise<BatchResult> {
  const bus = new MemoryBus();
  const engine = new FeaturesEngine({ bars: options.bars, features: options.features });
  let values = 0;
  bus.subscribe(allFeatures(), (payload) => {
    values++;
    onValue(payload as FeatureMessage);
  });
  await engine.start(bus);
  try {
    const handle = replay({
      dir: options.dir,
      speed: 0,
      registry: new SymbolRegistry(),
      bus,
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
    });
    const progress = await handle.done;
    return { ticks: progress.emitted, values };
  } finally {
    await engine.stop();
    await bus.close();
  }
}

/** The CSV columns: one row per output of a value (MACD's three outputs are three rows). */
export const FEATURE_CSV_HEADER = 'time,venue,symbol,feature,spec,output,value';

/** A value as CSV rows (names are topic segments: no commas or quotes to escape). */
export function featureCsvRows(value: FeatureMessage): string[] {
  const prefix = `${value.time},${value.venue},${value.symbol},${value.feature},${value.spec}`;
  if (typeof value.value === 'number') return [`${prefix},value,${value.value}`];
  return Object.entries(value.value).map(([output, number]) => `${prefix},${output},${number}`);
}
