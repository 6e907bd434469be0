import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { z } from 'zod';
import { FEATURE_CSV_HEADER, featureCsvRows, featuresOfRecording } from '../engines/features/batch.ts';
import { parseFlags } from './flags.ts';

/**
 * `tickwire features --dir <recording> --features rsi-14,macd [--bars 1m,…] [--out f.csv] [--from
 * ISO] [--to ISO]`: the features engine over a recording, written as CSV (docs/FEATURES.md,
 * "Batch"): the values the live engine published when the market was recorded.
 */
const isoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO time such as 2026-11-21T09:30:00Z')
  .transform((text) => BigInt(Date.parse(text)) * 1_000_000n);
const list = z
  .string()
  .min(1, 'is required')
  .transform((text) => text.split(',').filter((item) => item.length > 0));

const featuresFlagsSchema = z
  .object({
    dir: z.string({ error: 'is required' }).min(1, 'is required'),
    features: list,
    bars: list.default(['1s', '1m']),
    out: z.string().min(1).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
  })
  .strict();

export const FEATURES_USAGE =
  'tickwire features --dir <recording> --features rsi-14,macd,bb-20-2:1m [--bars 1s,1m] [--out features.csv] [--from ISO] [--to ISO]';

/** `tickwire features …`: resolves with the exit code once the recording is read. */
export async function featuresCommand(args: readonly string[]): Promise<number> {
  const flags = parseFlags(
    featuresFlagsSchema,
    args,
    {
      dir: { type: 'string' },
      features: { type: 'string' },
      bars: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
    FEATURES_USAGE,
  );
  const output = flags.out === undefined ? process.stdout : createWriteStream(flags.out);
  output.write(`${FEATURE_CSV_HEADER}\n`);
  const result = await featuresOfRecording(
    {
      dir: flags.dir,
      bars: flags.bars,
      features: flags.features,
      ...(flags.from === undefined ? {} : { from: flags.from }),
      ...(flags.to === undefined ? {} : { to: flags.to }),
    },
    (value) => {
      for (const row of featureCsvRows(value)) output.write(`${row}\n`);
    },
  );
  if (output !== process.stdout) {
    output.end();
    await once(output, 'finish');
  }
  process.stderr.write(
    `tickwire features: ${result.ticks} ticks read, ${result.values} feature values written\n`,
  );
  return 0;
}
