import * as hdr from 'hdr-histogram-js';

/** Latencies are recorded in µs, 1 µs to 60 s, three significant digits (HDR's usual precision). */
const HIGHEST_US = 60_000_000;

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
  });
}

/** Records `us` (clamped to the histogram's range: a clock step must not throw). */
export function recordUs(histogram: Histogram, us: number): void {
  histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
}

/** Per event type, the histograms of one interval, sent to the runner as compressed base64. */
export class IntervalHistograms {
  private byType = new Map<string, Histogram>();

  record(type: string, us: number): void {
    let histogram = this.byType.get(type);
    if (histogram === undefined) this.byType.set(type, (histogram = newHistogram()));
    recordUs(histogram, us);
  }

  /** The interval's histograms, encoded, and a fresh interval. */
  take(): Record<string, string> {
    const encoded: Record<string, string> = {};
    for (const [type, histogram] of this.byType) {
      if (histogram.totalCount > 0) encoded[type] = hdr.encodeIntoCompressedBase64(histogram);
      histogram.destroy();
    }
    this.byType = new Map();
    return encoded;
  }
}

export function decodeHistogram(encoded: string): Histogram {
  return hdr.decodeFromCompressedBase64(encoded);
}

/** The percentiles a report shows, in µs. */
export interface LatencyFigures {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function figuresOf(histogram: Histogram): LatencyFigures {
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}
