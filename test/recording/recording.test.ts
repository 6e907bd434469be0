import assert from 'node:assert/strict';
import { readFile, rm, stat, truncate, appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryBus, marketDataTopic } from '../../src/bus/index.ts';
import {
  listRecordingFiles,
  loadIndex,
  readRecording,
  readSymbolSidecar,
  repairLastFile,
  seekRecord,
  TickRecorder,
} from '../../src/recording/index.ts';
import { DataFileReader } from '../../src/recording/data-file.ts';
import { SymbolRegistry, Tick, TICK_BYTES } from '../../src/wire/index.ts';
import { tickwireError } from '../wire/expect-error.ts';
import { BASE_MS, DAY_MS, makeTicks, nsOf, readAll, tempDir, type TickSpec } from './recording-helpers.ts';

function registryOf(...symbols: string[]): SymbolRegistry {
  const registry = new SymbolRegistry();
  for (const symbol of symbols) registry.register('SIM', symbol, { priceScale: 2, sizeScale: 5 });
  return registry;
}

/** Records `bytes` through append() into a fresh recorder and closes it. */
async function record(dir: string, registry: SymbolRegistry, bytes: Uint8Array, options = {}) {
  const recorder = new TickRecorder({ dir, registry, ...options });
  await recorder.start();
  const accepted = recorder.append(bytes);
  await recorder.close();
  return { accepted, stats: recorder.stats() };
}

function ascending(count: number, stepMs: number, symbols = 2): TickSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    symbolId: i % symbols,
    ms: BASE_MS + i * stepMs,
    nanos: i % 1000,
  }));
}

describe('recording', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  before(async () => ({ dir, cleanup } = await tempDir()));
  after(() => cleanup());

  it('round trip: ticks published on a MemoryBus read back byte-identical and in order', async () => {
    const root = join(dir, 'round-trip');
    const registry = registryOf('BTCUSDT', 'ETHUSDT');
    const bus = new MemoryBus();
    const recorder = new TickRecorder({
      dir: root,
      registry,
      bus,
      flushBytes: 64 * 100,
      maxPendingBytes: 64 * 10_000,
    });
    await recorder.start();
    const ticks = makeTicks(registry, ascending(2_500, 3));
    const tick = new Tick();
    for (let at = 0; at < ticks.length; at += TICK_BYTES) {
      tick.wrap(ticks, at);
      const info = registry.info(tick.symbolId);
      bus.publish(marketDataTopic('trade', info.venue, info.symbol), ticks.slice(at, at + TICK_BYTES));
    }
    bus.publish(marketDataTopic('trade', 'SIM', 'BTCUSDT'), { not: 'a tick' });
    bus.publish('orders.acc1', new Uint8Array(ticks.subarray(0, 64))); // not matched by md.>
    await recorder.close();
    const stats = recorder.stats();
    assert.equal(stats.records, 2_500);
    assert.equal(stats.recordsWritten, 2_500);
    assert.equal(stats.ignoredPayloads, 1);
    assert.equal(stats.dropped, 0);
    assert.equal(stats.files, 1);
    assert.deepEqual(await readAll(root), ticks);
    const [file] = await listRecordingFiles(root);
    assert.equal(file!.day, '2026-11-21');
    const symbols = await readSymbolSidecar(file!.symbolsPath);
    assert.deepEqual(
      [...symbols.values()].map((s) => `${s.id}=${s.venue}:${s.symbol}`),
      ['0=SIM:BTCUSDT', '1=SIM:ETHUSDT'],
    );
    await bus.close();
  });

  it('append after close is RECORDING_CLOSED; a partial tick is WIRE_BAD_LENGTH; invalid ticks are counted', async () => {
    const registry = registryOf('BTCUSDT');
    const recorder = new TickRecorder({ dir: join(dir, 'closed'), registry });
    await recorder.start();
    assert.throws(() => recorder.append(new Uint8Array(65)), tickwireError('WIRE_BAD_LENGTH', '65 bytes'));
    const bad = makeTicks(registry, ascending(2, 1, 1));
    bad[64] = 0x71; // version 7
    assert.equal(recorder.append(bad), 1);
    assert.equal(recorder.stats().invalid, 1);
    await recorder.close();
    assert.throws(
      () => recorder.append(bad.subarray(0, 64)),
      tickwireError('RECORDING_CLOSED', 'append() after close()'),
    );
  });

  it('rejects bad options naming them', () => {
    const registry = registryOf('BTCUSDT');
    assert.throws(
      () => new TickRecorder({ dir, registry, maxFileBytes: 10 }),
      tickwireError('BAD_CONFIG', 'maxFileBytes is 10'),
    );
    assert.throws(
      () => new TickRecorder({ dir, registry, flushBytes: 6400, maxPendingBytes: 6400 }),
      tickwireError('BAD_CONFIG', 'maxPendingBytes is 6400', 'twice flushBytes'),
    );
  });

  it('rotates by size: files never pass maxFileBytes and read back in order', async () => {
    const root = join(dir, 'by-size');
    const registry = registryOf('BTCUSDT', 'ETHUSDT');
    const ticks = makeTicks(registry, ascending(1_000, 1));
    await record(root, registry, ticks, { maxFileBytes: 64 * 150 + 10, flushBytes: 64 * 64 });
    const files = await listRecordingFiles(root);
    assert.equal(files.length, 7); // 6 x 150 + 100
    for (const file of files) {
      const { size } = await stat(file.dataPath);
      assert.ok(size <= 64 * 150, `${file.dataPath} has ${size} bytes`);
      // Every file carries its own sidecar naming both symbols it uses.
      assert.equal((await readSymbolSidecar(file.symbolsPath)).size, 2);
    }
    assert.deepEqual(
      files.map((f) => f.sequence),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(await readAll(root), ticks);
  });

  it('rotates by UTC day of the receive time, and a second run starts a new file', async () => {
    const root = join(dir, 'by-day');
    const registry = registryOf('BTCUSDT');
    const specs: TickSpec[] = [
      { symbolId: 0, ms: BASE_MS - 2 },
      { symbolId: 0, ms: BASE_MS - 1 },
      { symbolId: 0, ms: BASE_MS }, // new day
      { symbolId: 0, ms: BASE_MS - 5 }, // steps back: stays in the new day's file
      { symbolId: 0, ms: BASE_MS + DAY_MS + 7 },
    ];
    const ticks = makeTicks(registry, specs);
    await record(root, registry, ticks);
    await record(root, registry, makeTicks(registry, [{ symbolId: 0, ms: BASE_MS + DAY_MS + 9 }]));
    const files = await listRecordingFiles(root);
    assert.deepEqual(
      files.map((f) => `${f.day}/${f.sequence}`),
      ['2026-11-20/1', '2026-11-21/1', '2026-11-22/1', '2026-11-22/2'],
    );
    const sizes = await Promise.all(files.map(async (f) => (await stat(f.dataPath)).size / 64));
    assert.deepEqual(sizes, [2, 2, 1, 1]);
    const all = await readAll(root);
    assert.deepEqual(all.subarray(0, ticks.length), ticks);
  });

  it('seek lands on the first record at or after the time (property, against a linear scan)', async () => {
    const registry = registryOf('BTCUSDT');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Receive-time offsets in µs: mostly rising, sometimes stepping back, as arrivals do.
        fc.array(fc.integer({ min: -3, max: 20 }), { minLength: 1, maxLength: 400 }),
        // The probe: an arbitrary time, or exactly a recorded one (where off-by-one errors live).
        fc.oneof(
          fc.integer({ min: -5, max: 5_000 }),
          fc.nat().map((n) => -(n + 1000)),
        ),
        fc.integer({ min: 1, max: 50 }),
        async (steps, probeMicros, everyRecords) => {
          const root = join(dir, `seek-${run++}`);
          let micros = 0;
          const specs = steps.map((step) => {
            micros = Math.max(0, micros + step);
            return { symbolId: 0, ms: BASE_MS + Math.floor(micros / 1000), nanos: (micros % 1000) * 1000 };
          });
          await record(root, registry, makeTicks(registry, specs), { index: { everyRecords, everyMs: 2 } });
          const times = specs.map((s) => nsOf(s.ms, s.nanos));
          const probe =
            probeMicros > -1000
              ? nsOf(BASE_MS) + BigInt(probeMicros) * 1000n
              : times[(-probeMicros - 1000) % times.length]!;
          const expected = times.findIndex((t) => t >= probe);
          const [file] = await listRecordingFiles(root);
          const found = await seekRecord(file!, probe);
          assert.equal(found, expected === -1 ? times.length : expected);
          // The reader starts at the same record and stops before the first one after `to`.
          const to = probe + 3_000_000n;
          const read = await readAll(root, { from: probe, to });
          const stop = times.findIndex((t, i) => i >= found && t > to);
          const expectedCount = expected === -1 ? 0 : (stop === -1 ? times.length : stop) - found;
          assert.equal(read.length / 64, expectedCount);
          await rm(root, { recursive: true });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads across files and days from a start time, skipping earlier days unopened', async () => {
    const root = join(dir, 'from-across');
    const registry = registryOf('BTCUSDT');
    const specs = Array.from({ length: 300 }, (_, i) => ({ symbolId: 0, ms: BASE_MS + i * 600_000 })); // ~2 days
    const ticks = makeTicks(registry, specs);
    await record(root, registry, ticks, { maxFileBytes: 64 * 40 });
    const opened: string[] = [];
    const from = nsOf(BASE_MS + 200 * 600_000);
    const read = await readAll(root, { from, onFile: (f) => opened.push(f.day) });
    assert.deepEqual(read, ticks.subarray(200 * 64));
    assert.ok(!opened.includes('2026-11-21'), `opened ${opened.join(', ')}`);
  });

  it('a torn last record is ignored by the reader and cut on the next start', async () => {
    const root = join(dir, 'torn');
    const registry = registryOf('BTCUSDT');
    const ticks = makeTicks(registry, ascending(10, 1, 1));
    await record(root, registry, ticks);
    const [file] = await listRecordingFiles(root);
    await appendFile(file!.dataPath, ticks.subarray(0, 30)); // a crash mid-append
    assert.deepEqual(await readAll(root), ticks);
    const report = await repairLastFile(root);
    assert.equal(report.truncatedBytes, 30);
    assert.equal((await stat(file!.dataPath)).size, ticks.length);
  });

  it('a missing or short index is rebuilt from the data, identical to the one written', async () => {
    const root = join(dir, 'rebuild');
    const registry = registryOf('BTCUSDT');
    const ticks = makeTicks(registry, ascending(5_000, 1, 1));
    await record(root, registry, ticks, { index: { everyRecords: 100, everyMs: 1_000 } });
    const [file] = await listRecordingFiles(root);
    const written = await readFile(file!.indexPath);
    assert.equal(written.length, 50 * 16);

    await rm(file!.indexPath);
    const data = await DataFileReader.open(file!.dataPath);
    const loaded = await loadIndex(file!, data, { everyRecords: 100, everyMs: 1_000 });
    await data.close();
    assert.equal(loaded.source, 'rebuilt');
    assert.deepEqual(Buffer.from(loaded.index.toBytes()), written);
    assert.equal(await seekRecord(file!, nsOf(BASE_MS + 4_321)), 4_321);

    await truncate(file!.indexPath, 0).catch(() => undefined);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file!.indexPath, written.subarray(0, 20 * 16 + 7)); // short and torn
    assert.equal((await repairLastFile(root, { everyRecords: 100, everyMs: 1_000 })).index, 'extended');
    assert.deepEqual(await readFile(file!.indexPath), written);
  });

  it('drops (and counts) ticks when appends outpace a blocked disk; memory stays bounded', async () => {
    const root = join(dir, 'blocked');
    const registry = registryOf('BTCUSDT');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const flushBytes = 64 * 32;
    const maxPendingBytes = flushBytes * 4;
    const recorder = new TickRecorder({
      dir: root,
      registry,
      flushBytes,
      maxPendingBytes,
      writeGate: () => gate,
    });
    await recorder.start();
    const ticks = makeTicks(registry, ascending(1_000, 1, 1));
    let peak = 0;
    for (let at = 0; at < ticks.length; at += 64) {
      recorder.append(ticks.subarray(at, at + 64));
      peak = Math.max(peak, recorder.stats().pendingBytes);
    }
    const held = recorder.stats();
    assert.ok(held.dropped > 0, 'some ticks were dropped');
    assert.equal(held.records + held.dropped, 1_000);
    assert.ok(peak <= maxPendingBytes, `peak ${peak} <= ${maxPendingBytes}`);
    release();
    await recorder.close();
    const stats = recorder.stats();
    assert.equal(stats.recordsWritten, held.records);
    // What was kept is a prefix of the input, in order.
    assert.deepEqual(await readAll(root), ticks.subarray(0, held.records * 64));
  });

  it('keeps ticks of ids the registry does not know, with no name in the sidecar', async () => {
    const root = join(dir, 'unknown-id');
    const writer = registryOf('BTCUSDT', 'ETHUSDT');
    const ticks = makeTicks(writer, [{ symbolId: 1, ms: BASE_MS }]);
    await record(root, registryOf('BTCUSDT'), ticks);
    const [file] = await listRecordingFiles(root);
    const entry = (await readSymbolSidecar(file!.symbolsPath)).get(1);
    assert.deepEqual(entry, { id: 1, venue: 'SIM', symbol: null, priceScale: 2, sizeScale: 5 });
    assert.deepEqual(await readAll(root), ticks);
    assert.deepEqual((await readdir(join(root, '2026-11-21'))).sort(), [
      'ticks-000001.symbols.jsonl',
      'ticks-000001.tw',
      'ticks-000001.twi',
    ]);
  });

  it('reading a missing directory yields nothing', async () => {
    let chunks = 0;
    for await (const _ of readRecording(join(dir, 'nope'))) chunks++;
    assert.equal(chunks, 0);
  });
});
