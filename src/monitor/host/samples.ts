/**
 * The shapes of a host sample, one per reader; no imports, so the client SDK's browser build can
 * read them (docs/MONITORING.md lists the figures).
 */

/** What a sampler reports where the host has no such figure: said, never invented. */
export interface Unavailable {
  available: false;
  reason: string;
}

/** The columns of a `cpuN` line of /proc/stat (in USER_HZ ticks), in the kernel's order. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];
export type CpuTicks = Record<CpuMode, number>;

export interface CoreUsage {
  core: number;
  /** Share of the interval, percent, per mode. */
  user: number;
  nice: number;
  system: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  idle: number;
  /** Everything but idle and iowait, percent. */
  utilization: number;
  /** Current clock, MHz; null where neither /proc/cpuinfo nor os.cpus() tells. */
  mhz: number | null;
}

export interface CpuSample {
  /** Ticks since boot per core (the Prometheus counters read them). */
  ticks: Map<number, CpuTicks>;
  /** Usage over the interval since the previous sample; empty on the first. */
  cores: CoreUsage[];
  /** Mean utilization of all cores, percent. */
  utilization: number;
  load: { one: number; five: number; fifteen: number };
  /** Where the figures came from: `procfs` on Linux, `os.cpus()` elsewhere (no iowait, steal). */
  source: 'procfs' | 'os';
  /** Units of `ticks`: USER_HZ (100 on Linux) for procfs, 1000 (ms) for os.cpus(). */
  ticksPerSecond: number;
}

export interface MemorySample {
  totalBytes: number;
  /** What new work can use without swapping (MemAvailable): free plus reclaimable cache. */
  availableBytes: number;
  usedBytes: number;
  /** Used / total, percent. */
  usedPercent: number;
  cachedBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  source: 'procfs' | 'os';
}

/** Counters of one interface since boot, from /proc/net/dev. */
export interface InterfaceCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export interface InterfaceSample extends InterfaceCounters {
  name: string;
  /** Bytes per second over the interval since the previous sample (0 on the first). */
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
}

export interface SocketCounts {
  /** Sockets of every kind in use on the host. */
  used: number;
  tcpInUse: number;
  tcpTimeWait: number;
  udpInUse: number;
}

export interface NetworkSample {
  available: boolean;
  interfaces: InterfaceSample[];
  sockets: SocketCounts | null;
}

export interface DiskCounters {
  reads: number;
  readBytes: number;
  writes: number;
  writtenBytes: number;
  /** Milliseconds the device had I/O in flight (its busy time). */
  ioMs: number;
}

export interface DiskSample extends DiskCounters {
  device: string;
  readBytesPerSecond: number;
  writeBytesPerSecond: number;
  /** Share of the interval the device was busy, percent. */
  busyPercent: number;
}

export interface ThermalZone {
  /** `thermal_zone0`, or `hwmon0/temp1` for a hardware-monitor sensor. */
  zone: string;
  /** What the kernel calls it: `x86_pkg_temp`, `acpitz`, `coretemp Package id 0`… */
  type: string;
  celsius: number;
}

export type ThermalSample =
  | {
      available: true;
      zones: ThermalZone[];
      /** Times the CPUs were throttled for heat since boot (core + package), null where not exposed. */
      throttleEvents: number | null;
    }
  | (Unavailable & { throttleEvents: null; zones: [] });

export interface GpuReading {
  index: number;
  name: string;
  utilizationPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  celsius: number;
}

export type GpuSample = { available: true; source: 'nvidia-smi'; gpus: GpuReading[] } | Unavailable;

/**
 * Apple silicon's performance and efficiency cores, Neural Engine and Metal GPU, which the original
 * platform reported with invented figures. Node has no reader for them: macOS exposes them to
 * `powermetrics`, which needs root. So they are reported as unavailable with the reason, on every
 * host, until a reader exists.
 */
export interface AcceleratorSample {
  performanceCores: Unavailable;
  efficiencyCores: Unavailable;
  neuralEngine: Unavailable;
  metal: Unavailable;
}

export type ContainerSample =
  | {
      available: true;
      /** Whether this process runs in a container, and what says so. */
      container: boolean;
      evidence: string;
      cgroup: 'v1' | 'v2';
      /** null: no limit. */
      memoryLimitBytes: number | null;
      memoryUsageBytes: number;
      /** Usage / limit, percent; null without a limit. */
      memoryUsedPercent: number | null;
      /** CPU quota in cores (quota / period); null: no limit. */
      cpuLimitCores: number | null;
      /** CPU the group used over the interval, in cores (0 on the first sample). */
      cpuUsageCores: number;
    }
  | Unavailable;

export interface GcFigures {
  count: number;
  pauseMs: number;
  maxPauseMs: number;
}

export interface ProcessSample {
  pid: number;
  uptimeSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  /** CPU this process used over the interval, percent of one core (user + system). */
  cpuPercent: number;
  cpuUserPercent: number;
  cpuSystemPercent: number;
  /** How late the event loop ran a timer over the interval, ms. */
  eventLoop: { lagP50Ms: number; lagP99Ms: number; lagMaxMs: number; utilization: number };
  /** Garbage collections over the interval, by kind (minor, major, incremental, weakcb). */
  gc: Record<string, GcFigures>;
  /** Open file descriptors and the soft limit; null where /proc/self does not tell. */
  fds: { open: number; limit: number } | null;
}

/** One reading of the host and this process (docs/MONITORING.md, "Host and process"). */
export interface HostSample {
  /** When the sample was taken, ms since the epoch. */
  time: number;
  host: { hostname: string; platform: string; arch: string; cpuModel: string; cores: number };
  cpu: CpuSample;
  memory: MemorySample;
  network: NetworkSample;
  disks: DiskSample[];
  thermal: ThermalSample;
  gpu: GpuSample;
  accelerators: AcceleratorSample;
  container: ContainerSample;
  process: ProcessSample;
  /** How long taking this sample took, ms (reads run in parallel, off the event loop's way). */
  sampleMs: number;
}
