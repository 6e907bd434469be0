import {
  constants,
  type EventLoopUtilization,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';
import { listDirectory, readText, round2 } from './read.ts';
import type { GcFigures, ProcessSample } from './samples.ts';

/** The event-loop delay timer's period (ms): the histogram holds delays including it, taken off below. */
const LAG_RESOLUTION_MS = 10;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Parses the soft `Max open files` of /proc/self/limits. */
export function parseOpenFilesLimit(text: string): number | undefined {
  const soft = /^Max open files\s+(\S+)/m.exec(text)?.[1];
  return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
}

/**
 * This process's figures, each over the interval since the previous read: the event-loop delay
 * histogram and the GC tallies are reset at every read, CPU and loop utilization are differences.
 */
export class ProcessMetrics {
  private readonly lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private readonly gcObserver: PerformanceObserver;
  private gc: Record<string, GcFigures> = {};
  private previousUtilization: EventLoopUtilization = performance.eventLoopUtilization();
  private previousCpu = { at: performance.now(), usage: process.cpuUsage() };
  private fdLimit: Promise<number | undefined> | undefined;

  constructor() {
    this.lag.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
        const figures = (this.gc[kind] ??= { count: 0, pauseMs: 0, maxPauseMs: 0 });
        figures.count++;
        figures.pauseMs += entry.duration;
        figures.maxPauseMs = Math.max(figures.maxPauseMs, entry.duration);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  async read(): Promise<ProcessSample> {
    this.fdLimit ??= readText('/proc/self/limits').then((text) =>
      text === undefined ? undefined : parseOpenFilesLimit(text),
    );
    const [fdEntries, fdLimit] = await Promise.all([listDirectory('/proc/self/fd'), this.fdLimit]);
    const memory = process.memoryUsage();
    const now = performance.now();
    const usage = process.cpuUsage();
    const elapsedUs = (now - this.previousCpu.at) * 1000;
    const share = (micros: number) => (elapsedUs <= 0 ? 0 : round2((micros / elapsedUs) * 100));
    const user = share(usage.user - this.previousCpu.usage.user);
    const system = share(usage.system - this.previousCpu.usage.system);
    this.previousCpu = { at: now, usage };
    const utilization = performance.eventLoopUtilization(this.previousUtilization);
    this.previousUtilization = performance.eventLoopUtilization();
    const lagMs = (nanoseconds: number) =>
      this.lag.count === 0 ? 0 : round2(Math.max(0, nanoseconds / 1e6 - LAG_RESOLUTION_MS));
    const eventLoop = {
      lagP50Ms: lagMs(this.lag.percentile(50)),
      lagP99Ms: lagMs(this.lag.percentile(99)),
      lagMaxMs: lagMs(this.lag.max),
      utilization: round2(utilization.utilization),
    };
    this.lag.reset();
    const gc = Object.fromEntries(
      Object.entries(this.gc).map(([kind, f]) => [
        kind,
        { count: f.count, pauseMs: round2(f.pauseMs), maxPauseMs: round2(f.maxPauseMs) },
      ]),
    );
    this.gc = {};
    return {
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      arrayBuffersBytes: memory.arrayBuffers,
      cpuPercent: round2(user + system),
      cpuUserPercent: user,
      cpuSystemPercent: system,
      eventLoop,
      gc,
      // One entry of /proc/self/fd is the directory handle readdir itself opened.
      fds:
        fdEntries.length === 0 || fdLimit === undefined
          ? null
          : { open: fdEntries.length - 1, limit: fdLimit },
    };
  }

  close(): void {
    this.lag.disable();
    this.gcObserver.disconnect();
  }
}
