export { movedFraction, type PartitionBalance, SymbolPartitioner } from './partitioner.ts';
