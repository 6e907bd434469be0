import { readdir, readFile } from 'node:fs/promises';
import type { Unavailable } from './samples.ts';

/**
 * The text of a procfs or sysfs file, or undefined when this kernel (or platform) has none. Reads
 * are asynchronous: a sample never blocks the event loop, even on a slow /proc.
 */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A directory's entries, or [] when it does not exist. */
export async function listDirectory(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

export const unavailable = (reason: string): Unavailable => ({ available: false, reason });

/** Rounds a figure for a message: two decimals keep percentages and rates readable. */
export const round2 = (value: number): number => Math.round(value * 100) / 100;
