import { cpus, loadavg } from 'node:os';
import { readText, round2 } from './read.ts';
import { CPU_MODES, type CoreUsage, type CpuMode, type CpuSample, type CpuTicks } from './samples.ts';

/** Per-core tick counters since boot, by core number, from /proc/stat (`cpu0`, `cpu1`…). */
export function parseProcStat(text: string): Map<number, CpuTicks> {
  const cores = new Map<number, CpuTicks>();
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const values = match[2]!.trim().split(/\s+/).map(Number);
    const ticks = {} as CpuTicks;
    CPU_MODES.forEach((mode, index) => (ticks[mode] = values[index] ?? 0));
    cores.set(Number(match[1]), ticks);
  }
  return cores;
}

/** Current frequency (MHz) per processor, from the `cpu MHz` lines of /proc/cpuinfo. */
export function parseCpuInfoMhz(text: string): number[] {
  return [...text.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((match) => Number(match[1]));
}

/** Linux's USER_HZ, the unit of /proc/stat, is 100 on every architecture Node runs on. */
const USER_HZ = 100;

/** Reads the CPU counters and turns the difference from the previous reading into percentages. */
export class CpuReader {
  private previous: Map<number, CpuTicks> | undefined;

  async read(): Promise<CpuSample> {
    const [stat, cpuinfo] = await Promise.all([readText('/proc/stat'), readText('/proc/cpuinfo')]);
    const source = stat === undefined ? 'os' : 'procfs';
    const ticks = stat === undefined ? ticksFromOs() : parseProcStat(stat);
    const osSpeeds = cpus().map((cpu) => cpu.speed);
    const mhz = cpuinfo === undefined ? osSpeeds : parseCpuInfoMhz(cpuinfo);
    const cores: CoreUsage[] = [];
    if (this.previous !== undefined) {
      for (const [core, now] of ticks) {
        const before = this.previous.get(core);
        if (before === undefined) continue;
        cores.push(usage(core, before, now, mhz[core] || osSpeeds[core] || null));
      }
    }
    this.previous = ticks;
    const [one, five, fifteen] = loadavg() as [number, number, number];
    const utilization =
      cores.length === 0 ? 0 : round2(cores.reduce((sum, core) => sum + core.utilization, 0) / cores.length);
    return {
      ticks,
      cores,
      utilization,
      load: { one: round2(one), five: round2(five), fifteen: round2(fifteen) },
      source,
      ticksPerSecond: source === 'procfs' ? USER_HZ : 1000,
    };
  }
}

function usage(core: number, before: CpuTicks, now: CpuTicks, mhz: number | null): CoreUsage {
  const delta = {} as CpuTicks;
  let total = 0;
  for (const mode of CPU_MODES) {
    delta[mode] = Math.max(0, now[mode] - before[mode]);
    total += delta[mode];
  }
  const percent = (mode: CpuMode) => (total === 0 ? 0 : round2((delta[mode] / total) * 100));
  const busy = total - delta.idle - delta.iowait;
  return {
    core,
    user: percent('user'),
    nice: percent('nice'),
    system: percent('system'),
    iowait: percent('iowait'),
    irq: percent('irq'),
    softirq: percent('softirq'),
    steal: percent('steal'),
    idle: percent('idle'),
    utilization: total === 0 ? 0 : round2((busy / total) * 100),
    mhz: mhz === null ? null : round2(mhz),
  };
}

/** Outside Linux: os.cpus() has user, nice, sys, idle and irq (ms), no iowait, softirq or steal. */
function ticksFromOs(): Map<number, CpuTicks> {
  const cores = new Map<number, CpuTicks>();
  cpus().forEach(({ times }, core) =>
    cores.set(core, {
      user: times.user,
      nice: times.nice,
      system: times.sys,
      idle: times.idle,
      iowait: 0,
      irq: times.irq,
      softirq: 0,
      steal: 0,
    }),
  );
  return cores;
}
