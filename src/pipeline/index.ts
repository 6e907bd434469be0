export { MarketSnapshot, type SnapshotRow } from './market-snapshot.ts';
export { movedFraction, type PartitionBalance, SymbolPartitioner } from './partitioner.ts';
export { SEQUENCE_FLAGS, SequenceChecker, type SequenceCounts } from './sequence-check.ts';
export {
  DEFAULT_RING_CAPACITY,
  type PipelineStats,
  TickPipeline,
  type TickPipelineOptions,
  type WorkerStats,
} from './tick-pipeline.ts';
