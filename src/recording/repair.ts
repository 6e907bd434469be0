import { open } from 'node:fs/promises';
import { repairIndexFile } from './file-index.ts';
import type { IndexRule } from './index-builder.ts';
import { RECORD_BYTES } from './layout.ts';
import { listRecordingFiles } from './recording-files.ts';

export interface RepairReport {
  /** The data file looked at (the last one of the recording), if any. */
  dataPath: string | undefined;
  /** Bytes of a torn last record cut off. */
  truncatedBytes: number;
  /** How its index was found: complete, extended from the data, or rebuilt. */
  index: 'file' | 'extended' | 'rebuilt' | 'none';
}

/**
 * After a crash only the last data file of a recording can be damaged: its last record may be
 * torn (cut to a multiple of 64 bytes here) and its index may lag the data (completed from the
 * data here). Earlier files were closed cleanly before the next one was started.
 */
export async function repairLastFile(dir: string, rule?: IndexRule): Promise<RepairReport> {
  const last = (await listRecordingFiles(dir)).at(-1);
  if (last === undefined) return { dataPath: undefined, truncatedBytes: 0, index: 'none' };
  const handle = await open(last.dataPath, 'r+');
  let truncatedBytes = 0;
  try {
    const { size } = await handle.stat();
    truncatedBytes = size % RECORD_BYTES;
    if (truncatedBytes > 0) await handle.truncate(size - truncatedBytes);
  } finally {
    await handle.close();
  }
  const index = await repairIndexFile(last, rule);
  return { dataPath: last.dataPath, truncatedBytes, index };
}
