import { readdirSync, readFileSync } from 'node:fs';
import type { ThreadCpu } from './ingest-protocol.ts';

/**
 * CPU time per thread of this process from Linux's /proc/self/task/<tid>/stat (utime + stime,
 * in clock ticks of 10 ms), so a window's CPU can be split between the main thread and the
 * pipeline workers. Node names every thread "node", so the workers are recognised by use: the
 * `workers` busiest threads other than the main one (whose tid is the pid) over the window.
 * Elsewhere than Linux the reading is null.
 */

const TICK_MS = 10;

export type ThreadTimes = Map<number, number>;

export function readThreadTimes(): ThreadTimes | null {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return null;
  }
  const times: ThreadTimes = new Map();
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start at "state"; utime and stime
      // are fields 14 and 15 of the line, 12 and 13 after it.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * TICK_MS);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return times;
}

export function threadCpuBetween(
  before: ThreadTimes | null,
  after: ThreadTimes | null,
  workers: number,
): ThreadCpu | null {
  if (before === null || after === null) return null;
  let mainMs = 0;
  const others: number[] = [];
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === process.pid) mainMs = used;
    else others.push(used);
  }
  others.sort((a, b) => b - a);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return { mainMs, workersMs: sum(others.slice(0, workers)), backgroundMs: sum(others.slice(workers)) };
}
