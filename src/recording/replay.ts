import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { type MarketDataKind, type MessageBus, marketDataTopic } from '../bus/index.ts';
import { TickwireError } from '../errors.ts';
import { MESSAGE_TYPES, type SymbolRegistry, Tick } from '../wire/index.ts';
import { RECORD_BYTES } from './layout.ts';
import {
  newReplayCounters,
  type ReplayCounters,
  replaySource,
  type ReplaySourceOptions,
} from './replay-source.ts';

/** Where replayed ticks go in the pipeline: the TickSink shape feeds write to (TickPipeline is one). */
export interface ReplaySink {
  claim(symbolId: number): Tick | undefined;
  commit(): void;
}

export interface ReplayOptions extends Omit<ReplaySourceOptions, 'signal'> {
  /** Write ticks into this sink (the pipeline)… */
  sink?: ReplaySink;
  /** …or publish each on its market-data topic on this bus. Exactly one of the two. */
  bus?: MessageBus;
  /** Called every `progressIntervalMs` while running, and once at the end. */
  onProgress?: (progress: ReplayProgress) => void;
  progressIntervalMs?: number;
  /**
   * How long to wait for a full sink to take a tick before dropping it (counted). Replay is not
   * a live feed: it can wait rather than lose ticks, but not forever on a stalled pipeline.
   */
  maxSinkWaitMs?: number;
}

export const REPLAY_RUN_DEFAULTS = { progressIntervalMs: 1_000, maxSinkWaitMs: 5_000 } as const;

export interface ReplayProgress extends Readonly<ReplayCounters> {
  /** Ticks the sink refused for longer than maxSinkWaitMs. */
  readonly dropped: number;
  readonly elapsedMs: number;
  readonly state: 'running' | 'done' | 'stopped';
}

export interface ReplayHandle {
  /** Resolves with the final progress when the recording is exhausted or `stop()` was called. */
  readonly done: Promise<ReplayProgress>;
  /** Ends the replay at the next batch or wait; `done` then resolves with state 'stopped'. */
  stop(): void;
  progress(): ReplayProgress;
}

/** Batches handed to the sink or bus between two yields to the event loop when not paced. */
const BATCHES_PER_TURN = 8;
const SINK_RETRY_MS = 1;

/**
 * Replays a recording into the pipeline (a sink) or onto a bus, paced by `speed` (replay-source.ts
 * says how), with symbol ids remapped to `registry` and receive times restamped. Returns at once;
 * the replay runs on the event loop, yielding to it between batches.
 */
export function replay(options: ReplayOptions): ReplayHandle {
  if ((options.sink === undefined) === (options.bus === undefined)) {
    throw new TickwireError('BAD_CONFIG', 'replay needs exactly one of sink or bus');
  }
  const { onProgress, progressIntervalMs, maxSinkWaitMs } = { ...REPLAY_RUN_DEFAULTS, ...options };
  const controller = new AbortController();
  const counters = newReplayCounters();
  const startedAt = performance.now();
  let dropped = 0;
  let state: ReplayProgress['state'] = 'running';
  const progress = (): ReplayProgress => ({
    ...counters,
    dropped,
    elapsedMs: performance.now() - startedAt,
    state,
  });
  const timer =
    onProgress === undefined ? undefined : setInterval(() => onProgress(progress()), progressIntervalMs);
  timer?.unref();

  const emitter =
    options.sink !== undefined
      ? sinkEmitter(options.sink, maxSinkWaitMs, controller.signal)
      : busEmitter(options.bus!, options.registry);

  const done = (async () => {
    try {
      let batches = 0;
      const source = replaySource({ ...options, signal: controller.signal }, counters);
      for await (const batch of source) {
        dropped += await emitter(batch.bytes, batch.count);
        if (++batches % BATCHES_PER_TURN === 0) await nextTurn();
      }
      state = controller.signal.aborted ? 'stopped' : 'done';
      return progress();
    } finally {
      if (state === 'running') state = 'stopped';
      clearInterval(timer);
      onProgress?.(progress());
    }
  })();
  return { done, stop: () => controller.abort(), progress };
}

/** Emits `count` ticks from `bytes`; resolves with how many were dropped. */
type Emitter = (bytes: Uint8Array, count: number) => Promise<number>;

function sinkEmitter(sink: ReplaySink, maxWaitMs: number, signal: AbortSignal): Emitter {
  const source = new Tick();
  return async (bytes, count) => {
    let dropped = 0;
    for (let i = 0; i < count; i++) {
      source.wrap(bytes, i * RECORD_BYTES);
      let slot = sink.claim(source.symbolId);
      const deadline = slot === undefined ? performance.now() + maxWaitMs : 0;
      while (slot === undefined && performance.now() < deadline && !signal.aborted) {
        // The owning worker's ring is full: give the workers a moment, keep the tick order.
        await sleep(SINK_RETRY_MS);
        source.wrap(bytes, i * RECORD_BYTES);
        slot = sink.claim(source.symbolId);
      }
      if (slot === undefined) {
        dropped++;
        continue;
      }
      slot.copyFrom(source);
      sink.commit();
    }
    return dropped;
  };
}

function busEmitter(bus: MessageBus, registry: SymbolRegistry): Emitter {
  const tick = new Tick();
  // Topic per (target symbol id, message type), built on first use.
  const topics: string[] = [];
  return async (bytes, count) => {
    for (let i = 0; i < count; i++) {
      tick.wrap(bytes, i * RECORD_BYTES);
      const key = tick.symbolId * MESSAGE_TYPES.length + tick.type - 1;
      let topic = topics[key];
      if (topic === undefined) {
        const info = registry.info(tick.symbolId);
        const kind = MESSAGE_TYPES[tick.type - 1] as MarketDataKind;
        topic = marketDataTopic(kind, info.venue, info.symbol);
        topics[key] = topic;
      }
      // A copy: subscribers may keep the payload after this buffer is reused.
      bus.publish(topic, bytes.slice(i * RECORD_BYTES, (i + 1) * RECORD_BYTES));
    }
    return 0;
  };
}
