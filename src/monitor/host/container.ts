import { access } from 'node:fs/promises';
import { readText, round2, unavailable } from './read.ts';
import type { ContainerSample } from './samples.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** cgroup v1 writes "no limit" as the largest page-aligned 64-bit value; anything this big is none. */
const NO_LIMIT_ABOVE = 2 ** 60;

/** The groups of /proc/self/cgroup: controller (or '' for v2's unified line) → path. */
export function parseProcCgroup(text: string): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match === null) continue;
    for (const controller of match[1]!.split(',')) groups.set(controller, match[2]!);
  }
  return groups;
}

/**
 * Limits and usage of this process's control group (the container's, in a container), v2 or v1.
 * Inside a cgroup namespace the path /proc/self/cgroup names may not exist under the mount: the
 * group's files are then at the mount's root, which is what the namespace shows.
 */
export class ContainerReader {
  private previousCpu: { at: number; usageSeconds: number } | undefined;

  async read(): Promise<ContainerSample> {
    const text = await readText('/proc/self/cgroup');
    if (text === undefined) return unavailable('no /proc/self/cgroup: not Linux');
    const groups = parseProcCgroup(text);
    const evidence = await containerEvidence(groups);
    const v2 = groups.get('') !== undefined && (await exists(`${CGROUP_ROOT}/cgroup.controllers`));
    const readGroupFile = (mount: string, controller: string, file: string) =>
      groupFile(`${CGROUP_ROOT}${mount}`, groups.get(controller) ?? '/', file);
    let memoryLimit: string | undefined;
    let memoryUsage: string | undefined;
    let cpuLimitCores: number | null = null;
    let usageSeconds: number | undefined;
    if (v2) {
      const read = (file: string) => readGroupFile('', '', file);
      const [max, current, cpuMax, cpuStat] = await Promise.all([
        read('memory.max'),
        read('memory.current'),
        read('cpu.max'),
        read('cpu.stat'),
      ]);
      memoryLimit = max;
      memoryUsage = current;
      const [quota, period] = (cpuMax ?? 'max').trim().split(/\s+/);
      cpuLimitCores = quota === 'max' || period === undefined ? null : Number(quota) / Number(period);
      const usec = /^usage_usec (\d+)/m.exec(cpuStat ?? '')?.[1];
      usageSeconds = usec === undefined ? undefined : Number(usec) / 1e6;
    } else {
      const [limit, usage, quota, period, cpuacct] = await Promise.all([
        readGroupFile('/memory', 'memory', 'memory.limit_in_bytes'),
        readGroupFile('/memory', 'memory', 'memory.usage_in_bytes'),
        readGroupFile('/cpu', 'cpu', 'cpu.cfs_quota_us'),
        readGroupFile('/cpu', 'cpu', 'cpu.cfs_period_us'),
        readGroupFile('/cpuacct', 'cpuacct', 'cpuacct.usage'),
      ]);
      memoryLimit = limit;
      memoryUsage = usage;
      cpuLimitCores = quota === undefined || Number(quota) < 0 ? null : Number(quota) / Number(period);
      usageSeconds = cpuacct === undefined ? undefined : Number(cpuacct) / 1e9;
    }
    if (memoryUsage === undefined && usageSeconds === undefined)
      return unavailable('the cgroup filesystem is not mounted at /sys/fs/cgroup');
    const limitBytes = memoryLimit === undefined ? NaN : Number(memoryLimit.trim());
    const memoryLimitBytes = Number.isFinite(limitBytes) && limitBytes < NO_LIMIT_ABOVE ? limitBytes : null;
    const memoryUsageBytes = Number(memoryUsage ?? 0);
    return {
      available: true,
      container: evidence !== undefined,
      evidence: evidence ?? 'no container marker found',
      cgroup: v2 ? 'v2' : 'v1',
      memoryLimitBytes,
      memoryUsageBytes,
      memoryUsedPercent:
        memoryLimitBytes === null ? null : round2((memoryUsageBytes / memoryLimitBytes) * 100),
      cpuLimitCores: cpuLimitCores === null ? null : round2(cpuLimitCores),
      cpuUsageCores: this.cpuRate(usageSeconds),
    };
  }

  private cpuRate(usageSeconds: number | undefined): number {
    if (usageSeconds === undefined) return 0;
    const at = performance.now();
    const before = this.previousCpu;
    this.previousCpu = { at, usageSeconds };
    if (before === undefined || at === before.at) return 0;
    return round2((usageSeconds - before.usageSeconds) / ((at - before.at) / 1000));
  }
}

async function groupFile(mount: string, path: string, file: string): Promise<string | undefined> {
  return (await readText(`${mount}${path === '/' ? '' : path}/${file}`)) ?? readText(`${mount}/${file}`);
}

async function containerEvidence(groups: Map<string, string>): Promise<string | undefined> {
  if (await exists('/.dockerenv')) return '/.dockerenv exists';
  if (await exists('/run/.containerenv')) return '/run/.containerenv exists';
  if (process.env.container) return `the container variable is ${process.env.container}`;
  for (const [controller, path] of groups)
    if (/docker|kubepods|containerd|libpod|lxc/.test(path))
      return `cgroup ${controller || 'v2'} path ${path}`;
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
