import {
  decodeHistogram,
  figuresOf,
  type Histogram,
  type LatencyFigures,
  newHistogram,
} from './latency-histograms.ts';
import type { WorkerReport } from './worker-protocol.ts';

/** One second of the test, for the progress line and the report's plots. */
export interface TimelinePoint {
  atS: number;
  connected: number;
  deliveries: number;
  /** The busiest client process in that second. */
  generatorCpuPercent: number;
  generatorLagP99Ms: number;
  /** Per event type, that second's p50 and p99 (µs). */
  latency: Record<string, { p50: number; p99: number }>;
}

/**
 * What the client processes report, added up: the run's totals and latency histograms, and each
 * second of it (the timeline).
 */
export class RunTally {
  readonly totals = { deliveries: 0, conflated: 0, recovered: 0, reconnects: 0, resyncs: 0 };
  readonly errors: Record<string, number> = {};
  readonly timeline: TimelinePoint[] = [];
  private readonly cumulative = new Map<string, Histogram>();
  private readonly connectedBy: number[];
  private readonly everConnectedBy: number[];
  private second = new Map<string, Histogram>();
  private secondDeliveries = 0;
  private secondLoad = { cpuPercent: 0, lagP99Ms: 0 };

  constructor(workers: number) {
    this.connectedBy = new Array<number>(workers).fill(0);
    this.everConnectedBy = new Array<number>(workers).fill(0);
  }

  add(worker: number, report: WorkerReport): void {
    this.connectedBy[worker] = report.connected;
    this.everConnectedBy[worker] = Math.max(this.everConnectedBy[worker]!, report.everConnected);
    for (const key of Object.keys(this.totals) as (keyof RunTally['totals'])[])
      this.totals[key] += report[key];
    this.secondDeliveries += report.deliveries;
    this.secondLoad = {
      cpuPercent: Math.max(this.secondLoad.cpuPercent, report.cpuPercent),
      lagP99Ms: Math.max(this.secondLoad.lagP99Ms, report.eventLoopLagP99Ms),
    };
    for (const [code, count] of Object.entries(report.errors))
      this.errors[code] = (this.errors[code] ?? 0) + count;
    for (const [type, encoded] of Object.entries(report.histograms)) {
      const histogram = decodeHistogram(encoded);
      addTo(this.cumulative, type, histogram);
      addTo(this.second, type, histogram);
      histogram.destroy();
    }
  }

  /** Closes the second that ends at `atS` into the timeline, and returns it. */
  endSecond(atS: number): TimelinePoint {
    const point: TimelinePoint = {
      atS,
      connected: this.connectedBy.reduce((a, b) => a + b, 0),
      deliveries: this.secondDeliveries,
      generatorCpuPercent: Math.round(this.secondLoad.cpuPercent),
      generatorLagP99Ms: Math.round(this.secondLoad.lagP99Ms),
      latency: Object.fromEntries(
        [...this.second].map(([type, histogram]) => [
          type,
          { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99) },
        ]),
      ),
    };
    for (const histogram of this.second.values()) histogram.destroy();
    this.second = new Map();
    this.secondDeliveries = 0;
    this.secondLoad = { cpuPercent: 0, lagP99Ms: 0 };
    this.timeline.push(point);
    return point;
  }

  get everConnected(): number {
    return this.everConnectedBy.reduce((a, b) => a + b, 0);
  }

  /** The whole run's figures per event type; the histograms are released. */
  latency(): Record<string, LatencyFigures> {
    const figures = Object.fromEntries(
      [...this.cumulative].map(([type, histogram]) => [type, figuresOf(histogram)]),
    );
    for (const histogram of [...this.cumulative.values(), ...this.second.values()]) histogram.destroy();
    this.cumulative.clear();
    this.second.clear();
    return figures;
  }
}

function addTo(histograms: Map<string, Histogram>, type: string, histogram: Histogram): void {
  let into = histograms.get(type);
  if (into === undefined) histograms.set(type, (into = newHistogram()));
  into.add(histogram);
}
