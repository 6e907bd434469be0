import type { MonitorTopic } from '../bus/index.ts';
import type { HardwareMessage } from './views.ts';
import type { CpuSample, HostSample } from './host/samples.ts';

/**
 * The messages of one host sample, by topic (docs/MONITORING.md, "Streams"). Each carries `type`
 * and `time` (the sample's, ms since the epoch); figures the host does not have come as
 * `available: false` with a reason.
 */
export function hostMessages(sample: HostSample): [MonitorTopic, Record<string, unknown>][] {
  const { time, cpu, memory, network, disks, thermal, gpu, accelerators, container, process } = sample;
  const cpuFigures = cpuForJson(cpu);
  return [
    ['monitor.cpu', { type: 'cpu', time, ...cpuFigures }],
    ['monitor.memory', { type: 'memory', time, ...memory }],
    ['monitor.gpu', { type: 'gpu', time, ...gpu }],
    ['monitor.accelerator', { type: 'accelerator', time, ...accelerators }],
    ['monitor.thermal', { type: 'thermal', time, ...thermal }],
    ['monitor.process', { type: 'process', time, ...process }],
    ['monitor.containers', { type: 'container', time, ...container }],
    [
      'monitor.hardware',
      {
        type: 'hardware',
        time,
        host: sample.host,
        cpu: { utilization: cpu.utilization, load: cpu.load, cores: cpu.cores.length },
        memory: {
          totalBytes: memory.totalBytes,
          usedBytes: memory.usedBytes,
          usedPercent: memory.usedPercent,
          swapUsedBytes: memory.swapUsedBytes,
        },
        network,
        disks,
        thermal: thermal.available
          ? {
              available: true,
              maxCelsius:
                thermal.zones.length === 0 ? null : Math.max(...thermal.zones.map((zone) => zone.celsius)),
            }
          : thermal,
        gpu: gpu.available ? { available: true, count: gpu.gpus.length } : gpu,
        sampleMs: sample.sampleMs,
      } satisfies HardwareMessage,
    ],
  ];
}

/** The CPU figures a message or an answer carries: without the raw tick counters (a Map, for Prometheus). */
export function cpuForJson(cpu: CpuSample): Omit<CpuSample, 'ticks' | 'ticksPerSecond'> {
  const { ticks: _ticks, ticksPerSecond: _unit, ...figures } = cpu;
  return figures;
}
