import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { recordCommand, recordFromGateway } from '../../src/cli/record.ts';
import { replayCommand, replayIntoPlatform, summarizeRecording } from '../../src/cli/replay.ts';
import { loadConfig } from '../../src/config/index.ts';
import { listRecordingFiles } from '../../src/recording/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { tickwireError } from '../wire/expect-error.ts';
import { tempDir, waitFor } from './recording-helpers.ts';

async function recordedBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await listRecordingFiles(dir)) total += (await stat(file.dataPath)).size;
  return total;
}

describe('tickwire record and replay', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it('records a running platform over its WebSocket gateway, then replays it into another', async () => {
    const config = loadConfig({ flags: { port: '0', symbols: '3', workers: '1', logLevel: 'silent' } });
    const platform = await startPlatform(config, pino({ level: 'silent' }));
    const root = join(dir, 'live');
    const controller = new AbortController();
    const logs: string[] = [];
    let stats;
    try {
      const recording = recordFromGateway(
        {
          dir: root,
          url: `${platform.url.replace('http', 'ws')}/ws`,
          topics: ['md.>'],
          symbols: '3',
          'max-file-mb': 256,
        },
        { signal: controller.signal, log: (line) => logs.push(line) },
      );
      await waitFor(() => logs.some((line) => line.startsWith('recording md.>')), 10_000, 'the subscription');
      // The recorder writes every 200 ms; wait for at least 100 ticks on disk.
      const deadline = Date.now() + 20_000;
      while ((await recordedBytes(root)) < 100 * 64 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      controller.abort();
      stats = await recording;
    } finally {
      await platform.stop();
    }
    assert.ok(stats.recordsWritten >= 100, `recorded ${stats.recordsWritten}`);
    assert.equal(stats.invalid, 0);
    assert.equal(await recordedBytes(root), stats.recordsWritten * 64);

    const summary = await summarizeRecording(root);
    assert.equal(summary.records, stats.recordsWritten);
    const names = summary.perSymbol.map((row) => row.symbol).sort();
    // Every id got its name (from --symbols: the platform's own universe), none is `#<id>`.
    assert.ok(names.length >= 1 && names.every((name) => name.startsWith('SIM:')), names.join());
    assert.ok(names.includes('SIM:BTCUSDT'), names.join());

    const final = await replayIntoPlatform(
      {
        dir: root,
        speed: 0,
        port: '0',
        host: '127.0.0.1',
        workers: '1',
        'dry-run': false,
        from: undefined,
        to: undefined,
      },
      () => undefined,
    );
    assert.equal(final.state, 'done');
    assert.equal(final.emitted + final.dropped, summary.records);
    assert.equal(final.unmapped, 0);
  });

  it('rejects bad flags naming them', async () => {
    await assert.rejects(
      replayCommand(['--speed=-1', '--dir', dir]),
      tickwireError('BAD_CONFIG', '--speed: must be >= 0'),
    );
    await assert.rejects(replayCommand(['--speed', '2']), tickwireError('BAD_CONFIG', '--dir: is required'));
    await assert.rejects(
      replayCommand(['--dir', dir, '--from', 'yesterday']),
      tickwireError('BAD_CONFIG', '--from: must be an ISO time'),
    );
    await assert.rejects(
      recordCommand(['--dir', dir, '--url', 'http://x']),
      tickwireError('BAD_CONFIG', '--url: must be a ws:// or wss:// URL'),
    );
    await assert.rejects(recordCommand(['--dir', dir, '--bogus']), (error: unknown) =>
      String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS'),
    );
  });
});
