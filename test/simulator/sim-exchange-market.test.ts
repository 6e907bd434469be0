import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { getJson, TestClient, waitFor } from './sim-exchange-helpers.ts';

interface DepthSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}
interface DepthUpdate {
  e: 'depthUpdate';
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}
interface Trade {
  t: number;
  p: string;
  q: string;
  m: boolean;
}

/** A local order book kept the way Binance's "How to manage a local order book correctly" says. */
class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  updateId = 0;
  gaps = 0;

  load(snapshot: DepthSnapshot): void {
    for (const [price, quantity] of snapshot.bids) this.bids.set(price, quantity);
    for (const [price, quantity] of snapshot.asks) this.asks.set(price, quantity);
    this.updateId = snapshot.lastUpdateId;
  }

  /** The update procedure: ignore old events, detect gaps, set absolute quantities, remove zeros. */
  apply(event: DepthUpdate): void {
    if (event.u < this.updateId) return;
    if (event.U > this.updateId + 1) {
      this.gaps++;
      return;
    }
    for (const [side, levels] of [
      [this.bids, event.b],
      [this.asks, event.a],
    ] as const) {
      for (const [price, quantity] of levels) {
        if (Number(quantity) === 0) side.delete(price);
        else side.set(price, quantity);
      }
    }
    this.updateId = event.u;
  }

  sorted(side: 'bids' | 'asks'): [string, string][] {
    const direction = side === 'bids' ? -1 : 1;
    return [...this[side].entries()].sort((x, y) => direction * (Number(x[0]) - Number(y[0])));
  }
}

describe('exchange simulator: market', () => {
  it('lets a client following the documented snapshot + diff procedure end with the server book exactly', async () => {
    const sim = await startExchangeSimulator({ symbols: 5, eventsPerSecond: 2_000, seed: 11 });
    const client = new TestClient(`${sim.wsUrl}/ws/btcusdt@depth@100ms`);
    try {
      // 1-2. Open the stream, buffer its events, note the U of the first.
      await client.open();
      const first = await client.next<DepthUpdate>((m) => m.e === 'depthUpdate');
      // 3-4. Snapshot; again while it is older than the first buffered event.
      let snapshot: DepthSnapshot;
      let attempts = 0;
      do {
        snapshot = (await getJson(`${sim.url}/api/v3/depth?symbol=BTCUSDT&limit=5000`)).body as DepthSnapshot;
        assert.ok(++attempts < 50, 'snapshot never caught up with the stream');
      } while (snapshot.lastUpdateId < first.U);
      // 5-6. Drop buffered events the snapshot covers; the first kept one must straddle it.
      const events = () =>
        client.messages.filter((m): m is DepthUpdate => (m as DepthUpdate | undefined)?.e === 'depthUpdate');
      const kept = events().filter((event) => event.u > snapshot.lastUpdateId);
      const book = new LocalBook();
      book.load(snapshot);
      let applied = events().length - kept.length;
      if (kept.length > 0)
        assert.ok(kept[0]!.U <= snapshot.lastUpdateId + 1, 'first kept event starts after the snapshot');
      // 7. Apply buffered and then live events.
      const applyNew = () => {
        const all = events();
        for (; applied < all.length; applied++) book.apply(all[applied]!);
      };
      applyNew();
      await waitFor(
        () => (applyNew(), book.updateId > snapshot.lastUpdateId + 200),
        20_000,
        '200 more updates',
      );
      // Freeze the market, let the last diff arrive, and compare with the server's book.
      sim.pause();
      // Paused, the server's update id stays put; the diffs in flight bring the client to it.
      const server = (await getJson(`${sim.url}/api/v3/depth?symbol=BTCUSDT&limit=5000`))
        .body as DepthSnapshot;
      await waitFor(() => (applyNew(), book.updateId === server.lastUpdateId), 10_000, 'the last diff');
      assert.equal(book.gaps, 0);
      assert.deepEqual(book.sorted('bids'), server.bids);
      assert.deepEqual(book.sorted('asks'), server.asks);
      assert.ok(server.bids.length >= 20 && server.asks.length >= 20);
      assert.ok(Number(server.bids[0]![0]) < Number(server.asks[0]![0]), 'book not crossed');
    } finally {
      client.close();
      await sim.close();
    }
  });

  it('replays the same trades for the same seed, and others for another seed', async () => {
    const collect = async (seed: number) => {
      const sim = await startExchangeSimulator({ symbols: 3, eventsPerSecond: 3_000, seed });
      const client = new TestClient(`${sim.wsUrl}/ws/btcusdt@trade`);
      try {
        await client.open();
        const first = await client.next<Trade>((m) => typeof m.t === 'number');
        const until = first.t + 150;
        await waitFor(() => client.messages.some((m) => (m as Trade).t >= until), 20_000, '150 trades');
        return new Map(
          (client.messages as Trade[]).map((trade) => [trade.t, `${trade.p} ${trade.q} ${trade.m}`]),
        );
      } finally {
        client.close();
        await sim.close();
      }
    };
    const [a, b, other] = await Promise.all([collect(42), collect(42), collect(43)]);
    const common = [...a.keys()].filter((id) => b.has(id));
    assert.ok(common.length >= 100, `only ${common.length} trade ids in common`);
    for (const id of common) assert.equal(a.get(id), b.get(id), `trade ${id}`);
    const overlap = [...a.keys()].filter((id) => other.has(id));
    assert.ok(
      overlap.some((id) => a.get(id) !== other.get(id)),
      'another seed gives other trades',
    );
  });

  it('changes its event rate on setEventRate, stopping at 0, and refuses a bad rate', async () => {
    const sim = await startExchangeSimulator({ symbols: 5, eventsPerSecond: 2_000, seed: 3 });
    try {
      await waitFor(() => sim.stats().events > 0, 10_000, 'events at the starting rate');
      sim.setEventRate(0);
      // A batch already due may still run; after it, nothing more comes at rate 0.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stopped = sim.stats().events;
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(sim.stats().events, stopped, 'no events at rate 0');
      assert.throws(() => sim.setEventRate(-1), /BAD_CONFIG.*eventsPerSecond/);
      assert.throws(() => sim.setEventRate(1.5), /BAD_CONFIG.*eventsPerSecond/);
      sim.setEventRate(5_000);
      await waitFor(() => sim.stats().events > stopped, 10_000, 'events again after the rate is raised');
    } finally {
      await sim.close();
    }
  });

  it('starts with 100,000 symbols and lists them all in exchangeInfo', async () => {
    const sim = await startExchangeSimulator({ symbols: 100_000, eventsPerSecond: 20_000, seed: 5 });
    try {
      const info = (await getJson(`${sim.url}/api/v3/exchangeInfo`)).body as {
        symbols: { symbol: string }[];
      };
      assert.equal(info.symbols.length, 100_000);
      assert.equal(info.symbols[0]!.symbol, 'BTCUSDT');
      assert.equal(info.symbols[99_999]!.symbol, 'S99999USDT');
      const client = new TestClient(`${sim.wsUrl}/ws/s99999usdt@bookTicker`);
      try {
        await client.open();
        const ticker = await client.next((m) => m.s === 'S99999USDT', 20_000);
        assert.ok(typeof ticker.u === 'number');
      } finally {
        client.close();
      }
      assert.ok(sim.stats().events > 0);
    } finally {
      await sim.close();
    }
  });
});
