import { isIP } from 'node:net';
import { TickwireError } from '../errors.ts';

/**
 * What the load test reads of its target, over HTTP only (never its own process): whether it may
 * and can be tested, and its CPU and memory from `/metrics` while the test runs.
 */

const PROBE_TIMEOUT_MS = 3_000;

/** Loopback, or a host the user named: a load test is not pointed at someone else's server by accident. */
export function allowedTarget(base: string, allowHosts: readonly string[]): URL {
  const url = new URL(base);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback && !allowHosts.includes(host))
    throw new TickwireError(
      'LOADTEST_TARGET',
      `${host} is not a loopback address: name it with --allow-host ${host} to test it (only servers you run)`,
    );
  return url;
}

/** Resolves when the node answers `GET /health/live`; a clear error when it does not. */
export async function checkReachable(base: URL): Promise<void> {
  const url = new URL('/health/live', base);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (response.ok) return;
    throw new Error(`it answered ${response.status}`);
  } catch (error) {
    throw new TickwireError(
      'LOADTEST_TARGET',
      `no Tickwire node answers at ${base.origin} (${(error as Error).message}); start one with npm start, or pass --url`,
    );
  }
}

/** The figures of a Prometheus text exposition, by series (`name` or `name{labels}`). */
export function parseExposition(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const value = Number(line.slice(space + 1));
    if (space > 0 && !Number.isNaN(value)) values.set(line.slice(0, space), value);
  }
  return values;
}

export interface ServerSample {
  /** ms since the start of the test. */
  atMs: number;
  /** Of one core, since the previous sample. */
  cpuPercent: number;
  rssMb: number;
  connections: number;
}

/** Samples the node's `/metrics` every `everyMs`: its process CPU, resident memory and connections. */
export class ServerMetrics {
  readonly samples: ServerSample[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private last: { atMs: number; cpuSeconds: number } | undefined;
  private readonly startedAt = performance.now();

  constructor(
    private readonly base: URL,
    private readonly everyMs = 2_000,
  ) {}

  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    let figures: Map<string, number>;
    try {
      const response = await fetch(new URL('/metrics', this.base), {
        signal: AbortSignal.timeout(this.everyMs),
      });
      figures = parseExposition(await response.text());
    } catch {
      return; // a busy server misses a sample; the report shows the ones it got
    }
    const atMs = performance.now() - this.startedAt;
    const cpuSeconds = figures.get('tickwire_process_cpu_seconds_total') ?? 0;
    if (this.last !== undefined && atMs > this.last.atMs) {
      this.samples.push({
        atMs,
        cpuPercent: ((cpuSeconds - this.last.cpuSeconds) / ((atMs - this.last.atMs) / 1000)) * 100,
        rssMb: (figures.get('tickwire_process_resident_memory_bytes') ?? 0) / 2 ** 20,
        connections: figures.get('tickwire_gateway_connections') ?? 0,
      });
    }
    this.last = { atMs, cpuSeconds };
  }
}
