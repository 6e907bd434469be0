import { isTickwireError } from '../errors.ts';
import type { RingProducer } from '../shm/index.ts';
import { Tick } from '../wire/index.ts';
import type { NormalizerSink } from './normalizer.ts';
import type { TickQuality } from './tick-quality.ts';

/** Thrown (preallocated) when a tick from the input ring finds no output slot in time: poll delivers it again. */
export const OUTPUT_STALL = new Error('output ring stalled');

/**
 * The worker's writer into its output ring, for ticks passed on from the input ring and for ticks
 * a normalizer writes from raw frames (one frame can give many ticks). Each committed tick gets
 * its quality flags in place. Slots are claimed in runs (as many as the batch wants and the ring
 * has free, at least one) and published once per input batch (flush) or when a run is used up.
 */
export class WorkerOutput implements NormalizerSink {
  /** Waits for output space that ended without any (the main thread stalled). */
  timeouts = 0;
  /** Ticks a normalizer could not write because the output stayed full. */
  refused = 0;
  /** Slots to ask for when a run is used up. */
  want = 1;
  nowMs = 0;
  private granted = 0;
  private used = 0;
  private readonly tick = new Tick();

  constructor(
    private readonly output: RingProducer,
    private readonly quality: TickQuality,
    private readonly waitMs: number,
  ) {}

  claim(_symbolId: number): Tick | undefined {
    if (this.used === this.granted && !this.refill()) {
      this.refused++;
      return undefined;
    }
    return this.tick.wrap(this.output.bytes, this.output.offsetOf(this.used));
  }

  commit(): void {
    const tick = this.tick;
    const flags = this.quality.inspect(tick, this.nowMs);
    if (flags !== 0) tick.addFlags(flags);
    this.used++;
  }

  /** Copies a tick of the input ring to the output, checked; throws OUTPUT_STALL when no slot frees up in time. */
  forward(source: Tick): void {
    if (this.used === this.granted && !this.refill()) throw OUTPUT_STALL;
    this.tick.wrap(this.output.bytes, this.output.offsetOf(this.used)).copyFrom(source);
    this.commit();
  }

  /** Publishes what was written since the last flush. */
  flush(): void {
    this.output.publish(this.used);
    this.granted = 0;
    this.used = 0;
  }

  private refill(): boolean {
    this.flush();
    const free = this.output.freeSlots();
    const ask = free > 0 ? Math.min(this.want, free) : 1;
    try {
      this.granted = this.output.claim(ask, this.waitMs);
    } catch (error) {
      if (!isTickwireError(error, 'RING_TIMEOUT')) throw error;
      this.timeouts++;
      return false;
    }
    return this.granted > 0;
  }
}
