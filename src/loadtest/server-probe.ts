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

/** The node's own figures now: `/metrics` parsed, and when it was read (performance.now()). */
export async function readMetrics(
  base: URL,
  timeoutMs: number,
): Promise<{ at: number; figures: Map<string, number> }> {
  const response = await fetch(new URL('/metrics', base), { signal: AbortSignal.timeout(timeoutMs) });
  return { at: performance.now(), figures: parseExposition(await response.text()) };
}

/** The process's CPU between two reads, as a share of one core (%). */
export function cpuPercentBetween(
  from: { at: number; figures: Map<string, number> },
  to: { at: number; figures: Map<string, number> },
): number {
  const seconds = (read: typeof from) => read.figures.get('tickwire_process_cpu_seconds_total') ?? 0;
  return ((seconds(to) - seconds(from)) / ((to.at - from.at) / 1000)) * 100;
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
  private last: Awaited<ReturnType<typeof readMetrics>> | undefined;
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
    let read: Awaited<ReturnType<typeof readMetrics>>;
    try {
      read = await readMetrics(this.base, this.everyMs);
    } catch {
      return; // a busy server misses a sample; the report shows the ones it got
    }
    if (this.last !== undefined && read.at > this.last.at) {
      this.samples.push({
        atMs: read.at - this.startedAt,
        cpuPercent: cpuPercentBetween(this.last, read),
        rssMb: (read.figures.get('tickwire_process_resident_memory_bytes') ?? 0) / 2 ** 20,
        connections: read.figures.get('tickwire_gateway_connections') ?? 0,
      });
    }
    this.last = read;
  }
}
