import { type RingPool, readRingStats } from '../shm/index.ts';
import type { SymbolRegistry } from '../wire/index.ts';
import type { SymbolPartitioner } from './partitioner.ts';
import { DROP_REASONS, type DropReason, type InputPolicy } from './pipeline-options.ts';
import { FRAME_DROP_REASONS, type FrameStats, type PipelineStats, workerStats } from './pipeline-stats.ts';
import type { InlinePartition } from './inline-partition.ts';
import type { WorkerLink } from './worker-link.ts';
import { STALE_LIST_LIMIT } from './worker-protocol.ts';

/** Stale symbols named in stats (the count is exact beyond it). */
const STALE_SAMPLE = 100;

/** The main thread's counts of raw frames and other records (stats().frames without the gauge). */
export type FrameCounts = Omit<FrameStats, 'pendingRecords'>;

export function zeroByReason(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0])) as Record<DropReason, number>;
}

export function zeroFrameCounts(): FrameCounts {
  return {
    offered: 0,
    written: 0,
    snapshots: 0,
    controls: 0,
    dropped: Object.fromEntries(FRAME_DROP_REASONS.map((reason) => [reason, 0])) as FrameCounts['dropped'],
  };
}

/** Drops by reason: the pipeline's own counts plus the rings' and side tables'. */
export function droppedByReason(
  links: readonly WorkerLink[],
  counted: Readonly<Record<DropReason, number>>,
): Record<DropReason, number> {
  const dropped = { ...counted };
  for (const link of links) {
    dropped.dropOldest += link.retiredDropOldest + readRingStats(link.inputRing).droppedOldest;
    dropped.conflated += link.conflation?.conflated ?? 0;
    dropped.conflationOverflow += link.conflation?.overflow ?? 0;
  }
  return dropped;
}

/** Published ticks and drops over the last full second, sampled once a second. */
export class RateSampler {
  ticksPerSecond = 0;
  peakTicksPerSecond = 0;
  readonly droppedPerSecond: Record<DropReason, number> = zeroByReason();
  private publishedAtLastSecond = 0;
  private droppedAtLastSecond: Record<DropReason, number> = zeroByReason();

  sample(ticksPublished: number, dropped: Record<DropReason, number>): void {
    this.ticksPerSecond = ticksPublished - this.publishedAtLastSecond;
    this.publishedAtLastSecond = ticksPublished;
    if (this.ticksPerSecond > this.peakTicksPerSecond) this.peakTicksPerSecond = this.ticksPerSecond;
    for (const reason of DROP_REASONS) {
      this.droppedPerSecond[reason] = dropped[reason] - this.droppedAtLastSecond[reason];
    }
    this.droppedAtLastSecond = dropped;
  }
}

/** What stats() reads. */
export interface StatsSources {
  readonly links: readonly WorkerLink[];
  /** With `workers: 0`, the partition on the main thread (links is empty then). */
  readonly inline: InlinePartition | undefined;
  readonly partitioner: SymbolPartitioner;
  readonly pool: RingPool;
  readonly registry: SymbolRegistry;
  readonly inputPolicy: InputPolicy;
  readonly ticksIn: number;
  readonly ticksPublished: number;
  /** The pipeline's own drop counts (droppedByReason adds the rings' and side tables'). */
  readonly dropped: Readonly<Record<DropReason, number>>;
  readonly rates: RateSampler;
  readonly frameCounts: FrameCounts;
}

export function assembleStats(sources: StatsSources): PipelineStats {
  const { links, inline, rates, frameCounts } = sources;
  const balance = sources.partitioner.balance();
  const workers = links.map((link) =>
    workerStats({
      index: link.index,
      symbols: balance.counts[link.index] ?? 0,
      state: link.state,
      restarts: link.restarts,
      figures: link.figures,
      retired: link.retired,
      drainBatch: link.drainBatch.size,
      conflationPending: link.conflation?.pending ?? 0,
      inputFill: link.state === 'running' ? readRingStats(link.inputRing).fill : 0,
    }),
  );
  const rings = sources.pool.stats();
  const dropped = droppedByReason(links, sources.dropped);
  // What the threads did, or the inline partition (reported like one worker, but not in `workers`).
  const partitions = inline === undefined ? workers : [inline.stats(sources.registry.size)];
  const sum = (pick: (worker: (typeof workers)[number]) => number) =>
    partitions.reduce((total, worker) => total + pick(worker), 0);
  const listed = (list: Int32Array) => Array.from(list.subarray(1, 1 + Math.min(list[0]!, STALE_LIST_LIMIT)));
  const staleIds =
    inline === undefined ? links.flatMap((link) => listed(link.staleList)) : listed(inline.staleList);
  return {
    mode: inline === undefined ? 'workers' : 'inline',
    symbols: sources.registry.size,
    ticksIn: sources.ticksIn,
    droppedRingFull: sources.dropped.ringFull,
    ticksPublished: sources.ticksPublished,
    ticksPerSecond: rates.ticksPerSecond,
    flaggedGaps: sum((worker) => worker.gaps),
    ringUtilization: rings.utilization,
    workers,
    rings,
    messagesProcessed: sum((worker) => worker.processed),
    peakTicksPerSecond: rates.peakTicksPerSecond,
    dropped,
    droppedTotal: DROP_REASONS.reduce((total, reason) => total + dropped[reason], 0),
    droppedPerSecond: { ...rates.droppedPerSecond },
    batchSizes: {
      input: workers.map((worker) => worker.inputBatch),
      drain: workers.map((worker) => worker.drainBatch),
    },
    restarts: sum((worker) => worker.restarts),
    workersDown: partitions.filter((worker) => !worker.alive).length,
    quality: {
      gaps: sum((worker) => worker.gaps),
      missing: sum((worker) => worker.missing),
      outOfOrder: sum((worker) => worker.outOfOrder),
      duplicates: sum((worker) => worker.duplicates),
      crossed: sum((worker) => worker.crossed),
      spikes: sum((worker) => worker.spikes),
      levelShifts: sum((worker) => worker.levelShifts),
      staleTicks: sum((worker) => worker.staleTicks),
      wentStale: sum((worker) => worker.wentStale),
      revived: sum((worker) => worker.revived),
    },
    stale: {
      count: sum((worker) => worker.staleSymbols),
      sample: staleIds.slice(0, STALE_SAMPLE).map((id) => symbolKey(sources.registry, id)),
    },
    inputPolicy: sources.inputPolicy,
    frames: {
      offered: frameCounts.offered,
      written: frameCounts.written,
      snapshots: frameCounts.snapshots,
      controls: frameCounts.controls,
      dropped: { ...frameCounts.dropped },
      pendingRecords: links.reduce((total, link) => total + link.pending.length + link.snapshots.length, 0),
    },
  };
}

/** Sums the normalizers' figures: totals over workers and restarts, gauges of the live workers. */
export function sumNormalizerFigures(
  links: readonly WorkerLink[],
  spec: { readonly figures: number; readonly totals: number } | undefined,
): Float64Array {
  const sum = new Float64Array(spec?.figures ?? 0);
  if (spec === undefined) return sum;
  for (const link of links) {
    for (let i = 0; i < spec.figures; i++) {
      const live = link.state === 'running' ? link.normalizerFigures[i]! : 0;
      sum[i]! += i < spec.totals ? link.retiredNormalizer[i]! + live : live;
    }
  }
  return sum;
}

function symbolKey(registry: SymbolRegistry, id: number): string {
  try {
    return registry.info(id).key;
  } catch {
    return `#${id}`;
  }
}
