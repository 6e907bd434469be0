import assert from 'node:assert/strict';
import { MemoryBus } from '../../src/bus/index.ts';
import { TickPipeline, type TickPipelineOptions } from '../../src/pipeline/index.ts';
import { SymbolRegistry, Tick, venueId } from '../../src/wire/index.ts';

export interface Received {
  symbol: number;
  type: number;
  seq: number;
  flags: number;
  bid: number;
}

export interface Harness {
  pipeline: TickPipeline;
  registry: SymbolRegistry;
  bus: MemoryBus;
  /** Symbol ids, registered as SIM:S0USDT, SIM:S1USDT, … */
  ids: number[];
  received: Received[];
  /** Offers a quote; false when the pipeline dropped it at claim. */
  quote(symbolId: number, seq: number, bid?: number, ask?: number, receiveLagMs?: number): boolean;
  /** Offers a trade (trade id = seq); false when the pipeline dropped it at claim. */
  trade(symbolId: number, seq: number, price?: number): boolean;
  stop(): Promise<void>;
}

const SIM = venueId('SIM');

/** A pipeline over a fresh registry and memory bus, recording every published tick. */
export async function startHarness(
  symbols: number,
  options: Partial<Omit<TickPipelineOptions, 'registry' | 'bus'>> = {},
): Promise<Harness> {
  const registry = new SymbolRegistry();
  const ids = Array.from({ length: symbols }, (_, i) =>
    registry.register('SIM', `S${i}USDT`, { priceScale: 2, sizeScale: 3 }),
  );
  const bus = new MemoryBus();
  const received: Received[] = [];
  const reader = new Tick();
  bus.subscribe('md.>', (payload) => {
    assert.ok(payload instanceof Uint8Array);
    reader.wrap(payload, 0);
    received.push({
      symbol: reader.symbolId,
      type: reader.type,
      seq: reader.sequence,
      flags: reader.flags,
      bid: reader.bidPrice,
    });
  });
  const pipeline = await TickPipeline.start({ registry, bus, workers: 2, ...options });
  const now = Date.now();
  return {
    pipeline,
    registry,
    bus,
    ids,
    received,
    quote(symbolId, seq, bid = 10_000, ask = 10_010, receiveLagMs = 0) {
      const tick = pipeline.claim(symbolId);
      if (tick === undefined) return false;
      tick.writeQuote(SIM, symbolId, 2, 3, seq, 0, now, 0, now + receiveLagMs, 0, bid, 1_000, ask, 1_000);
      pipeline.commit();
      return true;
    },
    trade(symbolId, seq, price = 10_000) {
      const tick = pipeline.claim(symbolId);
      if (tick === undefined) return false;
      tick.writeTrade(SIM, symbolId, 2, 3, seq, 1, now, 0, now, 0, price, 1_000, seq);
      pipeline.commit();
      return true;
    },
    stop: () => pipeline.stop(),
  };
}

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Symbols of `ids` owned by worker `index`, and the others. */
export function splitByWorker(harness: Harness, index: number): { owned: number[]; others: number[] } {
  const owned = harness.ids.filter((id) => harness.pipeline.partitioner.workerOf(id) === index);
  const others = harness.ids.filter((id) => harness.pipeline.partitioner.workerOf(id) !== index);
  return { owned, others };
}
