import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import {
  AGG_TRADE,
  AVG_PRICE,
  AVG_PRICE_EVENT,
  MINI_TICKER_EVENT,
  TICKER_EVENT,
  WINDOW_TICKER_EVENT,
  BOOK_TICKER,
  KLINE,
  TICKER_24HR,
  TICKER_24HR_MINI,
  TICKER_WINDOW,
  TRADE,
} from './fixtures/binance-spot-examples.ts';
import { assertShape } from './shape.ts';
import { getJson, TestClient, waitFor } from './sim-exchange-helpers.ts';

type Row = Record<string, unknown>;

describe('exchange simulator: market-data REST', () => {
  let sim: ExchangeSimulator;
  const get = async (path: string) => getJson(`${sim.url}${path}`);

  before(async () => {
    sim = await startExchangeSimulator({ symbols: 5, eventsPerSecond: 3_000, seed: 11 });
    await waitFor(() => sim.stats().events > 1_500, 20_000, 'market events');
  });
  after(async () => {
    await sim.close();
  });

  it('serves recent and historical trades, and aggregate trades, with the documented fields', async () => {
    const { body: trades } = (await get('/api/v3/trades?symbol=BTCUSDT&limit=5')) as { body: Row[] };
    assert.ok(trades.length > 0 && trades.length <= 5);
    for (const trade of trades) assertShape(trade, TRADE);
    const ids = trades.map((trade) => trade.id as number);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    const from = ids[0]!;
    const { body: historical } = (await get(
      `/api/v3/historicalTrades?symbol=BTCUSDT&fromId=${from}&limit=2`,
    )) as {
      body: Row[];
    };
    assert.deepEqual(
      historical.map((trade) => trade.id),
      [from, from + 1],
    );
    const { body: aggregates } = (await get('/api/v3/aggTrades?symbol=BTCUSDT&limit=3')) as { body: Row[] };
    for (const aggregate of aggregates) assertShape(aggregate, AGG_TRADE);
    const missing = await get('/api/v3/trades');
    assert.equal((missing.body as { code: number }).code, -1102);
  });

  it('serves klines and uiKlines from the same trades the tickers count', async () => {
    const { body: klines } = (await get('/api/v3/klines?symbol=BTCUSDT&interval=1m')) as {
      body: unknown[][];
    };
    assert.ok(klines.length >= 1);
    for (const row of klines) assertShape(row, KLINE);
    const { body: seconds } = (await get('/api/v3/uiKlines?symbol=BTCUSDT&interval=1s&limit=3')) as {
      body: unknown[][];
    };
    assert.ok(seconds.length >= 1 && seconds.length <= 3);
    for (const row of seconds) {
      assertShape(row, KLINE);
      assert.equal((row[6] as number) - (row[0] as number), 999);
      assert.ok(Number(row[2]) >= Number(row[3]), 'high >= low');
    }
    const bad = await get('/api/v3/klines?symbol=BTCUSDT&interval=7m');
    assert.equal((bad.body as { code: number }).code, -1130);
  });

  it('serves avgPrice, the 24-hour, trading-day and rolling tickers, and the book ticker', async () => {
    assertShape((await get('/api/v3/avgPrice?symbol=BTCUSDT')).body, AVG_PRICE);
    const { body: full } = (await get('/api/v3/ticker/24hr?symbol=BTCUSDT')) as { body: Row };
    assertShape(full, TICKER_24HR);
    assert.ok(Number(full.highPrice) >= Number(full.lowPrice));
    assert.ok(Number(full.bidPrice) < Number(full.askPrice));
    assert.equal(
      (full.lastId as number) - (full.firstId as number) + 1,
      full.count,
      'every trade in the window counted',
    );
    const { body: klines } = (await get('/api/v3/klines?symbol=BTCUSDT&interval=1d')) as {
      body: unknown[][];
    };
    const klineTrades = klines.reduce((sum, row) => sum + (row[8] as number), 0);
    // Trades may land between the two requests.
    assert.ok(klineTrades >= (full.count as number), `${klineTrades} >= ${String(full.count)}`);
    const { body: minis } = (await get('/api/v3/ticker/24hr?symbols=["BTCUSDT","ETHUSDT"]&type=MINI')) as {
      body: Row[];
    };
    assert.deepEqual(
      minis.map((row) => row.symbol),
      ['BTCUSDT', 'ETHUSDT'],
    );
    for (const row of minis) assertShape(row, TICKER_24HR_MINI);
    assertShape((await get('/api/v3/ticker/tradingDay?symbol=BTCUSDT')).body, TICKER_WINDOW);
    assertShape((await get('/api/v3/ticker?symbol=BTCUSDT&windowSize=1h')).body, TICKER_WINDOW);
    assert.equal(
      ((await get('/api/v3/ticker?symbol=BTCUSDT&windowSize=8d')).body as { code: number }).code,
      -1130,
    );
    assert.equal(((await get('/api/v3/ticker')).body as { code: number }).code, -1102);
    assertShape((await get('/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body, BOOK_TICKER);
    const { body: all } = (await get('/api/v3/ticker/bookTicker')) as { body: Row[] };
    assert.equal(all.length, 5);
  });

  it('streams the tickers and avgPrice every second, per symbol and market-wide', async () => {
    const names = [
      'btcusdt@miniTicker',
      'btcusdt@ticker',
      'btcusdt@ticker_1h',
      'btcusdt@avgPrice',
      '!miniTicker@arr',
      '!ticker@arr',
      '!ticker_4h@arr',
    ];
    const client = new TestClient(`${sim.wsUrl}/stream?streams=${names.join('/')}`);
    try {
      await client.open();
      const data = async (stream: string) => (await client.next((m) => m.stream === stream, 5_000)).data;
      assertShape(await data('btcusdt@miniTicker'), MINI_TICKER_EVENT);
      const ticker = (await data('btcusdt@ticker')) as Row;
      assertShape(ticker, TICKER_EVENT);
      assert.ok(Number(ticker.b) < Number(ticker.a));
      assertShape(await data('btcusdt@ticker_1h'), WINDOW_TICKER_EVENT);
      assertShape(await data('btcusdt@avgPrice'), AVG_PRICE_EVENT);
      const minis = (await data('!miniTicker@arr')) as Row[];
      assert.ok(minis.length >= 1 && minis.length <= 5);
      for (const mini of minis) assertShape(mini, MINI_TICKER_EVENT);
      for (const row of (await data('!ticker@arr')) as Row[]) assertShape(row, TICKER_EVENT);
      const windows = (await data('!ticker_4h@arr')) as Row[];
      for (const row of windows) assertShape(row, { ...WINDOW_TICKER_EVENT, e: '4hTicker' });
      assert.ok(windows.every((row) => row.e === '4hTicker'));
    } finally {
      client.close();
    }
  });
});
