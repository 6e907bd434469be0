import { BrokerBus } from './broker/broker-bus.ts';
import { parseBusSpec } from './bus-spec.ts';
import { MemoryBus } from './memory-bus.ts';
import type { BusOptions, MessageBus } from './message-bus.ts';

/**
 * Builds the bus a spec names: 'memory', 'redis://host:port' (or rediss://), 'nats://host:port'.
 * Returns at once: a broker bus connects in the background, retries forever, and reports how it
 * stands through `health()`. Throws BAD_CONFIG for a bad spec or option, never for a down broker.
 */
export function createBus(spec: string, options: BusOptions = {}): MessageBus {
  const parsed = parseBusSpec(spec);
  if (parsed.kind === 'memory') return new MemoryBus(options);
  return new BrokerBus(parsed, options);
}
