import { TickwireError } from '../errors.ts';
import { createRing, type RingDescriptor, type RingOptions } from './ring-layout.ts';
import { type RingStats, readRingStats } from './ring-stats.ts';

/** The two ends a ring connects; a pool holds at most one ring per pair. */
export interface RingPair {
  readonly producer: string;
  readonly consumer: string;
}

export interface PooledRingStats extends RingStats {
  readonly producer: string;
  readonly consumer: string;
}

export interface PoolStats {
  readonly rings: readonly PooledRingStats[];
  readonly totals: {
    readonly rings: number;
    readonly capacity: number;
    readonly used: number;
    readonly bytes: number;
    readonly published: number;
    readonly consumed: number;
    readonly fullEvents: number;
    readonly droppedNewest: number;
    readonly droppedOldest: number;
  };
  /** Sum of used slots over sum of capacities, 0 for an empty pool. */
  readonly utilization: number;
}

/**
 * The rings of one process, one per producer/consumer pair. The pool only creates and finds rings
 * and reads their counters; threads attach with `new RingProducer(descriptor)` /
 * `new RingConsumer(descriptor)` after receiving the descriptor (e.g. in workerData).
 */
export class RingPool {
  private readonly rings = new Map<string, { pair: RingPair; descriptor: RingDescriptor }>();

  /** Creates the ring for `pair`; RING_BAD_ARGUMENT if the pair already has one. */
  create(pair: RingPair, options: RingOptions): RingDescriptor {
    const key = keyOf(pair);
    if (this.rings.has(key)) {
      throw new TickwireError('RING_BAD_ARGUMENT', `ring pool already has a ring for ${key}`);
    }
    const descriptor = createRing(options);
    this.rings.set(key, { pair: { producer: pair.producer, consumer: pair.consumer }, descriptor });
    return descriptor;
  }

  /** The ring for `pair`; RING_BAD_ARGUMENT if there is none. */
  get(pair: RingPair): RingDescriptor {
    const entry = this.rings.get(keyOf(pair));
    if (!entry) throw new TickwireError('RING_BAD_ARGUMENT', `ring pool has no ring for ${keyOf(pair)}`);
    return entry.descriptor;
  }

  has(pair: RingPair): boolean {
    return this.rings.has(keyOf(pair));
  }

  /** Forgets the ring for `pair` (threads still attached keep using the buffer). */
  delete(pair: RingPair): boolean {
    return this.rings.delete(keyOf(pair));
  }

  stats(): PoolStats {
    const rings = [...this.rings.values()].map(({ pair, descriptor }) => ({
      producer: pair.producer,
      consumer: pair.consumer,
      ...readRingStats(descriptor),
    }));
    const sum = (pick: (ring: PooledRingStats) => number) =>
      rings.reduce((total, ring) => total + pick(ring), 0);
    const capacity = sum((ring) => ring.capacity);
    const used = sum((ring) => ring.used);
    return {
      rings,
      totals: {
        rings: rings.length,
        capacity,
        used,
        bytes: [...this.rings.values()].reduce(
          (total, { descriptor }) => total + descriptor.buffer.byteLength,
          0,
        ),
        published: sum((ring) => ring.published),
        consumed: sum((ring) => ring.consumed),
        fullEvents: sum((ring) => ring.fullEvents),
        droppedNewest: sum((ring) => ring.droppedNewest),
        droppedOldest: sum((ring) => ring.droppedOldest),
      },
      utilization: capacity === 0 ? 0 : used / capacity,
    };
  }
}

function keyOf(pair: RingPair): string {
  for (const side of ['producer', 'consumer'] as const) {
    if (typeof pair[side] !== 'string' || pair[side] === '') {
      throw new TickwireError(
        'RING_BAD_ARGUMENT',
        `ring pair ${side} must be a non-empty string, got ${String(pair[side])}`,
      );
    }
  }
  return `${pair.producer}->${pair.consumer}`;
}
