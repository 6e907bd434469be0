import { listDirectory, readText, round2 } from './read.ts';
import type { DiskCounters, DiskSample } from './samples.ts';

/** /proc/diskstats counts sectors of 512 bytes, whatever the device's own sector size. */
const SECTOR_BYTES = 512;

export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const devices = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    devices.set(f[2]!, {
      reads: Number(f[3]),
      readBytes: Number(f[5]) * SECTOR_BYTES,
      writes: Number(f[7]),
      writtenBytes: Number(f[9]) * SECTOR_BYTES,
      ioMs: Number(f[12]),
    });
  }
  return devices;
}

/**
 * I/O of the host's whole disks (those in /sys/block, without loop and RAM devices; partitions
 * would count the same bytes twice), as counters and rates between samples.
 */
export class DiskReader {
  private disks: Set<string> | undefined;
  private previous: { at: number; devices: Map<string, DiskCounters> } | undefined;

  async read(): Promise<DiskSample[]> {
    this.disks ??= new Set(
      (await listDirectory('/sys/block')).filter((name) => !/^(loop|ram|zram|fd)\d*/.test(name)),
    );
    const text = await readText('/proc/diskstats');
    const at = performance.now();
    if (text === undefined) return [];
    const devices = parseDiskstats(text);
    const elapsedMs = this.previous === undefined ? 0 : at - this.previous.at;
    const sample: DiskSample[] = [];
    for (const [device, now] of devices) {
      if (!this.disks.has(device)) continue;
      const before = this.previous?.devices.get(device);
      const rate = (field: keyof DiskCounters, per: number) =>
        before === undefined || elapsedMs === 0
          ? 0
          : round2((Math.max(0, now[field] - before[field]) / elapsedMs) * per);
      sample.push({
        device,
        ...now,
        readBytesPerSecond: rate('readBytes', 1000),
        writeBytesPerSecond: rate('writtenBytes', 1000),
        busyPercent: Math.min(100, rate('ioMs', 100)),
      });
    }
    this.previous = { at, devices };
    return sample;
  }
}
