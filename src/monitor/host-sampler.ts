import { arch, cpus, hostname, platform } from 'node:os';
import { acceleratorSample } from './host/accelerators.ts';
import { ContainerReader } from './host/container.ts';
import { CpuReader } from './host/cpu.ts';
import { DiskReader } from './host/disk.ts';
import { GpuReader } from './host/gpu.ts';
import { readMemory } from './host/memory.ts';
import { NetworkReader } from './host/network.ts';
import { ProcessMetrics } from './host/process-metrics.ts';
import type { HostSample } from './host/samples.ts';
import { readThermal } from './host/thermal.ts';

/**
 * Samples the host and this process every `intervalMs`, all reads asynchronous, and hands each
 * sample to `onSample`. A sample still being read when the next is due makes that one skipped
 * (counted), never two at once.
 */
export class HostSampler {
  private readonly cpu = new CpuReader();
  private readonly network = new NetworkReader();
  private readonly disks = new DiskReader();
  private readonly gpu = new GpuReader();
  private readonly container = new ContainerReader();
  private readonly process = new ProcessMetrics();
  private readonly host = {
    hostname: hostname(),
    platform: platform(),
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
  };
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;
  private stopped = false;
  /** The newest sample, for Prometheus scrapes and health checks between samples. */
  latest: HostSample | undefined;
  /** Samples skipped because the previous one was still being read. */
  skipped = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly onSample: (sample: HostSample) => void,
  ) {}

  start(): void {
    // The first sample sets the baselines the rates and percentages of the next are measured from.
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes a sample now (the timer's work; tests call it to not wait an interval). */
  async sample(): Promise<HostSample | undefined> {
    if (this.sampling) {
      this.skipped++;
      return undefined;
    }
    this.sampling = true;
    const started = performance.now();
    try {
      const [cpu, memory, network, disks, thermal, gpu, container, processSample] = await Promise.all([
        this.cpu.read(),
        readMemory(),
        this.network.read(),
        this.disks.read(),
        readThermal(),
        this.gpu.read(),
        this.container.read(),
        this.process.read(),
      ]);
      const sample: HostSample = {
        time: Date.now(),
        host: this.host,
        cpu,
        memory,
        network,
        disks,
        thermal,
        gpu,
        accelerators: acceleratorSample(),
        container,
        process: processSample,
        sampleMs: Math.round((performance.now() - started) * 100) / 100,
      };
      this.latest = sample;
      // A sample read while the node stopped is not handed on: the bus it would go to is closing.
      if (!this.stopped) this.onSample(sample);
      return sample;
    } finally {
      this.sampling = false;
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.process.close();
  }
}
