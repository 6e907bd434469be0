import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryBus } from '../../src/bus/index.ts';
import { BinanceFeed, binanceNormalizer } from '../../src/feeds/binance/index.ts';
import { TickPipeline } from '../../src/pipeline/index.ts';
import { FLAG, QUOTE, SymbolRegistry, Tick, TRADE } from '../../src/wire/index.ts';
import { waitFor } from './binance-harness.ts';
import { type SimProcess, startSimProcess } from '../simulator/sim-process.ts';

/**
 * 50,000 symbols (trade + bookTicker: 100,000 streams, 1,024 per connection → 98 connections)
 * through the pipeline workers, against the Binance-compatible simulator in a child process (its
 * own event loop and core, as an exchange would be): every connection comes up live, and stays in
 * step through injected faults — all connections dropped, a malformed frame on each, a silenced
 * symbol. Trade ids are followed per symbol from the published ticks: a tick is flagged `gap`
 * exactly where its id skipped, and ids skip only across the outage, never because a frame was
 * refused on the way.
 */
const SYMBOLS = 50_000;
const STREAMS_PER_CONNECTION = 1_024;
const CONNECTIONS = Math.ceil((2 * SYMBOLS) / STREAMS_PER_CONNECTION);
/** Symbols per connection: a symbol's two streams are subscribed together, in order. */
const SYMBOLS_PER_CONNECTION = STREAMS_PER_CONNECTION / 2;

/** Per symbol: the last trade id seen, and trade id jumps seen with or without the gap flag. */
class TradeFollower {
  readonly lastId = new Map<number, number>();
  /** Trade ticks flagged gap whose id did follow the last one: false alarms. */
  falseGaps = 0;
  /** Trade ticks whose id skipped without the gap flag: missed gaps. */
  missedGaps = 0;
  /** Trade ticks whose id skipped (all flagged, unless missedGaps > 0), by phase. */
  readonly jumps = new Map<string, number>();
  phase = 'start';
  /** Ticks (any type) per symbol id, and per connection block since `mark()`. */
  readonly ticks = new Map<number, number>();
  readonly quotes = new Map<number, number>();
  private readonly tick = new Tick();

  see(payload: Uint8Array): void {
    const tick = this.tick.wrap(payload, 0);
    const id = tick.symbolId;
    this.ticks.set(id, (this.ticks.get(id) ?? 0) + 1);
    if (tick.type === QUOTE) this.quotes.set(id, (this.quotes.get(id) ?? 0) + 1);
    if (tick.type !== TRADE) return;
    const sequence = Number(tick.sequence);
    const last = this.lastId.get(id);
    this.lastId.set(id, sequence);
    const flagged = tick.hasFlag(FLAG.gap);
    if (last === undefined) return;
    const skipped = sequence > last + 1;
    if (skipped) this.jumps.set(this.phase, (this.jumps.get(this.phase) ?? 0) + 1);
    if (flagged && !skipped) this.falseGaps++;
    if (!flagged && skipped) this.missedGaps++;
  }

  /** Symbols with at least one tick in each block of SYMBOLS_PER_CONNECTION ids since `since`. */
  blocksTicking(since: Map<number, number>): number {
    let blocks = 0;
    for (let block = 0; block < CONNECTIONS; block++) {
      const first = block * SYMBOLS_PER_CONNECTION;
      const last = Math.min(SYMBOLS, first + SYMBOLS_PER_CONNECTION);
      for (let id = first; id < last; id++) {
        if ((this.ticks.get(id) ?? 0) > (since.get(id) ?? 0)) {
          blocks++;
          break;
        }
      }
    }
    return blocks;
  }
}

describe('BinanceFeed with 50,000 symbols against the simulator', { timeout: 240_000 }, () => {
  let sim: SimProcess;
  let pipeline: TickPipeline;
  let feed: BinanceFeed;
  let registry: SymbolRegistry;
  let symbols: string[];
  const follower = new TradeFollower();

  const allLive = () => {
    const health = feed.health();
    return (
      health.connections.length === CONNECTIONS &&
      health.connections.every((c) => c.state === 'live' && c.unconfirmed === 0)
    );
  };
  const refused = () => {
    const dropped = pipeline.stats().frames.dropped;
    return dropped.ringFull + dropped.workerDown + dropped.tooLarge;
  };

  before(async () => {
    sim = await startSimProcess({ symbols: SYMBOLS, eventsPerSecond: 10_000, seed: 5 });
    symbols = sim.symbols;
    registry = new SymbolRegistry();
    const bus = new MemoryBus();
    bus.subscribe('md.>', (payload) => follower.see(payload as Uint8Array));
    pipeline = await TickPipeline.start({
      registry,
      bus,
      profile: 'symbols',
      normalizer: binanceNormalizer(),
    });
    feed = new BinanceFeed({
      restUrl: sim.url,
      wsUrl: sim.wsUrl,
      venue: 'SIM',
      symbols,
      streams: ['trade', 'bookTicker'],
      registry,
      pipeline,
      streamsPerConnection: STREAMS_PER_CONNECTION,
      restWeightPerMinute: 1_000_000,
      minDialIntervalMs: 0,
      connection: { delay: () => 100 },
    });
    await feed.start();
  });

  after(async () => {
    await feed?.stop();
    await pipeline?.stop();
    await sim?.stop();
  });

  it('opens 98 connections, all live with every stream confirmed, and ticks flow on each', async () => {
    await waitFor(allLive, 120_000, 'every connection live with no unconfirmed stream');
    const health = feed.health();
    assert.equal(health.symbols, SYMBOLS);
    assert.equal(health.totals.streams, 2 * SYMBOLS);
    assert.equal((await sim.stats()).subscriptions, 2 * SYMBOLS);
    const start = new Map(follower.ticks);
    await waitFor(
      () => follower.blocksTicking(start) === CONNECTIONS,
      60_000,
      'ticks for symbols of every connection',
    );
    assert.equal(refused(), 0, 'no frame refused by the pipeline');
    assert.equal(follower.falseGaps + follower.missedGaps, 0);
    assert.equal(follower.jumps.size, 0, 'no trade id skipped');
    assert.equal(pipeline.stats().quality.gaps, 0);
  });

  it('a malformed frame on every connection is counted and every connection kept', async () => {
    const before = feed.health();
    const answer = await sim.fault({ kind: 'malformed', text: '{"stream":"btcusdt@trade","data":{broken' });
    assert.equal(answer.connections, CONNECTIONS);
    await waitFor(
      () => feed.health().mapper.malformed === before.mapper.malformed + CONNECTIONS,
      30_000,
      'every malformed frame counted',
    );
    const after = feed.health();
    assert.equal(after.totals.reconnects, before.totals.reconnects);
    assert.ok(allLive(), 'every connection still live');
    assert.match(after.lastMalformed, /./);
  });

  it('a silenced symbol stops at the simulator and comes back without a false gap; the others keep flowing', async () => {
    const silenced = registry.requireId('SIM', 'ETHUSDT');
    const busy = registry.requireId('SIM', 'BTCUSDT');
    const statsBefore = await sim.stats();
    const busyBefore = follower.ticks.get(busy) ?? 0;
    await sim.fault({ kind: 'silence', symbol: 'ETHUSDT', durationMs: 2_000 });
    const silencedAt = follower.ticks.get(silenced) ?? 0;
    await waitFor(() => (follower.ticks.get(busy) ?? 0) > busyBefore + 50, 30_000, 'BTCUSDT flowing');
    await waitFor(
      () => (follower.ticks.get(silenced) ?? 0) > silencedAt + 20,
      30_000,
      'ETHUSDT ticking again after its silence',
    );
    assert.ok(
      (await sim.stats()).silencedEvents > statsBefore.silencedEvents,
      'the simulator held events back',
    );
    assert.equal(follower.falseGaps + follower.missedGaps, 0);
    assert.equal(follower.jumps.size, 0, 'a silence skips no trade id');
    assert.equal(pipeline.stats().quality.gaps, 0);
  });

  it('all 98 connections dropped come back live and resubscribed; gaps flagged only across the outage', async () => {
    const before = feed.health();
    follower.phase = 'outage';
    const answer = await sim.fault({ kind: 'drop' });
    assert.equal(answer.dropped, CONNECTIONS);
    await waitFor(
      () => feed.health().totals.reconnects >= before.totals.reconnects + CONNECTIONS,
      60_000,
      'every connection reconnecting',
    );
    await waitFor(allLive, 120_000, 'every connection live again with no unconfirmed stream');
    const stats = await sim.stats();
    assert.equal(stats.subscriptions, 2 * SYMBOLS, 'every stream subscribed again at the simulator');
    assert.equal(stats.connectionList.length, CONNECTIONS);
    const sinceLive = new Map(follower.ticks);
    const messages = feed.health().connections.map((c) => c.messages);
    await waitFor(
      () => follower.blocksTicking(sinceLive) === CONNECTIONS,
      60_000,
      'ticks for symbols of every connection after the reconnect',
    );
    await waitFor(
      () => feed.health().connections.every((c, i) => c.messages > messages[i]!),
      60_000,
      'frames on every connection after the reconnect',
    );
    assert.equal(refused(), 0, 'no frame refused by the pipeline: every skipped id was lost in the outage');
    assert.equal(follower.falseGaps, 0, 'no gap flag where the trade ids continued');
    assert.equal(follower.missedGaps, 0, 'every skipped trade id flagged');
    assert.deepEqual([...follower.jumps.keys()], follower.jumps.size === 0 ? [] : ['outage']);
    // The pipeline's count covers exactly what the ticks show (trades; quotes only have to increase).
    // The worker counts a gap before its tick reaches the bus, so the two may differ for a moment.
    const jumps = () => follower.jumps.get('outage') ?? 0;
    await waitFor(() => pipeline.stats().quality.gaps === jumps(), 10_000, 'gap counts agree').catch(
      () => {},
    );
    assert.equal(pipeline.stats().quality.gaps, jumps());
    assert.equal(feed.health().mapper.malformed, before.mapper.malformed);
  });
});
