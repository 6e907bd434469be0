import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_FILE, DATA_SUFFIX, DAY_DIR, fileStem, INDEX_SUFFIX, SYMBOLS_SUFFIX } from './layout.ts';

/** One data file of a recording and the paths of its two sidecars. */
export interface RecordingFile {
  /** UTC day directory, `YYYY-MM-DD`. */
  readonly day: string;
  /** File number within the day, from 1. */
  readonly sequence: number;
  readonly dataPath: string;
  readonly indexPath: string;
  readonly symbolsPath: string;
}

export function recordingFile(dir: string, day: string, sequence: number): RecordingFile {
  const stem = join(dir, day, fileStem(sequence));
  return {
    day,
    sequence,
    dataPath: stem + DATA_SUFFIX,
    indexPath: stem + INDEX_SUFFIX,
    symbolsPath: stem + SYMBOLS_SUFFIX,
  };
}

/** Every data file under `dir`, in time order (day, then sequence). A missing `dir` has none. */
export async function listRecordingFiles(dir: string): Promise<RecordingFile[]> {
  const days = (await readdirOrEmpty(dir)).filter((name) => DAY_DIR.test(name)).sort();
  const files: RecordingFile[] = [];
  for (const day of days) {
    const sequences = (await readdirOrEmpty(join(dir, day)))
      .map((name) => DATA_FILE.exec(name)?.[1])
      .filter((digits): digits is string => digits !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const sequence of sequences) files.push(recordingFile(dir, day, sequence));
  }
  return files;
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}
