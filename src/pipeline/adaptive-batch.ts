import { type BatchBounds, checkBatchBounds } from './pipeline-options.ts';

/**
 * A batch size that follows the backlog: it doubles (up to max) while the backlog is larger than
 * the batch, so a consumer that falls behind catches up in fewer, larger steps, and halves (down to
 * min) once the backlog is under a quarter of it, so a consumer that keeps up hands ticks on in
 * small batches, soon after they arrive. Between a quarter and the whole batch it stays put: the
 * gap between the two thresholds stops it flapping on a steady load. One step per call, so it takes
 * log2(max / min) calls to cross the whole range.
 */
export class AdaptiveBatch {
  /** The current batch size, min..max. */
  size: number;

  constructor(readonly bounds: BatchBounds) {
    checkBatchBounds('batch', bounds);
    this.size = bounds.min;
  }

  /** Adapts to `backlog` (ticks waiting) and returns the size of the next batch. */
  next(backlog: number): number {
    const size = this.size;
    if (backlog > size) {
      if (size < this.bounds.max) this.size = Math.min(this.bounds.max, size * 2);
    } else if (backlog < size / 4 && size > this.bounds.min) {
      this.size = Math.max(this.bounds.min, size >>> 1);
    }
    return this.size;
  }
}
