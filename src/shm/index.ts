export { RingConsumer, type SlotHandler } from './ring-consumer.ts';
export {
  createRing,
  DEFAULT_SLOT_SIZE,
  FULL_POLICIES,
  type FullPolicy,
  HEADER_BYTES,
  type RingDescriptor,
  type RingOptions,
} from './ring-layout.ts';
export { type PooledRingStats, type PoolStats, type RingPair, RingPool } from './ring-pool.ts';
export { RingProducer, type SlotWriter } from './ring-producer.ts';
export { type RingStats, readRingStats } from './ring-stats.ts';
export { spawnWorker } from './spawn-worker.ts';
