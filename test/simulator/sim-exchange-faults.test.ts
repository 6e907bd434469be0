import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { postJson, TestClient, waitFor } from './sim-exchange-helpers.ts';

interface Timed {
  E: number;
}

/** Largest gap between consecutive event times (E) among the messages. */
function largestGap(messages: unknown[]): number {
  const times = messages
    .map((m) => (m as Timed | undefined)?.E)
    .filter((t): t is number => typeof t === 'number');
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  return gap;
}

describe('exchange simulator: fault injection', () => {
  let sim: ExchangeSimulator;
  const clients: TestClient[] = [];
  const client = async (path: string) => {
    const c = new TestClient(`${sim.wsUrl}${path}`);
    clients.push(c);
    await c.open();
    return c;
  };

  before(async () => {
    sim = await startExchangeSimulator({ symbols: 4, eventsPerSecond: 4_000, seed: 9 });
  });
  after(async () => {
    for (const c of clients) c.close();
    await sim.close();
  });

  it('drops one connection or all, without a closing handshake (method and HTTP)', async () => {
    const a = await client('/ws/btcusdt@trade');
    const b = await client('/ws/ethusdt@trade');
    const id = sim.stats().connectionList.at(-2)!.id;
    assert.equal(sim.faults.dropConnections(id), 1);
    assert.equal((await a.waitClosed()).code, 1006);
    assert.equal(b.closed, undefined);
    const { status, body } = await postJson(`${sim.url}/sim/faults`, { kind: 'drop' });
    assert.equal(status, 200);
    assert.ok((body as { dropped: number }).dropped >= 1);
    assert.equal((await b.waitClosed()).code, 1006);
    assert.equal(sim.stats().faultsApplied.drop, 2);
  });

  it('skips depth sequence numbers: the next diff event starts after a gap in U/u', async () => {
    const c = await client('/ws/ethusdt@depth@100ms');
    await c.next((m) => m.e === 'depthUpdate');
    const { status } = await postJson(`${sim.url}/sim/faults`, {
      kind: 'skipSequence',
      symbol: 'ETHUSDT',
      count: 2,
    });
    assert.equal(status, 200);
    const gapFound = () => {
      const events = c.messages as { U: number; u: number }[];
      return events.some((event, i) => i > 0 && event.U > events[i - 1]!.u + 1);
    };
    await waitFor(gapFound, 10_000, 'a gap in U/u');
  });

  it('silences a symbol: its streams go quiet for the duration, then resume', async () => {
    const c = await client('/ws/btcusdt@trade');
    await c.next((m) => m.e === 'trade');
    sim.faults.silence('BTCUSDT', 800);
    const countAtFault = c.messages.length;
    await waitFor(() => c.messages.length > countAtFault + 20, 15_000, 'trades after the silence');
    assert.ok(largestGap(c.messages) >= 700, `largest gap ${largestGap(c.messages)} ms`);
    assert.ok(sim.stats().silencedEvents > 0);
  });

  it('crosses the book: the book ticker shows best bid >= best ask', async () => {
    const c = await client('/ws/ethusdt@bookTicker');
    await c.next((m) => m.s === 'ETHUSDT');
    const { status } = await postJson(`${sim.url}/sim/faults`, {
      kind: 'crossBook',
      symbol: 'ETHUSDT',
      updates: 3,
    });
    assert.equal(status, 200);
    await c.next((m) => Number(m.b) >= Number(m.a));
  });

  it('sends a malformed (non-JSON) frame to connections', async () => {
    const c = await client('/ws/btcusdt@aggTrade');
    const { body } = await postJson(`${sim.url}/sim/faults`, { kind: 'malformed', text: 'garbage{' });
    assert.ok((body as { connections: number }).connections >= 1);
    await waitFor(() => c.texts.includes('garbage{'), 5_000, 'the malformed frame');
  });

  it('slows down: a rate cut to zero stops every stream for the duration', async () => {
    const c = await client('/ws/btcusdt@trade');
    await c.next((m) => m.e === 'trade');
    const { status } = await postJson(`${sim.url}/sim/faults`, {
      kind: 'slowDown',
      durationMs: 800,
      rateFactor: 0,
    });
    assert.equal(status, 200);
    const countAtFault = c.messages.length;
    await waitFor(() => c.messages.length > countAtFault + 20, 15_000, 'trades after the slow-down');
    assert.ok(largestGap(c.messages) >= 700, `largest gap ${largestGap(c.messages)} ms`);
  });

  it('delays sends when asked, and still delivers everything', async () => {
    const c = await client('/ws/ethusdt@trade');
    sim.faults.slowDown({ durationMs: 300, delayMs: 100 });
    const countAtFault = c.messages.length;
    await waitFor(() => c.messages.length > countAtFault + 20, 15_000, 'trades during and after the delay');
    const ids = (c.messages as { t: number }[]).map((trade) => trade.t);
    for (let i = 1; i < ids.length; i++)
      assert.equal(ids[i], ids[i - 1]! + 1, 'trade ids stay contiguous and ordered');
  });

  it('rejects a bad fault request with 400 and a message naming the problem', async () => {
    const unknownKind = await postJson(`${sim.url}/sim/faults`, { kind: 'meteor' });
    assert.equal(unknownKind.status, 400);
    assert.match((unknownKind.body as { error: string }).error, /invalid fault request: kind/);
    const missing = await postJson(`${sim.url}/sim/faults`, { kind: 'silence', symbol: 'BTCUSDT' });
    assert.equal(missing.status, 400);
    assert.match((missing.body as { error: string }).error, /durationMs/);
    const unknownSymbol = await postJson(`${sim.url}/sim/faults`, { kind: 'crossBook', symbol: 'NOPEUSDT' });
    assert.equal(unknownSymbol.status, 400);
    assert.match((unknownSymbol.body as { error: string }).error, /unknown symbol "NOPEUSDT"/);
    const counts = sim.stats().faultsApplied;
    assert.ok(
      counts.skipSequence >= 1 && counts.crossBook >= 1 && counts.malformed >= 1 && counts.slowDown >= 2,
    );
  });
});
