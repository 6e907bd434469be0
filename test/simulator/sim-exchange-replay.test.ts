import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  emptyMarketEvent,
  RecordedMarketSource,
  type RecordedSourceStats,
  resolveSimulatorOptions,
  simulatorOptionsSchema,
  startExchangeSimulator,
} from '../../src/simulator/index.ts';
import { TickRecorder } from '../../src/recording/index.ts';
import { SIDE, SymbolRegistry, Tick, TICK_BYTES, type Venue } from '../../src/wire/index.ts';
import { BASE_MS, tempDir } from '../recording/recording-helpers.ts';
import { getJson, TestClient, waitFor } from './sim-exchange-helpers.ts';

const BIN = fileURLToPath(new URL('../../bin/tickwire.js', import.meta.url));

/** One recorded market event, as the test writes it. */
type Step =
  | { kind: 'quote'; symbol: string; bid: number; bidSize: number; ask: number; askSize: number }
  | { kind: 'trade'; symbol: string; price: number; size: number; side: 'buy' | 'sell' | 'none' }
  | { kind: 'book'; symbol: string; price: number; size: number };

const SCALES = {
  BTCUSDT: { priceScale: 2, sizeScale: 5 },
  ETHUSDT: { priceScale: 2, sizeScale: 4 },
} as const;

/**
 * A deterministic market of `count` rounds, `stepMs` of receive time apart: a BTCUSDT quote each
 * round, a BTCUSDT trade every 3rd (alternating aggressor, at the touch it hits), an ETHUSDT
 * quote every 5th and a trade without aggressor every 11th, a BTCUSDT book level every 13th.
 */
function marketSteps(count: number): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    const bid = 9_700_000 + i * 3 - (i % 4);
    steps.push({ kind: 'quote', symbol: 'BTCUSDT', bid, bidSize: 100 + i, ask: bid + 5, askSize: 2_000 + i });
    if (i % 3 === 0) {
      const buy = i % 2 === 0;
      steps.push({
        kind: 'trade',
        symbol: 'BTCUSDT',
        price: buy ? bid + 5 : bid,
        size: 7 + i,
        side: buy ? 'buy' : 'sell',
      });
    }
    if (i % 5 === 0) {
      steps.push({
        kind: 'quote',
        symbol: 'ETHUSDT',
        bid: 340_000 + i,
        bidSize: 50,
        ask: 340_010 + i,
        askSize: 60,
      });
    }
    if (i % 11 === 0)
      steps.push({ kind: 'trade', symbol: 'ETHUSDT', price: 340_000 + i, size: 3, side: 'none' });
    if (i % 13 === 0) steps.push({ kind: 'book', symbol: 'BTCUSDT', price: 9_690_000, size: 5 });
  }
  return steps;
}

/** Records `steps` under `dir` through the recording API, each `stepMs` after the previous. */
async function record(
  dir: string,
  steps: readonly Step[],
  stepMs: number,
  venues: readonly Venue[] = ['SIM'],
): Promise<void> {
  const registry = new SymbolRegistry();
  const bytes = new Uint8Array(steps.length * venues.length * TICK_BYTES);
  const tick = new Tick(bytes);
  let n = 0;
  steps.forEach((step, i) => {
    for (const venue of venues) {
      const { priceScale, sizeScale } = SCALES[step.symbol as keyof typeof SCALES];
      const info = registry.info(registry.register(venue, step.symbol, { priceScale, sizeScale }));
      const ms = BASE_MS + i * stepMs;
      tick.moveTo(n++ * TICK_BYTES);
      const head = [info.venueId, info.id, priceScale, sizeScale, i + 1] as const;
      if (step.kind === 'quote') {
        tick.writeQuote(...head, 0, ms - 1, 0, ms, 0, step.bid, step.bidSize, step.ask, step.askSize);
      } else if (step.kind === 'trade') {
        const side = step.side === 'buy' ? SIDE.buy : step.side === 'sell' ? SIDE.sell : SIDE.none;
        tick.writeTrade(...head, side, ms - 1, 0, ms, 0, step.price, step.size, i + 1);
      } else {
        tick.writeBook(...head, SIDE.bid, ms - 1, 0, ms, 0, step.price, step.size, 0, 0);
      }
    }
  });
  const recorder = new TickRecorder({ dir, registry });
  await recorder.start();
  recorder.append(bytes);
  await recorder.close();
}

/** `mantissa` at `scale` as Binance writes it, computed independently of the simulator's formatter. */
function decimal(mantissa: number, scale: number): string {
  return (mantissa / 10 ** scale).toFixed(scale);
}

/** What a `btcusdt@trade` + `btcusdt@bookTicker` client must see for `steps`, in order. */
function expectedBtcMessages(steps: readonly Step[]): string[] {
  const { priceScale: p, sizeScale: s } = SCALES.BTCUSDT;
  return steps
    .filter((step) => step.symbol === 'BTCUSDT' && step.kind !== 'book')
    .map((step) =>
      step.kind === 'quote'
        ? `quote ${decimal(step.bid, p)} ${decimal(step.bidSize, s)} ${decimal(step.ask, p)} ${decimal(step.askSize, s)}`
        : step.kind === 'trade'
          ? `trade ${decimal(step.price, p)} ${decimal(step.size, s)} m=${step.side === 'sell'}`
          : '',
    );
}

interface Combined {
  stream: string;
  data: Record<string, unknown>;
}

/** The client's btcusdt frames as the same one-line summaries, in arrival order. */
function receivedBtcMessages(client: TestClient): string[] {
  return (client.messages as Combined[])
    .filter((m) => m?.stream === 'btcusdt@trade' || m?.stream === 'btcusdt@bookTicker')
    .map(({ stream, data }) =>
      stream === 'btcusdt@trade'
        ? `trade ${String(data.p)} ${String(data.q)} m=${String(data.m)}`
        : `quote ${String(data.b)} ${String(data.B)} ${String(data.a)} ${String(data.A)}`,
    );
}

describe('exchange simulator replaying a recording', () => {
  let root = '';
  let cleanup: () => Promise<void> = async () => undefined;
  const steps = marketSteps(400);
  const expected = expectedBtcMessages(steps);
  const btcBooks = steps.filter((step) => step.kind === 'book').length;

  before(async () => {
    ({ dir: root, cleanup } = await tempDir());
    await record(join(root, 'fast'), steps, 1);
    // 41 rounds 50 ms apart: 2,000 ms of recorded time.
    await record(join(root, 'paced'), marketSteps(41), 50);
    await record(join(root, 'venues'), marketSteps(30), 1, ['SIM', 'BINANCE']);
    // Several of the replay's 1,024-tick batches.
    await record(join(root, 'large'), marketSteps(3_000), 1);
  });
  after(() => cleanup());

  it('as fast as possible: a client gets every recorded trade and quote, in order, as recorded', async () => {
    // A queue far smaller than the recording: the replay waits for the simulator while it is full.
    const source = await RecordedMarketSource.open({ dir: join(root, 'fast'), speed: 0, queueTicks: 64 });
    assert.deepEqual(
      source.symbols.map((s) => [s.symbol, s.priceScale, s.sizeScale]),
      [
        ['BTCUSDT', 2, 5],
        ['ETHUSDT', 2, 4],
      ],
    );
    const simulator = await startExchangeSimulator({ source });
    let client: TestClient | undefined;
    try {
      // Before the replay starts, the book is seeded from each symbol's first recorded quote.
      const depth = (await getJson(`${simulator.url}/api/v3/depth?symbol=BTCUSDT&limit=5`)).body as {
        bids: string[][];
        asks: string[][];
      };
      const first = steps[0] as Extract<Step, { kind: 'quote' }>;
      assert.deepEqual(depth.bids[0], [decimal(first.bid, 2), decimal(first.bidSize, 5)]);
      assert.deepEqual(depth.asks[0], [decimal(first.ask, 2), decimal(first.askSize, 5)]);

      client = new TestClient(`${simulator.wsUrl}/stream?streams=btcusdt@trade/btcusdt@bookTicker`);
      await client.open();
      await waitFor(() => simulator.stats().subscriptions === 2, 10_000, 'the subscriptions');
      source.start();
      const final = await source.done;
      assert.equal(final.state, 'ended');
      assert.equal(simulator.stats().source?.state, 'ended');
      await waitFor(
        () => receivedBtcMessages(client!).length >= expected.length,
        20_000,
        'every BTCUSDT frame',
      );

      assert.deepEqual(receivedBtcMessages(client), expected);
      const tickers = (client.messages as Combined[]).filter((m) => m?.stream === 'btcusdt@bookTicker');
      tickers.forEach(({ data }, i) => assert.equal(data.u, i + 1, 'one book update per recorded quote'));

      const trades = steps.filter((step) => step.kind === 'trade').length;
      const quotes = steps.filter((step) => step.kind === 'quote').length;
      assert.equal(final.trades, trades);
      assert.equal(final.quotes, quotes);
      assert.equal(final.events, trades + quotes);
      assert.equal(final.skipped.book, btcBooks);
      assert.equal(final.read, steps.length);
      assert.ok(final.queueHighWater <= 64, `queue held ${final.queueHighWater} ticks, more than its 64`);

      // The last recorded ETHUSDT print, aggressor unrecorded, is the last price.
      const lastEth = steps.findLast((step) => step.kind === 'trade' && step.symbol === 'ETHUSDT') as Extract<
        Step,
        { kind: 'trade' }
      >;
      const ticker = await getJson(`${simulator.url}/api/v3/ticker/price?symbol=ETHUSDT`);
      assert.deepEqual(ticker.body, { symbol: 'ETHUSDT', price: decimal(lastEth.price, 2) });
      const info = (await getJson(`${simulator.url}/api/v3/exchangeInfo`)).body as {
        symbols: { symbol: string; baseAssetPrecision: number }[];
      };
      assert.deepEqual(
        info.symbols.map((s) => s.symbol),
        ['BTCUSDT', 'ETHUSDT'],
      );
      assert.equal(simulator.stats().events, trades + quotes);
    } finally {
      client?.close();
      await simulator.close();
    }
  });

  it('at speed 10 the recorded sequence arrives in order and takes at least a tenth of its span', async () => {
    const paced = marketSteps(41);
    const source = await RecordedMarketSource.open({ dir: join(root, 'paced'), speed: 10 });
    const simulator = await startExchangeSimulator({ source, eventsPerSecond: 1 });
    let client: TestClient | undefined;
    try {
      client = new TestClient(`${simulator.wsUrl}/stream?streams=btcusdt@trade/btcusdt@bookTicker`);
      await client.open();
      await waitFor(() => simulator.stats().subscriptions === 2, 10_000, 'the subscriptions');
      const started = performance.now();
      source.start();
      const final = await source.done;
      const elapsed = performance.now() - started;
      assert.equal(final.state, 'ended');
      const want = expectedBtcMessages(paced);
      await waitFor(() => receivedBtcMessages(client!).length >= want.length, 20_000, 'every BTCUSDT frame');
      assert.deepEqual(receivedBtcMessages(client), want);
      // 2,000 ms recorded at 10x: not before 200 ms (a lower bound only; a busy machine is slower).
      assert.ok(elapsed >= 195, `replay at 10x took ${elapsed.toFixed(1)} ms, less than 2000 / 10`);
    } finally {
      client?.close();
      await simulator.close();
    }
  });

  it('the read-ahead queue stays bounded: the replay waits while nobody takes events', async () => {
    const large = marketSteps(3_000);
    const source = await RecordedMarketSource.open({ dir: join(root, 'large'), speed: 0, queueTicks: 16 });
    try {
      source.start();
      await waitFor(() => source.stats().queued === 16, 10_000, 'a full queue');
      // Give the reader turns to run ahead if it would; it must not.
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      let stats: RecordedSourceStats = source.stats();
      assert.equal(stats.queued, 16);
      assert.equal(stats.queueHighWater, 16);
      assert.ok(stats.read < large.length, `read ${stats.read} of ${large.length} records with a full queue`);
      assert.equal(source.ended, false);

      // Taking events frees room; every recorded trade and quote comes out, then the end.
      const event = emptyMarketEvent();
      let events = 0;
      let trades = 0;
      await waitFor(
        () => {
          while (source.next(event)) {
            events++;
            if (event.trade) trades++;
          }
          return source.ended;
        },
        20_000,
        'the end of the replay',
      );
      stats = source.stats();
      assert.equal(stats.state, 'ended');
      assert.equal(events, large.filter((step) => step.kind !== 'book').length);
      assert.equal(trades, large.filter((step) => step.kind === 'trade').length);
      assert.equal(stats.read, large.length);
      assert.equal(stats.queueHighWater, 16);
    } finally {
      source.close();
    }
  });

  it('maps recorded ticks to events: quotes move the touch, trades keep price, size and side', async () => {
    const source = await RecordedMarketSource.open({ dir: join(root, 'fast'), speed: 0 });
    try {
      source.start();
      const event = emptyMarketEvent();
      const seen: string[] = [];
      await waitFor(
        () => {
          while (source.next(event) && seen.length < 12) {
            const name = source.symbols[event.symbolIndex]!.symbol;
            seen.push(
              event.trade
                ? `${name} trade ${event.tradePrice} ${event.tradeSize} side ${event.tradeSide} quote ${event.quote}`
                : `${name} quote ${event.bidPrice} ${event.bidSize} ${event.askPrice} ${event.askSize}`,
            );
          }
          return seen.length >= 12;
        },
        10_000,
        'twelve events',
      );
      const want = steps
        .filter((step) => step.kind !== 'book')
        .slice(0, 12)
        .map((step) =>
          step.kind === 'quote'
            ? `${step.symbol} quote ${step.bid} ${step.bidSize} ${step.ask} ${step.askSize}`
            : step.kind === 'trade'
              ? // An unrecorded aggressor at or below the bid was a seller (2).
                `${step.symbol} trade ${step.price} ${step.size} side ${step.side === 'buy' ? 1 : 2} quote false`
              : '',
        );
      assert.deepEqual(seen, want);
    } finally {
      source.close();
    }
  });

  it('one name on two venues needs a venue; with one, the other venue is skipped and counted', async () => {
    const dir = join(root, 'venues');
    await assert.rejects(RecordedMarketSource.open({ dir, speed: 0 }), (error: Error) => {
      assert.match(error.message, /^BAD_CONFIG: .*has BTCUSDT on venues BINANCE and SIM; .*--venue/);
      return true;
    });
    const source = await RecordedMarketSource.open({ dir, speed: 0, venue: 'BINANCE' });
    try {
      assert.deepEqual(source.venues, ['BINANCE', 'BINANCE']);
      source.start();
      const event = emptyMarketEvent();
      await waitFor(
        () => {
          while (source.next(event));
          return source.ended;
        },
        10_000,
        'the end of the replay',
      );
      const stats = source.stats();
      const perVenue = marketSteps(30).filter((step) => step.kind !== 'book').length;
      assert.equal(stats.events, perVenue);
      assert.equal(stats.skipped.unlisted, perVenue, 'every SIM quote and trade');
    } finally {
      source.close();
    }
  });

  it('checks its options and the simulator options naming the key', async () => {
    await assert.rejects(
      RecordedMarketSource.open({ dir: root, speed: -1 }),
      /recorded source option speed must be/,
    );
    await assert.rejects(
      RecordedMarketSource.open({ dir: join(root, 'fast'), from: 20n, to: 10n }),
      /recorded source option to must be at or after from/,
    );
    await assert.rejects(RecordedMarketSource.open({ dir: join(root, 'missing') }), /holds no recording/);
    const source = await RecordedMarketSource.open({ dir: join(root, 'fast') });
    assert.throws(
      () => resolveSimulatorOptions({ source, replay: { dir: root } }),
      /exchange simulator option replay must be absent when source is given/,
    );
    assert.throws(
      () => resolveSimulatorOptions({ replay: { dir: root, queueTicks: 0 } }),
      /exchange simulator option replay\.queueTicks must be an integer from 1/,
    );
    source.close();

    const parsed = simulatorOptionsSchema.parse({
      replay: '/rec',
      replaySpeed: '10',
      replayFrom: '2026-11-21T00:00:00Z',
      replayVenue: 'SIM',
    });
    assert.deepEqual(parsed.replay, {
      dir: '/rec',
      speed: 10,
      from: BigInt(BASE_MS) * 1_000_000n,
      venue: 'SIM',
    });
    const orphan = simulatorOptionsSchema.safeParse({ replaySpeed: '2' });
    assert.equal(orphan.success, false);
    assert.deepEqual(orphan.error?.issues[0]?.path, ['replaySpeed']);
  });

  it('tickwire sim --replay serves the recording and reports its end in /sim/stats', async () => {
    const bad = spawnSync(process.execPath, [BIN, 'sim', '--speed', '2'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /invalid simulator option: replaySpeed \(--speed\): only applies with --replay/);

    const child = spawn(
      process.execPath,
      [BIN, 'sim', '--replay', join(root, 'fast'), '--speed', '0', '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let simulatorUrl = '';
    try {
      await waitFor(() => /REST\s+http:\/\/[^/\s]+/.test(output), 30_000, `the URLs; output: ${output}`);
      simulatorUrl = /REST\s+(http:\/\/[^/\s]+)/.exec(output)![1]!;
      assert.match(output, /replaying .* at full speed: 2 symbols \(BTCUSDT, ETHUSDT\)/);
      let stats: { source?: RecordedSourceStats } = {};
      for (let round = 0; round < 300 && stats.source?.state !== 'ended'; round++) {
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        stats = (await getJson(`${simulatorUrl}/sim/stats`)).body as typeof stats;
      }
      assert.equal(stats.source?.state, 'ended');
      assert.equal(stats.source?.events, steps.length - btcBooks);
      await waitFor(() => /replay ended: /.test(output), 10_000, 'the end line');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
  });
});
