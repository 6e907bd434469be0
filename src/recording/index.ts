/**
 * Recording and replay of 64-byte ticks (docs/RECORDING.md): append-only files rotated by day and
 * size, a seek index and a symbol sidecar per file, a reader that seeks by time, and a paced replay
 * into the pipeline, onto a bus, or as an async iterable of tick batches.
 */
export { DEFAULT_CHUNK_RECORDS } from './data-file.ts';
export { type IndexSource, loadIndex, repairIndexFile, TickIndex } from './file-index.ts';
export { DEFAULT_INDEX_RULE, type IndexRule } from './index-builder.ts';
export { DATA_SUFFIX, INDEX_ENTRY_BYTES, INDEX_SUFFIX, RECORD_BYTES, SYMBOLS_SUFFIX } from './layout.ts';
export { listRecordingFiles, type RecordingFile } from './recording-files.ts';
export { type ReadOptions, type RecordChunk, readRecording, seekRecord } from './recording-reader.ts';
export { type RepairReport, repairLastFile } from './repair.ts';
export {
  REPLAY_RUN_DEFAULTS,
  replay,
  type ReplayHandle,
  type ReplayOptions,
  type ReplayProgress,
  type ReplaySink,
} from './replay.ts';
export {
  newReplayCounters,
  REPLAY_DEFAULTS,
  type ReplayBatch,
  type ReplayCounters,
  replaySource,
  type ReplaySourceOptions,
} from './replay-source.ts';
export { type RecordedSymbol, type RecordedSymbols, readSymbolSidecar } from './symbol-sidecar.ts';
export {
  RECORDER_DEFAULTS,
  type RecorderStats,
  TickRecorder,
  type TickRecorderOptions,
} from './tick-recorder.ts';
