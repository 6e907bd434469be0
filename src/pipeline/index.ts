export { AdaptiveBatch } from './adaptive-batch.ts';
export { ConflationBuffer } from './conflation-buffer.ts';
export { isCrossedQuote } from './crossed-book.ts';
export { MarketSnapshot, type SnapshotRow } from './market-snapshot.ts';
export { movedFraction, type PartitionBalance, SymbolPartitioner } from './partitioner.ts';
export { jumpHash } from './jump-hash.ts';
export {
  type BatchBounds,
  DEFAULT_QUALITY_OPTIONS,
  DEFAULT_RESTART_POLICY,
  DROP_REASONS,
  type DropReason,
  INPUT_POLICIES,
  type InputPolicy,
  type QualityOptions,
  type RestartPolicy,
} from './pipeline-options.ts';
export type {
  FrameNormalizer,
  FrameTransport,
  NormalizerContext,
  NormalizerFactory,
  NormalizerListener,
  NormalizerSink,
  NormalizerSpec,
} from './normalizer.ts';
export { InProcessTransport } from './in-process-transport.ts';
export { maxRecordBytes, RECORD_TYPES, type RecordMeta, type RecordType } from './record-layout.ts';
export {
  FRAME_DROP_REASONS,
  type FrameDropReason,
  type FrameStats,
  type PipelineStats,
  type QualityStats,
  WORKER_STATES,
  type WorkerState,
  type WorkerStats,
} from './pipeline-stats.ts';
export {
  DEFAULT_PIPELINE_PROFILE,
  PIPELINE_PROFILE_NAMES,
  PIPELINE_PROFILES,
  type PipelineProfileName,
  type PipelineSettings,
  type PipelineSettingsOverrides,
  resolvePipelineSettings,
} from './profiles.ts';
export { RestartBudget } from './restart-budget.ts';
export { SEQUENCE_FLAGS, SequenceChecker, type SequenceCounts } from './sequence-check.ts';
export { SpikeDetector } from './spike-detector.ts';
export { StaleTracker } from './stale-tracker.ts';
export { DEFAULT_RING_CAPACITY, TickPipeline, type TickPipelineOptions } from './tick-pipeline.ts';
export { TickQuality } from './tick-quality.ts';
export { TICK_DRAIN_TURN_MS } from './tick-drain.ts';
