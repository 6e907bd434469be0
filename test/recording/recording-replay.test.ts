import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { newReplayCounters, replay, replaySource, TickRecorder } from '../../src/recording/index.ts';
import { SymbolRegistry, Tick, TICK_BYTES } from '../../src/wire/index.ts';
import { tickwireError } from '../wire/expect-error.ts';
import { BASE_MS, makeTicks, nsOf, tempDir, type TickSpec, waitFor } from './recording-helpers.ts';

const PINNED = { ms: BASE_MS + 5 * 86_400_000, nanosOfMs: 123_456 };

/** A sink that keeps a copy of every committed tick; refuses the first `refuse` claims. */
class CollectingSink {
  readonly ticks: Uint8Array[] = [];
  private readonly slot = new Tick();
  claims = 0;
  constructor(private refuse = 0) {}
  claim(_symbolId: number): Tick | undefined {
    this.claims++;
    if (this.refuse > 0) {
      this.refuse--;
      return undefined;
    }
    return this.slot.wrap(new Uint8Array(TICK_BYTES));
  }
  commit(): void {
    this.ticks.push(this.slot.bytes);
  }
}

async function recordTo(dir: string, registry: SymbolRegistry, bytes: Uint8Array): Promise<void> {
  const recorder = new TickRecorder({ dir, registry });
  await recorder.start();
  recorder.append(bytes);
  await recorder.close();
}

describe('replay', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const recorded = new SymbolRegistry();
  recorded.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 5 });
  recorded.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 });
  // 600 ticks alternating BTC/ETH over 600 ms of receive time, 1 ms apart.
  const specs: TickSpec[] = Array.from({ length: 600 }, (_, i) => ({
    symbolId: i % 2,
    ms: BASE_MS + i,
    nanos: 7,
  }));
  const ticks = makeTicks(recorded, specs);

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    await recordTo(join(dir, 'main'), recorded, ticks);
  });
  after(() => cleanup());

  /** A registry that numbers symbols differently: ETHUSDT first, then an unrelated one. */
  function target(): SymbolRegistry {
    const registry = new SymbolRegistry();
    registry.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 });
    registry.register('BINANCE', 'XRPUSDT', { priceScale: 4, sizeScale: 1 });
    return registry;
  }

  it('as fast as possible into a sink: all ticks in order, ids remapped, receive time restamped', async () => {
    const registry = target();
    const sink = new CollectingSink(3); // the first claims find the ring full: replay waits, keeps order
    const handle = replay({ dir: join(dir, 'main'), speed: 0, registry, sink, now: () => PINNED });
    const final = await handle.done;
    assert.equal(final.state, 'done');
    assert.equal(final.emitted, 600);
    assert.equal(final.dropped, 0);
    assert.equal(sink.ticks.length, 600);
    assert.equal(registry.idOf('SIM', 'BTCUSDT'), 2);
    const got = new Tick();
    const want = new Tick();
    sink.ticks.forEach((bytes, i) => {
      got.wrap(bytes);
      want.wrap(ticks, i * TICK_BYTES);
      const name = recorded.info(want.symbolId).symbol;
      assert.equal(got.symbolId, registry.idOf('SIM', name), `tick ${i} symbol`);
      assert.equal(got.exchangeTimeNs(), want.exchangeTimeNs());
      assert.equal(got.receiveTimeNs(), nsOf(PINNED.ms, PINNED.nanosOfMs));
      assert.equal(got.sequence, want.sequence);
      // Everything but the venue/symbol word and the receive time is as recorded.
      assert.deepEqual(bytes.subarray(8, 24), ticks.subarray(i * 64 + 8, i * 64 + 24));
      assert.deepEqual(bytes.subarray(32, 64), ticks.subarray(i * 64 + 32, i * 64 + 64));
      assert.deepEqual(bytes.subarray(0, 4), ticks.subarray(i * 64, i * 64 + 4));
    });
  });

  it('at a speed multiple: in order, and not finished before recorded span / speed', async () => {
    const speed = 3;
    const registry = target();
    const sink = new CollectingSink();
    const batches: number[] = [];
    const startedAt = performance.now();
    const counters = newReplayCounters();
    for await (const batch of replaySource(
      { dir: join(dir, 'main'), speed, registry, now: () => PINNED },
      counters,
    )) {
      batches.push(batch.count);
      const tick = new Tick();
      for (let i = 0; i < batch.count; i++) {
        const slot = sink.claim(0)!;
        slot.copyFrom(tick.wrap(batch.bytes, i * TICK_BYTES));
        sink.commit();
      }
    }
    const elapsed = performance.now() - startedAt;
    const spanMs = 599; // first to last receive time
    // Ticks due within 1 ms leave together, so the end may come up to 1 ms early.
    assert.ok(elapsed >= spanMs / speed - 1, `took ${elapsed} ms, at least ${spanMs / speed - 1} expected`);
    assert.equal(sink.ticks.length, 600);
    const got = new Tick();
    sink.ticks.forEach((bytes, i) => assert.equal(got.wrap(bytes).sequence, i + 1, `tick ${i} in order`));
    // Timers are per batch, not per tick: fewer batches than ticks (ticks 1/3 ms apart at speed 3).
    assert.ok(batches.length < 600, `${batches.length} batches`);
    assert.equal(counters.emitted, 600);
    assert.equal(counters.recordedTimeNs, nsOf(BASE_MS + 599, 7));
  });

  it('onto a bus: each tick on its market-data topic under the target ids', async () => {
    const bus = new MemoryBus();
    const registry = target();
    const seen: string[] = [];
    bus.subscribe('md.>', (payload, topic) => {
      const tick = new Tick(payload as Uint8Array);
      seen.push(`${topic}#${tick.symbolId}`);
    });
    const from = nsOf(BASE_MS + 100, 7);
    const to = nsOf(BASE_MS + 103, 7);
    const final = await replay({ dir: join(dir, 'main'), speed: Infinity, registry, bus, from, to }).done;
    assert.equal(final.emitted, 4);
    const btc = registry.idOf('SIM', 'BTCUSDT');
    assert.deepEqual(seen, [
      `md.trade.SIM.BTCUSDT#${btc}`,
      'md.trade.SIM.ETHUSDT#0',
      `md.trade.SIM.BTCUSDT#${btc}`,
      'md.trade.SIM.ETHUSDT#0',
    ]);
    await bus.close();
  });

  it('can be stopped, and reports progress', async () => {
    const progress: string[] = [];
    const handle = replay({
      dir: join(dir, 'main'),
      speed: 0.01, // 600 ms of recording would take a minute
      registry: target(),
      sink: new CollectingSink(),
      progressIntervalMs: 10,
      onProgress: (p) => progress.push(p.state),
    });
    await waitFor(() => handle.progress().emitted > 0, 10_000, 'a first tick');
    handle.stop();
    const final = await handle.done;
    assert.equal(final.state, 'stopped');
    assert.ok(final.emitted < 600, `emitted ${final.emitted}`);
    assert.equal(progress.at(-1), 'stopped');
  });

  it('skips (and counts) ticks whose symbol has no name in the recording', async () => {
    const root = join(dir, 'unnamed');
    const names = new SymbolRegistry();
    names.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 5 });
    const writer = new SymbolRegistry();
    writer.register('SIM', 'BTCUSDT', { priceScale: 2, sizeScale: 5 });
    writer.register('SIM', 'ETHUSDT', { priceScale: 2, sizeScale: 4 });
    await recordTo(root, names, makeTicks(writer, specs.slice(0, 10)));
    const sink = new CollectingSink();
    const final = await replay({ dir: root, speed: 0, registry: target(), sink }).done;
    assert.equal(final.unmapped, 5);
    assert.equal(final.emitted, 5);
    assert.equal(sink.ticks.length, 5);
  });

  it('rejects a bad speed and a missing or double destination', async () => {
    const registry = target();
    assert.throws(
      () => replay({ dir, speed: 1, registry }),
      tickwireError('BAD_CONFIG', 'exactly one of sink or bus'),
    );
    const handle = replay({ dir, speed: -1, registry, sink: new CollectingSink() });
    await assert.rejects(handle.done, tickwireError('BAD_CONFIG', 'replay speed is -1'));
  });
});
