/**
 * A benchmark child's measured window: from `begin` to `end`, its wall-clock time, the CPU time
 * it used and its counters at both ends (read with `read`), for the caller to take differences of.
 */
export class MeasuredWindow<Counters> {
  private at = performance.now();
  private cpu = process.cpuUsage();
  private before: Counters;

  constructor(private readonly read: () => Counters) {
    this.before = read();
  }

  begin(): void {
    this.at = performance.now();
    this.cpu = process.cpuUsage();
    this.before = this.read();
  }

  end(): { elapsedMs: number; cpuMs: number; before: Counters; after: Counters } {
    const cpu = process.cpuUsage(this.cpu);
    return {
      elapsedMs: performance.now() - this.at,
      cpuMs: (cpu.user + cpu.system) / 1_000,
      before: this.before,
      after: this.read(),
    };
  }
}
