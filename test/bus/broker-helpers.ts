import { randomBytes } from 'node:crypto';
import {
  BrokerBus,
  type BrokerBusStats,
  type BusOptions,
  createBus,
  type MessageBus,
} from '../../src/bus/index.ts';
import { waitFor } from './conformance.ts';

/** Generous bound for anything that crosses a real broker on a busy 2-core machine. */
export const BROKER_WAIT_MS = 15_000;

/** A prefix no other test (or the shared servers' other users) shares. */
export function randomPrefix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

/** A broker bus on `url` with a fresh prefix unless one is given; resolves once connected. */
export async function openBus(url: string, options: BusOptions = {}): Promise<MessageBus> {
  const bus = createBus(url, { prefix: randomPrefix(), ...options });
  await waitFor(() => bus.health().state === 'connected', BROKER_WAIT_MS);
  return bus;
}

export function brokerStats(bus: MessageBus): BrokerBusStats {
  return bus.stats() as BrokerBusStats;
}

/** `length` bytes where byte i is (seed + i) & 0xff. */
export function tickBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i) & 0xff;
  return out;
}

/** Waits until the broker has every subscription and responder these buses made so far. */
export async function synced(...buses: MessageBus[]): Promise<void> {
  for (const bus of buses) {
    if (!(bus instanceof BrokerBus)) throw new Error('synced() needs broker buses');
    await bus.sync();
  }
}

export { waitFor };
