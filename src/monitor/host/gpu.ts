import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { unavailable } from './read.ts';
import type { GpuReading, GpuSample } from './samples.ts';

const QUERY = 'index,name,utilization.gpu,memory.used,memory.total,temperature.gpu';
const MIB = 1024 * 1024;
/** nvidia-smi answers in tens of milliseconds; one that hangs must not hold samples back. */
const TIMEOUT_MS = 2_000;

/** `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` output, a line per GPU. */
export function parseNvidiaSmi(text: string): GpuReading[] {
  return text
    .trim()
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      const [index, name, utilization, used, total, temperature] = line
        .split(',')
        .map((field) => field.trim());
      return {
        index: Number(index),
        name: name ?? '',
        utilizationPercent: Number(utilization),
        memoryUsedBytes: Number(used) * MIB,
        memoryTotalBytes: Number(total) * MIB,
        celsius: Number(temperature),
      };
    });
}

/**
 * NVIDIA GPUs through `nvidia-smi`, the driver's own tool (no other vendor's GPU is read). Where
 * it is not on PATH, or fails, the sample says so: nothing is estimated from the CPU.
 */
export class GpuReader {
  private binary: Promise<string | undefined> | undefined;

  async read(): Promise<GpuSample> {
    this.binary ??= findOnPath('nvidia-smi');
    const binary = await this.binary;
    if (binary === undefined) return unavailable('no NVIDIA GPU: nvidia-smi is not on PATH');
    return new Promise((resolve) =>
      execFile(
        binary,
        [`--query-gpu=${QUERY}`, '--format=csv,noheader,nounits'],
        { timeout: TIMEOUT_MS },
        (error, stdout) =>
          resolve(
            error
              ? unavailable(`nvidia-smi failed: ${error.message.split('\n')[0]}`)
              : { available: true, source: 'nvidia-smi', gpus: parseNvidiaSmi(stdout) },
          ),
      ),
    );
  }
}

async function findOnPath(command: string): Promise<string | undefined> {
  for (const directory of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(directory, command);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
