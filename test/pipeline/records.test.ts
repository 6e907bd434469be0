import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MemoryBus } from '../../src/bus/index.ts';
import { TickPipeline } from '../../src/pipeline/index.ts';
import type { FrameNormalizer, RecordMeta } from '../../src/pipeline/index.ts';
import { maxRecordBytes, recordSlots } from '../../src/pipeline/record-layout.ts';
import { RecordReader } from '../../src/pipeline/record-reader.ts';
import { RecordWriter } from '../../src/pipeline/record-writer.ts';
import { RingConsumer, RingPool, RingProducer } from '../../src/shm/index.ts';
import { SymbolRegistry, Tick } from '../../src/wire/index.ts';
import { ECHO_KINDS } from './echo-normalizer.ts';
import { waitFor } from './pipeline-harness.ts';

/** A normalizer that keeps copies of what it was handed. */
function collector(): FrameNormalizer & { got: { kind: string; bytes: number[]; meta: RecordMeta }[] } {
  const got: { kind: string; bytes: number[]; meta: RecordMeta }[] = [];
  const keep = (kind: string) => (bytes: Uint8Array, start: number, length: number, meta?: RecordMeta) =>
    got.push({ kind, bytes: [...bytes.subarray(start, start + length)], meta: { ...meta! } });
  return {
    got,
    frame: keep('frame'),
    snapshot: keep('snapshot'),
    control: keep('control'),
    configure: () => {},
    flush: () => {},
    writeFigures: () => {},
  };
}

describe('records in the input ring', () => {
  it('multi-slot records arrive whole and in order with ticks between them, across the ring end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 900 }), fc.constant(-1)), {
          minLength: 1,
          maxLength: 120,
        }),
        fc.integer({ min: 1, max: 40 }),
        (items, pollBatch) => {
          const ring = new RingPool().create(
            { producer: 'p', consumer: 'c' },
            { capacity: 64, policy: 'drop-newest' },
          );
          const producer = new RingProducer(ring);
          const consumer = new RingConsumer(ring);
          const writer = new RecordWriter(producer);
          const normalizer = collector();
          const ticks: number[] = [];
          const reader = new RecordReader(
            (bytes, offset) => ticks.push(new Tick(bytes, offset).sequence),
            normalizer,
          );
          const sent: { kind: 'frame' | 'tick'; value: number[] | number }[] = [];
          let n = 0;
          for (const item of items) {
            n++;
            if (item < 0) {
              // A tick through the ordinary claim path.
              while (producer.freeSlots() < 1) consumer.poll(reader.handle, pollBatch);
              producer.claim(1);
              new Tick(producer.bytes, producer.offsetOf(0)).writeTrade(
                1,
                3,
                0,
                0,
                n,
                1,
                1,
                0,
                1,
                0,
                1,
                1,
                0,
              );
              producer.publish(1);
              sent.push({ kind: 'tick', value: n });
              continue;
            }
            const payload = Uint8Array.from({ length: item }, (_, i) => (i * 7 + n) & 0xff);
            for (let tries = 0; ; tries++) {
              assert.ok(tries < 1_000, 'the record finds room once the consumer reads');
              const used = writer.write(
                'frame',
                0,
                n,
                9,
                77,
                5,
                1_700_000_000_000 + n,
                123,
                payload,
                0,
                payload.length,
                producer.freeSlots(),
              );
              if (used > 0) {
                assert.ok(used >= recordSlots(item) && used < 2 * recordSlots(item));
                break;
              }
              consumer.poll(reader.handle, pollBatch);
            }
            sent.push({ kind: 'frame', value: [...payload] });
          }
          for (let i = 0; i < 1_000 && consumer.poll(reader.handle, pollBatch) > 0; i++);
          assert.deepEqual(
            normalizer.got.map((entry) => entry.bytes),
            sent.filter((entry) => entry.kind === 'frame').map((entry) => entry.value),
          );
          assert.deepEqual(
            ticks,
            sent.filter((entry) => entry.kind === 'tick').map((entry) => entry.value),
          );
          for (const entry of normalizer.got) {
            assert.equal(entry.meta.source, 9);
            assert.equal(entry.meta.stream, 77);
            assert.equal(entry.meta.streamInfo, 5);
            assert.equal(entry.meta.receiveMs, 1_700_000_000_000 + entry.meta.symbolId);
            assert.equal(entry.meta.receiveNanosOfMs, 123);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a record larger than the free slots is not written and leaves the ring untouched', () => {
    const ring = new RingPool().create(
      { producer: 'p', consumer: 'c' },
      { capacity: 64, policy: 'drop-newest' },
    );
    const producer = new RingProducer(ring);
    const writer = new RecordWriter(producer);
    const payload = new Uint8Array(500);
    assert.equal(writer.write('frame', 0, 1, 0, 0, 0, 0, 0, payload, 0, 500, 5), 0);
    assert.equal(producer.freeSlots(), 64);
    assert.equal(maxRecordBytes(64), 16 * 64 - 40, 'a quarter of the ring');
  });
});

describe('TickPipeline with a normalizer in the workers', () => {
  let pipeline: TickPipeline;
  const ticks: { symbol: number; kind: number; length: number; sum: number }[] = [];
  let ids: number[] = [];
  const reader = new Tick();

  before(async () => {
    const registry = new SymbolRegistry();
    ids = Array.from({ length: 8 }, (_, i) =>
      registry.register('SIM', `E${i}USDT`, { priceScale: 0, sizeScale: 0 }),
    );
    const bus = new MemoryBus();
    bus.subscribe('md.>', (payload) => {
      reader.wrap(payload as Uint8Array, 0);
      ticks.push({ symbol: reader.symbolId, kind: reader.tradeId, length: reader.price, sum: reader.size });
    });
    pipeline = await TickPipeline.start({
      registry,
      bus,
      workers: 2,
      ringCapacity: 256,
      normalizer: {
        name: 'echo',
        url: new URL('./echo-normalizer.ts', import.meta.url).href,
        figures: 2,
        totals: 1,
      },
    });
  });
  after(() => pipeline.stop());

  const sumOf = (bytes: Uint8Array) => bytes.reduce((total, byte) => total + byte, 1);

  it('normalizes frames in the owning worker, joins a snapshot sent in parts, orders control records with frames', async () => {
    const frame = new TextEncoder().encode('{"stream":"x","data":{}}');
    for (const id of ids) assert.equal(pipeline.offerFrame(id, 1, id, 0, frame, 1_700_000_000_000, 0), true);
    const snapshot = Uint8Array.from({ length: 50_000 }, (_, i) => i % 251);
    assert.ok(snapshot.length > pipeline.maxFrameBytes, 'the snapshot needs several records');
    assert.equal(pipeline.offerSnapshot(ids[0]!, 0, 0, snapshot, 1_700_000_000_000, 0), true);
    const worker = pipeline.workerOf(ids[1]!);
    assert.equal(pipeline.sendControl(worker, String(ids[1])), true);
    assert.equal(pipeline.offerFrame(ids[1]!, 1, 0, 0, frame, 1_700_000_000_000, 0), true);
    assert.equal(
      pipeline.offerFrame(ids[2]!, 1, 0, 0, new Uint8Array(pipeline.maxFrameBytes + 1), 0, 0),
      false,
      'a frame larger than a record is refused',
    );
    pipeline.configureNormalizer({ symbolId: ids[3] });
    await waitFor(() => ticks.length === ids.length + 5, 'every record echoed');
    assert.deepEqual(
      ticks
        .filter((tick) => tick.kind === ECHO_KINDS.frame && tick.symbol !== ids[1])
        .map((tick) => tick.symbol)
        .sort(),
      ids.filter((id) => id !== ids[1]).sort(),
    );
    const joined = ticks.find((tick) => tick.kind === ECHO_KINDS.snapshot)!;
    assert.deepEqual([joined.symbol, joined.length, joined.sum], [ids[0], snapshot.length, sumOf(snapshot)]);
    const ofSymbol1 = ticks.filter((tick) => tick.symbol === ids[1]).map((tick) => tick.kind);
    assert.deepEqual(
      ofSymbol1,
      [ECHO_KINDS.frame, ECHO_KINDS.control, ECHO_KINDS.frame],
      'the control sits between the frames',
    );
    assert.equal(
      ticks.filter((tick) => tick.kind === ECHO_KINDS.configure).length,
      2,
      'both workers configured',
    );
    const stats = pipeline.stats();
    assert.equal(stats.frames.offered, ids.length + 2);
    assert.equal(stats.frames.written, ids.length + 1);
    assert.equal(stats.frames.dropped.tooLarge, 1);
    assert.equal(stats.frames.pendingRecords, 0);
    await waitFor(() => pipeline.normalizerFigures()[1] === 2, 'the normalizers figures');
    assert.equal(pipeline.normalizerFigures()[0], ids.length + 5, 'records seen, summed over workers');
  });

  it('ticks claimed by other feeds still flow through the same rings', async () => {
    const before = ticks.length;
    const tick = pipeline.claim(ids[4]!)!;
    tick.writeTrade(1, ids[4]!, 0, 0, 1, 1, 1, 0, 1, 0, 42, 7, 99);
    pipeline.commit();
    await waitFor(() => ticks.length === before + 1, 'the claimed tick');
    assert.deepEqual(ticks.at(-1), { symbol: ids[4], kind: 99, length: 42, sum: 7 });
  });

  it('refuses the drop-oldest policy with a normalizer', async () => {
    await assert.rejects(
      TickPipeline.start({
        registry: new SymbolRegistry(),
        bus: new MemoryBus(),
        workers: 1,
        inputPolicy: 'drop-oldest',
        normalizer: {
          name: 'echo',
          url: new URL('./echo-normalizer.ts', import.meta.url).href,
          figures: 0,
          totals: 0,
        },
      }),
      /BAD_CONFIG: inputPolicy drop-oldest cannot carry raw frames to a normalizer; use drop-newest or conflate/,
    );
  });
});
