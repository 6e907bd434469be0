import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ExchangeSimulator,
  KLINE_INTERVALS,
  parseControlMessage,
  parseStreamName,
  startExchangeSimulator,
} from '../../src/simulator/index.ts';
import { isTickwireError } from '../../src/errors.ts';
import { decimalPattern, getJson, TestClient } from './sim-exchange-helpers.ts';

// BTCUSDT: price 2 decimals, quantity 5; ETHUSDT: 2 and 4 (simulatedUniverse's leading rows).
const BTC = { price: decimalPattern(2), quantity: decimalPattern(5) };
const ETH = { price: decimalPattern(2), quantity: decimalPattern(4) };

describe('exchange simulator: WebSocket protocol', () => {
  let sim: ExchangeSimulator;
  const clients: TestClient[] = [];
  const client = async (path: string) => {
    const c = new TestClient(`${sim.wsUrl}${path}`);
    clients.push(c);
    await c.open();
    return c;
  };

  before(async () => {
    // Many requests per test: the 5-per-second limit is tested in sim-exchange-limits.test.ts.
    sim = await startExchangeSimulator({
      symbols: 10,
      eventsPerSecond: 3_000,
      seed: 7,
      maxIncomingPerSecond: 100,
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await sim.close();
  });

  it('serves a raw stream at /ws/<stream> with the trade payload fields and types', async () => {
    const c = await client('/ws/btcusdt@trade');
    const trade = await c.next((m) => m.e === 'trade');
    assert.deepEqual(Object.keys(trade), ['e', 'E', 's', 't', 'p', 'q', 'T', 'm', 'M']);
    assert.equal(trade.s, 'BTCUSDT');
    assert.equal(typeof trade.E, 'number');
    assert.equal(typeof trade.t, 'number');
    assert.match(trade.p as string, BTC.price);
    assert.match(trade.q as string, BTC.quantity);
    assert.equal(typeof trade.m, 'boolean');
    assert.equal(trade.M, true);
  });

  it('wraps payloads as {"stream","data"} on /stream?streams=a/b', async () => {
    const c = await client('/stream?streams=btcusdt@aggTrade/ethusdt@trade');
    const agg = await c.next((m) => m.stream === 'btcusdt@aggTrade');
    assert.deepEqual(Object.keys(agg), ['stream', 'data']);
    const data = agg.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(data), ['e', 'E', 's', 'a', 'p', 'q', 'f', 'l', 'T', 'm', 'M']);
    assert.equal(data.e, 'aggTrade');
    assert.match(data.p as string, BTC.price);
    assert.ok((data.f as number) <= (data.l as number));
    const trade = await c.next((m) => m.stream === 'ethusdt@trade');
    assert.match((trade.data as Record<string, string>).q!, ETH.quantity);
  });

  it('answers SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE as Binance documents', async () => {
    const c = await client('/ws');
    assert.deepEqual(
      await c.request({ method: 'SUBSCRIBE', params: ['btcusdt@bookTicker', 'ethusdt@depth5'], id: 1 }),
      {
        result: null,
        id: 1,
      },
    );
    assert.deepEqual(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 'a2' }), {
      result: ['btcusdt@bookTicker', 'ethusdt@depth5'],
      id: 'a2',
    });
    const ticker = await c.next((m) => 'u' in m && m.s === 'BTCUSDT');
    assert.deepEqual(Object.keys(ticker), ['u', 's', 'b', 'B', 'a', 'A']);
    for (const key of ['b', 'a'] as const) assert.match(ticker[key] as string, BTC.price);
    for (const key of ['B', 'A'] as const) assert.match(ticker[key] as string, BTC.quantity);
    assert.deepEqual(await c.request({ method: 'UNSUBSCRIBE', params: ['btcusdt@bookTicker'], id: 3 }), {
      result: null,
      id: 3,
    });
    assert.deepEqual(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 4 }), {
      result: ['ethusdt@depth5'],
      id: 4,
    });
    assert.deepEqual(await c.request({ method: 'GET_PROPERTY', params: ['combined'], id: 5 }), {
      result: false,
      id: 5,
    });
    assert.deepEqual(await c.request({ method: 'SET_PROPERTY', params: ['combined', true], id: 6 }), {
      result: null,
      id: 6,
    });
    const wrapped = await c.next((m) => m.stream === 'ethusdt@depth5');
    const depth = wrapped.data as Record<string, unknown>;
    assert.deepEqual(Object.keys(depth), ['lastUpdateId', 'bids', 'asks']);
    assert.equal((depth.bids as unknown[]).length, 5);
    const [price, quantity] = (depth.bids as string[][])[0]!;
    assert.match(price!, ETH.price);
    assert.match(quantity!, ETH.quantity);
  });

  it('answers bad requests with Binance error replies', async () => {
    const c = await client('/ws');
    c.send('{"method":"SUBSCRIBE",');
    const badJson = await c.next((m) => (m.error as { code?: number } | undefined)?.code === 3);
    assert.match(
      (badJson.error as { msg: string }).msg,
      /^Invalid JSON: expected value at line \d+ column \d+$/,
    );
    assert.equal(badJson.id, null);

    const unknown = await c.request({ method: 'SUBSCRIBEE', params: [], id: 10 });
    assert.equal((unknown.error as { code: number }).code, 2);
    assert.match(
      (unknown.error as { msg: string }).msg,
      /^Invalid request: unknown variant `SUBSCRIBEE`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column \d+$/,
    );
    assert.deepEqual(await c.request({ method: 'SUBSCRIBE', params: ['not a stream'], id: 11 }), {
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 11,
    });
    assert.deepEqual(await c.request({ method: 'SUBSCRIBE', params: ['btcusdt@markPrice'], id: 12 }), {
      error: { code: 2, msg: 'Invalid request: invalid stream' },
      id: 12,
    });
    assert.deepEqual(await c.request({ method: 'LIST_SUBSCRIPTIONS', params: ['x'], id: 13 }), {
      error: { code: 2, msg: 'Invalid request: too many parameters' },
      id: 13,
    });
    assert.deepEqual(await c.request({ method: 'SET_PROPERTY', params: ['colour', true], id: 14 }), {
      error: { code: 0, msg: 'Unknown property' },
      id: 14,
    });
    assert.deepEqual(await c.request({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 15 }), {
      error: { code: 1, msg: 'Invalid value type: expected Boolean' },
      id: 15,
    });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: { nested: true } });
    const badId = await c.next(
      (m) => (m.error as { msg?: string } | undefined)?.msg?.includes('request ID') === true,
    );
    assert.deepEqual(badId, {
      error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' },
      id: null,
    });
    // Nothing was subscribed by the failed requests.
    assert.deepEqual(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 16 }), { result: [], id: 16 });
  });

  it('accepts a well-formed stream of an unlisted symbol and sends nothing on it, as Binance does', async () => {
    const c = await client('/ws');
    assert.deepEqual(await c.request({ method: 'SUBSCRIBE', params: ['nosuchusdt@trade'], id: 1 }), {
      result: null,
      id: 1,
    });
    assert.deepEqual(await c.request({ method: 'LIST_SUBSCRIPTIONS', id: 2 }), {
      result: ['nosuchusdt@trade'],
      id: 2,
    });
  });

  it('closes a connection opened on a malformed stream name with 1008', async () => {
    const c = new TestClient(`${sim.wsUrl}/ws/btcusdt@nonsense`);
    clients.push(c);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1008);
  });

  it('sends diff depth events with U/u and [price, qty] string pairs at both cadences', async () => {
    const c = await client('/stream?streams=btcusdt@depth/btcusdt@depth@100ms');
    for (const stream of ['btcusdt@depth@100ms', 'btcusdt@depth']) {
      const event = (await c.next((m) => m.stream === stream)).data as Record<string, unknown>;
      assert.deepEqual(Object.keys(event), ['e', 'E', 's', 'U', 'u', 'b', 'a']);
      assert.equal(event.e, 'depthUpdate');
      assert.ok((event.U as number) <= (event.u as number));
      for (const [price, quantity] of [...(event.b as string[][]), ...(event.a as string[][])]) {
        assert.match(price!, BTC.price);
        assert.match(quantity!, BTC.quantity);
      }
    }
  });

  it('sends klines of every documented interval with the kline payload', async () => {
    const streams = KLINE_INTERVALS.map((interval) => `ethusdt@kline_${interval}`);
    const c = await client(`/stream?streams=${streams.join('/')}`);
    const kline = (await c.next((m) => m.stream === 'ethusdt@kline_1m', 15_000)).data as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(kline), ['e', 'E', 's', 'k']);
    const k = kline.k as Record<string, unknown>;
    assert.deepEqual(Object.keys(k), [
      't',
      'T',
      's',
      'i',
      'f',
      'L',
      'o',
      'c',
      'h',
      'l',
      'v',
      'n',
      'x',
      'q',
      'V',
      'Q',
      'B',
    ]);
    assert.equal(k.i, '1m');
    assert.equal(k.T, (k.t as number) + 60_000 - 1);
    for (const key of ['o', 'c', 'h', 'l']) assert.match(k[key] as string, ETH.price);
    assert.match(k.v as string, ETH.quantity);
    assert.equal(typeof k.x, 'boolean');
    await c.next((m) => m.stream === 'ethusdt@kline_1s');
    await c.next((m) => m.stream === 'ethusdt@kline_1M');
  });

  it('parses every documented stream form and rejects others', () => {
    for (const name of [
      'btcusdt@trade',
      'btcusdt@aggTrade',
      'btcusdt@bookTicker',
      'btcusdt@depth',
      'btcusdt@depth@100ms',
      'btcusdt@depth20@100ms',
      'btcusdt@kline_1M',
    ]) {
      assert.ok(parseStreamName(name), name);
    }
    for (const name of ['btcusdt', 'btcusdt@depth7', 'btcusdt@kline_2m', 'btcusdt@depth@250ms', '@trade']) {
      assert.equal(parseStreamName(name), undefined, name);
    }
    assert.equal(parseControlMessage('{"id":1}').ok, false);
  });
});

describe('exchange simulator: REST', () => {
  let sim: ExchangeSimulator;
  before(async () => {
    sim = await startExchangeSimulator({
      symbols: ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'],
      eventsPerSecond: 500,
      seed: 2,
    });
  });
  after(() => sim.close());

  it('serves /api/v3/depth with lastUpdateId and limited levels', async () => {
    const { status, body } = await getJson(`${sim.url}/api/v3/depth?symbol=BTCUSDT&limit=5`);
    assert.equal(status, 200);
    const depth = body as { lastUpdateId: number; bids: string[][]; asks: string[][] };
    assert.deepEqual(Object.keys(depth), ['lastUpdateId', 'bids', 'asks']);
    assert.equal(depth.bids.length, 5);
    assert.equal(depth.asks.length, 5);
    assert.ok(Number(depth.bids[0]![0]) < Number(depth.asks[0]![0]));
    assert.match(depth.asks[0]![1]!, BTC.quantity);
    for (const limit of [10, 20, 50, 100, 500, 1000, 5000]) {
      assert.equal((await getJson(`${sim.url}/api/v3/depth?symbol=ETHUSDT&limit=${limit}`)).status, 200);
    }
  });

  it('answers REST errors with Binance codes and messages', async () => {
    assert.deepEqual(await getJson(`${sim.url}/api/v3/depth?symbol=NOPEUSDT`), {
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    assert.deepEqual(await getJson(`${sim.url}/api/v3/depth`), {
      status: 400,
      body: { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." },
    });
    const lower = await getJson(`${sim.url}/api/v3/depth?symbol=btcusdt`);
    assert.equal(lower.status, 400);
    assert.equal((lower.body as { code: number }).code, -1100);
    assert.equal(
      ((await getJson(`${sim.url}/api/v3/depth?symbol=BTCUSDT&limit=x`)).body as { code: number }).code,
      -1100,
    );
    assert.deepEqual(await getJson(`${sim.url}/api/v3/ticker/price?symbol=NOPE`), {
      status: 400,
      body: { code: -1121, msg: 'Invalid symbol.' },
    });
    assert.deepEqual(await getJson(`${sim.url}/api/v3/exchangeInfo?symbols=["BTCUSDT","BTCUSDT"]`), {
      status: 400,
      body: { code: -1151, msg: 'Symbol is present multiple times in the list.' },
    });
    assert.equal((await getJson(`${sim.url}/api/v3/nothing`)).status, 404);
  });

  it('serves exchangeInfo with filters from the decimals, for all, one and a list of symbols', async () => {
    const all = (await getJson(`${sim.url}/api/v3/exchangeInfo`)).body as {
      timezone: string;
      symbols: Record<string, unknown>[];
    };
    assert.equal(all.timezone, 'UTC');
    assert.deepEqual(
      all.symbols.map((s) => s.symbol),
      ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'],
    );
    const doge = all.symbols[2]!;
    assert.equal(doge.status, 'TRADING');
    assert.equal(doge.baseAsset, 'DOGE');
    assert.equal(doge.quoteAsset, 'USDT');
    const filters = doge.filters as Record<string, string>[];
    assert.equal(filters.find((f) => f.filterType === 'PRICE_FILTER')!.tickSize, '0.00001000');
    assert.equal(filters.find((f) => f.filterType === 'LOT_SIZE')!.stepSize, '1.00000000');
    const one = (await getJson(`${sim.url}/api/v3/exchangeInfo?symbol=ETHUSDT`)).body as {
      symbols: { symbol: string }[];
    };
    assert.deepEqual(
      one.symbols.map((s) => s.symbol),
      ['ETHUSDT'],
    );
    const list = (
      await getJson(`${sim.url}/api/v3/exchangeInfo?symbols=${encodeURIComponent('["DOGEUSDT","BTCUSDT"]')}`)
    ).body as { symbols: { symbol: string }[] };
    assert.deepEqual(
      list.symbols.map((s) => s.symbol),
      ['DOGEUSDT', 'BTCUSDT'],
    );
  });

  it('serves ticker/price for one or all symbols and the server time', async () => {
    const one = (await getJson(`${sim.url}/api/v3/ticker/price?symbol=DOGEUSDT`)).body as {
      symbol: string;
      price: string;
    };
    assert.equal(one.symbol, 'DOGEUSDT');
    assert.match(one.price, decimalPattern(5));
    const all = (await getJson(`${sim.url}/api/v3/ticker/price`)).body as { symbol: string }[];
    assert.deepEqual(
      all.map((t) => t.symbol),
      ['BTCUSDT', 'ETHUSDT', 'DOGEUSDT'],
    );
    const time = (await getJson(`${sim.url}/api/v3/time`)).body as { serverTime: number };
    assert.ok(Math.abs(time.serverTime - Date.now()) < 60_000);
  });
});

describe('exchange simulator: options', () => {
  it('rejects bad options with BAD_CONFIG naming the key', async () => {
    await assert.rejects(startExchangeSimulator({ symbols: 0 }), (error: unknown) => {
      assert.ok(isTickwireError(error, 'BAD_CONFIG'));
      assert.match((error as Error).message, /option symbols must be a count from 1 to 100000/);
      return true;
    });
    await assert.rejects(
      startExchangeSimulator({ pingIntervalMs: 1.5 }),
      /option pingIntervalMs must be an integer/,
    );
  });
});
