import { readText, round2 } from './read.ts';
import type { InterfaceCounters, InterfaceSample, NetworkSample, SocketCounts } from './samples.ts';

export function parseNetDev(text: string): Map<string, InterfaceCounters> {
  const interfaces = new Map<string, InterfaceCounters>();
  // Two header lines, then `name: rx(8 columns) tx(8 columns)`.
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const v = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    interfaces.set(line.slice(0, colon).trim(), {
      rxBytes: v[0] ?? 0,
      rxPackets: v[1] ?? 0,
      rxErrors: v[2] ?? 0,
      rxDropped: v[3] ?? 0,
      txBytes: v[8] ?? 0,
      txPackets: v[9] ?? 0,
      txErrors: v[10] ?? 0,
      txDropped: v[11] ?? 0,
    });
  }
  return interfaces;
}

export function parseSockstat(text: string): SocketCounts {
  const figure = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    used: figure(/^sockets: used (\d+)/m),
    tcpInUse: figure(/^TCP: inuse (\d+)/m),
    tcpTimeWait: figure(/^TCP:.* tw (\d+)/m),
    udpInUse: figure(/^UDP: inuse (\d+)/m),
  };
}

/** Interface counters and their rates between samples, and the host's socket counts. */
export class NetworkReader {
  private previous: { at: number; interfaces: Map<string, InterfaceCounters> } | undefined;

  async read(): Promise<NetworkSample> {
    const [dev, sockstat] = await Promise.all([readText('/proc/net/dev'), readText('/proc/net/sockstat')]);
    const at = performance.now();
    if (dev === undefined) return { available: false, interfaces: [], sockets: null };
    const interfaces = parseNetDev(dev);
    const seconds = this.previous === undefined ? 0 : (at - this.previous.at) / 1000;
    const sample: InterfaceSample[] = [];
    for (const [name, now] of interfaces) {
      const before = this.previous?.interfaces.get(name);
      const rate = (field: 'rxBytes' | 'txBytes') =>
        before === undefined || seconds === 0 ? 0 : round2(Math.max(0, now[field] - before[field]) / seconds);
      sample.push({ name, ...now, rxBytesPerSecond: rate('rxBytes'), txBytesPerSecond: rate('txBytes') });
    }
    this.previous = { at, interfaces };
    return {
      available: true,
      interfaces: sample,
      sockets: sockstat === undefined ? null : parseSockstat(sockstat),
    };
  }
}
