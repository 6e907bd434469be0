import { Counter, Gauge, type Registry } from 'prom-client';
import type { HostSample } from './host/samples.ts';

/**
 * The host's figures in Prometheus form, named after node_exporter's (`node_cpu_seconds_total`
 * becomes `tickwire_host_cpu_seconds_total`), read from the newest sample at scrape time: a scrape
 * reads no file. The process's own figures (resident memory, heap, event-loop lag, GC, open files)
 * are prom-client's defaults, registered with the rest (prometheus.ts).
 */
export function registerHostMetrics(registry: Registry, latest: () => HostSample | undefined): void {
  type Row = [labels: Record<string, string | number>, value: number];
  const family = (
    kind: 'counter' | 'gauge',
    name: string,
    help: string,
    labelNames: string[],
    rows: (sample: HostSample) => Row[],
  ) => {
    const Metric = kind === 'counter' ? Counter : Gauge;
    new Metric({
      name,
      help,
      labelNames,
      registers: [registry],
      collect(this: Counter | Gauge) {
        this.reset();
        const sample = latest();
        if (sample === undefined) return;
        for (const [labels, value] of rows(sample)) {
          if (!Number.isFinite(value)) continue;
          if (this instanceof Counter) this.inc(labels, value);
          else this.set(labels, value);
        }
      },
    });
  };
  const one = (value: number | null | undefined): Row[] =>
    value === null || value === undefined ? [] : [[{}, value]];

  family(
    'counter',
    'tickwire_host_cpu_seconds_total',
    'Seconds each CPU spent in each mode',
    ['cpu', 'mode'],
    ({ cpu }) =>
      [...cpu.ticks].flatMap(([core, ticks]) =>
        Object.entries(ticks).map(([mode, count]): Row => [{ cpu: core, mode }, count / cpu.ticksPerSecond]),
      ),
  );
  family('gauge', 'tickwire_host_cpu_frequency_hertz', 'Current clock of each CPU', ['cpu'], ({ cpu }) =>
    cpu.cores.filter((core) => core.mhz !== null).map((core): Row => [{ cpu: core.core }, core.mhz! * 1e6]),
  );
  family('gauge', 'tickwire_host_load1', '1-minute load average', [], ({ cpu }) => one(cpu.load.one));
  family('gauge', 'tickwire_host_load5', '5-minute load average', [], ({ cpu }) => one(cpu.load.five));
  family('gauge', 'tickwire_host_load15', '15-minute load average', [], ({ cpu }) => one(cpu.load.fifteen));
  family('gauge', 'tickwire_host_memory_total_bytes', 'Host memory', [], ({ memory }) =>
    one(memory.totalBytes),
  );
  family(
    'gauge',
    'tickwire_host_memory_available_bytes',
    'Host memory available without swapping (MemAvailable)',
    [],
    ({ memory }) => one(memory.availableBytes),
  );
  family('gauge', 'tickwire_host_swap_total_bytes', 'Swap space', [], ({ memory }) =>
    one(memory.swapTotalBytes),
  );
  family('gauge', 'tickwire_host_swap_used_bytes', 'Swap space in use', [], ({ memory }) =>
    one(memory.swapUsedBytes),
  );
  const interfaces = (field: 'rxBytes' | 'txBytes' | 'rxErrors' | 'txErrors') => (sample: HostSample) =>
    sample.network.interfaces.map((nic): Row => [{ device: nic.name }, nic[field]]);
  family(
    'counter',
    'tickwire_host_network_receive_bytes_total',
    'Bytes received, per interface',
    ['device'],
    interfaces('rxBytes'),
  );
  family(
    'counter',
    'tickwire_host_network_transmit_bytes_total',
    'Bytes sent, per interface',
    ['device'],
    interfaces('txBytes'),
  );
  family(
    'counter',
    'tickwire_host_network_receive_errors_total',
    'Receive errors, per interface',
    ['device'],
    interfaces('rxErrors'),
  );
  family(
    'counter',
    'tickwire_host_network_transmit_errors_total',
    'Transmit errors, per interface',
    ['device'],
    interfaces('txErrors'),
  );
  family('gauge', 'tickwire_host_sockets', 'Sockets in use on the host, by kind', ['kind'], ({ network }) =>
    network.sockets === null
      ? []
      : [
          [{ kind: 'all' }, network.sockets.used],
          [{ kind: 'tcp' }, network.sockets.tcpInUse],
          [{ kind: 'tcp_time_wait' }, network.sockets.tcpTimeWait],
          [{ kind: 'udp' }, network.sockets.udpInUse],
        ],
  );
  family('counter', 'tickwire_host_disk_read_bytes_total', 'Bytes read, per disk', ['device'], ({ disks }) =>
    disks.map((disk): Row => [{ device: disk.device }, disk.readBytes]),
  );
  family(
    'counter',
    'tickwire_host_disk_written_bytes_total',
    'Bytes written, per disk',
    ['device'],
    ({ disks }) => disks.map((disk): Row => [{ device: disk.device }, disk.writtenBytes]),
  );
  family(
    'counter',
    'tickwire_host_disk_io_time_seconds_total',
    'Seconds each disk had I/O in flight',
    ['device'],
    ({ disks }) => disks.map((disk): Row => [{ device: disk.device }, disk.ioMs / 1000]),
  );
  family(
    'gauge',
    'tickwire_host_thermal_celsius',
    'Temperature of each thermal zone or sensor',
    ['zone', 'type'],
    ({ thermal }) => thermal.zones.map((zone): Row => [{ zone: zone.zone, type: zone.type }, zone.celsius]),
  );
  family(
    'counter',
    'tickwire_host_cpu_throttle_events_total',
    'CPU thermal throttle events since boot',
    [],
    ({ thermal }) => one(thermal.throttleEvents),
  );
  const gpus =
    (read: (gpu: Extract<HostSample['gpu'], { available: true }>['gpus'][number]) => number) =>
    (sample: HostSample) =>
      sample.gpu.available
        ? sample.gpu.gpus.map((gpu): Row => [{ gpu: gpu.index, name: gpu.name }, read(gpu)])
        : [];
  family(
    'gauge',
    'tickwire_host_gpu_utilization_ratio',
    'GPU utilization (nvidia-smi)',
    ['gpu', 'name'],
    gpus((gpu) => gpu.utilizationPercent / 100),
  );
  family(
    'gauge',
    'tickwire_host_gpu_memory_used_bytes',
    'GPU memory in use (nvidia-smi)',
    ['gpu', 'name'],
    gpus((gpu) => gpu.memoryUsedBytes),
  );
  family(
    'gauge',
    'tickwire_host_gpu_temperature_celsius',
    'GPU temperature (nvidia-smi)',
    ['gpu', 'name'],
    gpus((gpu) => gpu.celsius),
  );
  family(
    'gauge',
    'tickwire_container_memory_limit_bytes',
    "The container's memory limit (absent without one)",
    [],
    ({ container }) => one(container.available ? container.memoryLimitBytes : null),
  );
  family(
    'gauge',
    'tickwire_container_memory_usage_bytes',
    "The container's memory in use",
    [],
    ({ container }) => one(container.available ? container.memoryUsageBytes : null),
  );
  family(
    'gauge',
    'tickwire_container_cpu_limit_cores',
    "The container's CPU quota in cores (absent without one)",
    [],
    ({ container }) => one(container.available ? container.cpuLimitCores : null),
  );
  family(
    'gauge',
    'tickwire_process_event_loop_utilization_ratio',
    "Share of the interval the main thread's event loop was busy",
    [],
    ({ process }) => one(process.eventLoop.utilization),
  );
  family(
    'gauge',
    'tickwire_monitor_sample_seconds',
    'How long the last host sample took to read',
    [],
    (sample) => one(sample.sampleMs / 1000),
  );
}
