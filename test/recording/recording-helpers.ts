import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecording, type ReadOptions } from '../../src/recording/index.ts';
import { SIDE, type SymbolRegistry, Tick, TICK_BYTES } from '../../src/wire/index.ts';

export const DAY_MS = 86_400_000;
/** 2026-11-21T00:00:00Z */
export const BASE_MS = Date.parse('2026-11-21T00:00:00.000Z');

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tickwire-recording-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface TickSpec {
  symbolId: number;
  /** Receive time: ms and ns within the ms. */
  ms: number;
  nanos?: number;
  sequence?: number;
}

/** Trade ticks, one per spec, back to back; the exchange time is 1 ms before the receive time. */
export function makeTicks(registry: SymbolRegistry, specs: readonly TickSpec[]): Uint8Array {
  const bytes = new Uint8Array(specs.length * TICK_BYTES);
  const tick = new Tick(bytes);
  specs.forEach((spec, i) => {
    const info = registry.info(spec.symbolId);
    tick.moveTo(i * TICK_BYTES);
    tick.writeTrade(
      info.venueId,
      info.id,
      info.priceScale,
      info.sizeScale,
      spec.sequence ?? i + 1,
      SIDE.buy,
      spec.ms - 1,
      spec.nanos ?? 0,
      spec.ms,
      spec.nanos ?? 0,
      100_000 + i,
      1 + i,
      spec.sequence ?? i + 1,
    );
  });
  return bytes;
}

/** Every record the reader yields, copied into one buffer. */
export async function readAll(dir: string, options: ReadOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of readRecording(dir, options)) parts.push(chunk.bytes.slice());
  return new Uint8Array(Buffer.concat(parts));
}

/** Polls `condition` every 5 ms until it holds or `timeoutMs` passes (then throws). */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function nsOf(ms: number, nanos = 0): bigint {
  return BigInt(ms) * 1_000_000n + BigInt(nanos);
}
