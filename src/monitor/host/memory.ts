import { freemem, totalmem } from 'node:os';
import { readText } from './read.ts';
import type { MemorySample } from './samples.ts';

/** The `Name: value kB` lines of /proc/meminfo, in bytes. */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?$/gm)) {
    fields.set(match[1]!, Number(match[2]) * (match[0].endsWith('kB') ? 1024 : 1));
  }
  return fields;
}

export async function readMemory(): Promise<MemorySample> {
  const text = await readText('/proc/meminfo');
  if (text === undefined) {
    const total = totalmem();
    const available = freemem();
    return summary(total, available, 0, 0, 0, 'os');
  }
  const fields = parseMeminfo(text);
  const field = (name: string) => fields.get(name) ?? 0;
  return summary(
    field('MemTotal'),
    fields.get('MemAvailable') ?? field('MemFree'),
    field('Cached') + field('Buffers'),
    field('SwapTotal'),
    field('SwapTotal') - field('SwapFree'),
    'procfs',
  );
}

function summary(
  total: number,
  available: number,
  cached: number,
  swapTotal: number,
  swapUsed: number,
  source: MemorySample['source'],
): MemorySample {
  const used = total - available;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: used,
    usedPercent: total === 0 ? 0 : Math.round((used / total) * 10_000) / 100,
    cachedBytes: cached,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapUsed,
    source,
  };
}
