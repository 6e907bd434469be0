import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { analyticsTopic, fillsTopic, marketDataTopic, MemoryBus } from '../../src/bus/index.ts';
import type { AnalyticsSnapshot } from '../../src/engines/analytics/account-ledger.ts';
import {
  type AnalyticsBookOptions,
  type AnalyticsStatistics,
  type MarkEvent,
  recompute,
} from '../../src/engines/analytics/analytics-book.ts';
import { AnalyticsEngine } from '../../src/engines/analytics/analytics-engine.ts';
import { OPERATOR_ACCESS } from '../../src/engines/engine.ts';
import { assetsFromFill, commissionKind } from '../../src/engines/analytics/fill-parser.ts';
import { summarize, summarizeTrades } from '../../src/engines/analytics/statistics.ts';
import { createHttpServer } from '../../src/gateway/index.ts';
import type { OrderFillNotification } from '../../src/trading/views.ts';
import { SIDE, Tick } from '../../src/wire/index.ts';
import { eventually } from '../support/eventually.ts';

/** A time on a period boundary (periods of a minute), so that period ends read B + k × 60 s. */
const B = 1_000 * 60_000;
const PERIOD_MS = 60_000;
/** 365 days of one-minute periods. */
const PERIODS_PER_YEAR = 525_600;
const CAPITAL = 10_000;

type Event = { kind: 'mark'; mark: MarkEvent } | { kind: 'fill'; fill: OrderFillNotification };

function mark(time: number, symbol: string, price: number): Event {
  return { kind: 'mark', mark: { symbol, price, time } };
}

let tradeId = 0;
function fill(
  time: number,
  account: string,
  side: 'BUY' | 'SELL',
  symbol: string,
  quantity: number,
  price: number,
  commission: number,
  commissionAsset: string,
  botId?: string,
): Event {
  return {
    kind: 'fill',
    fill: {
      type: 'order_fill_notification',
      account,
      symbol,
      orderId: ++tradeId,
      clientOrderId: `c${tradeId}`,
      side,
      orderType: botId === undefined ? 'manual' : 'base_order',
      ...(botId === undefined ? {} : { botId }),
      tradeId,
      price: price.toFixed(8),
      quantity: quantity.toFixed(8),
      quote: (price * quantity).toFixed(8),
      commission: commission.toFixed(8),
      commissionAsset,
      maker: false,
      filledQuantity: quantity.toFixed(8),
      averagePrice: price.toFixed(8),
      state: 'FILLED',
      eventTime: time,
      transactionTime: time,
    },
  };
}

/**
 * The fixture. Account acc-1 trades BTCUSDT with bot-a and by hand, and ETHUSDT by hand; acc-2
 * buys once. Figures worked by hand (periods of a minute, capital 10,000, benchmark BTCUSDT):
 *
 * Period 0 [B, B+60s)
 *  1 mark BTC 100 (the benchmark's first price: period 0 opens at 100)
 *  2 acc-1 bot-a BUY 2 BTC @100, fee 0.2 USDT (quote)            BTC +2 @100
 *  3 acc-1 manual BUY 4 ETH @50, fee 0.004 ETH (base) = 0.2 USDT  ETH +4 @50
 *  4 mark BTC 110, mark ETH 55
 *  close at B+60s: unrealized 2×10 + 4×5 = 40, fees 0.4 → equity 39.6;
 *    return 39.6 / 10,000 = 0.00396; benchmark 110/100 − 1 = 0.1
 * Period 1
 *  5 acc-1 bot-a SELL 1 BTC @120, fee 0.12: closes 1 of the long: realized 120 − 100 = 20 (long);
 *    trade 20 − 0.12 = 19.88                                    BTC +1 @100
 *  6 acc-1 bot-a SELL 3 BTC @130, fee 0.39: a flip. Closes the long's last 1: realized 30 (long),
 *    trade 30 − 0.39/3 = 29.87; opens a short of 2 @130           BTC −2 @130
 *  7 acc-2 manual BUY 1 ETH @50, fee 0.05 USDT
 *  8 mark BTC 125
 *  9 acc-1 manual BUY 1 BTC @125, fee 0.001 BNB (not converted): covers 1 of the short: realized
 *    130 − 125 = 5 (short), trade 5                             BTC −1 @130
 * 10 mark ETH 50
 *  close at B+120s: realized 55, unrealized BTC (130 − 125) × 1 = 5, ETH 0, fees 0.91 → 59.09;
 *    return (59.09 − 39.6) / 10,039.6; benchmark 125/110 − 1. acc-2: ETH at 50: 0 − 0.05 = −0.05,
 *    return −0.05 / 10,000
 * Period 2
 * 11 acc-1 manual SELL 4 ETH @45, fee 0.18: closes the ETH long: realized −20 (long), trade −20.18
 * 12 acc-1 bot-a BUY 2 BTC @120, fee 0.24: flips the short: realized 130 − 120 = 10 (short), trade
 *    10 − 0.12 = 9.88; opens a long of 1 @120                    BTC +1 @120
 * 13 mark BTC 121
 *  close at B+180s (by the mark at B+181s): realized 45, unrealized 1, fees 1.33 → 44.67;
 *    return (44.67 − 59.09) / 10,059.09; benchmark 121/125 − 1. acc-2: −0.05, return 0
 * 14 mark BTC 122 (B+181s): unrealized 2, equity 45.67
 */
const FIXTURE: Event[] = [
  mark(B + 1_000, 'BTCUSDT', 100),
  fill(B + 2_000, 'acc-1', 'BUY', 'BTCUSDT', 2, 100, 0.2, 'USDT', 'bot-a'),
  fill(B + 3_000, 'acc-1', 'BUY', 'ETHUSDT', 4, 50, 0.004, 'ETH'),
  mark(B + 10_000, 'BTCUSDT', 110),
  mark(B + 20_000, 'ETHUSDT', 55),
  fill(B + 61_000, 'acc-1', 'SELL', 'BTCUSDT', 1, 120, 0.12, 'USDT', 'bot-a'),
  fill(B + 62_000, 'acc-1', 'SELL', 'BTCUSDT', 3, 130, 0.39, 'USDT', 'bot-a'),
  fill(B + 65_000, 'acc-2', 'BUY', 'ETHUSDT', 1, 50, 0.05, 'USDT'),
  mark(B + 70_000, 'BTCUSDT', 125),
  fill(B + 80_000, 'acc-1', 'BUY', 'BTCUSDT', 1, 125, 0.001, 'BNB'),
  mark(B + 90_000, 'ETHUSDT', 50),
  fill(B + 121_000, 'acc-1', 'SELL', 'ETHUSDT', 4, 45, 0.18, 'USDT'),
  fill(B + 122_000, 'acc-1', 'BUY', 'BTCUSDT', 2, 120, 0.24, 'USDT', 'bot-a'),
  mark(B + 130_000, 'BTCUSDT', 121),
  mark(B + 181_000, 'BTCUSDT', 122),
];

const ENGINE_OPTIONS = {
  periodMs: PERIOD_MS,
  capital: CAPITAL,
  benchmarkSymbol: 'BTCUSDT',
  markVenue: 'SIM',
};
const BOOK_OPTIONS: AnalyticsBookOptions = {
  periodMs: PERIOD_MS,
  capital: CAPITAL,
  benchmarkSymbol: 'BTCUSDT',
  keepPeriods: 10_000,
  keepTrades: 100_000,
};

/** A trade tick at `price` (8 decimals) as the pipeline publishes it. */
function tradeTick(time: number, price: number, sequence: number): Uint8Array {
  const bytes = new Uint8Array(64);
  new Tick()
    .wrap(bytes)
    .writeTrade(1, 1, 8, 3, sequence, SIDE.buy, time, 0, time, 0, Math.round(price * 1e8), 1_000, sequence);
  return bytes;
}

/** Publishes the events in order: fills as OrderFillNotification JSON, marks as trade ticks. */
function publish(bus: MemoryBus, events: readonly Event[]): void {
  events.forEach((event, index) => {
    if (event.kind === 'fill') bus.publish(fillsTopic(event.fill.account), { ...event.fill });
    else
      bus.publish(
        marketDataTopic('trade', 'SIM', event.mark.symbol),
        tradeTick(event.mark.time, event.mark.price, index + 1),
      );
  });
}

const fillsOf = (events: readonly Event[]) => events.flatMap((e) => (e.kind === 'fill' ? [e.fill] : []));
const marksOf = (events: readonly Event[]) => events.flatMap((e) => (e.kind === 'mark' ? [e.mark] : []));

/** Deep equality with numbers within 1e-9 (relative above 1): the ledger's arithmetic is doubles. */
function assertNear(actual: unknown, expected: unknown, path = 'value'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tolerance, `${path}: ${actual} is not ${expected}`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((item, i) => assertNear(actual[i], item, `${path}[${i}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(typeof actual === 'object' && actual !== null, `${path}: not an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [key, value] of Object.entries(expected))
      assertNear((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
  } else assert.equal(actual, expected, path);
}

async function withEngine(
  body: (engine: AnalyticsEngine, bus: MemoryBus) => Promise<void>,
  options: object = ENGINE_OPTIONS,
): Promise<void> {
  const bus = new MemoryBus();
  const engine = new AnalyticsEngine(options);
  await engine.start(bus);
  try {
    await body(engine, bus);
  } finally {
    await engine.stop();
    await bus.close();
  }
}

// The hand-worked figures of FIXTURE.
const EQUITY = [39.6, 59.09, 44.67];
const RETURNS = [39.6 / 10_000, (59.09 - 39.6) / 10_039.6, (44.67 - 59.09) / 10_059.09];
const BENCHMARK = [110 / 100 - 1, 125 / 110 - 1, 121 / 125 - 1];
const CLOSED_TRADES = [19.88, 29.87, 5, -20.18, 9.88];

describe('analytics engine', () => {
  it('books positions by average cost: realized, unrealized, fees and attribution', async () => {
    await withEngine(async (engine, bus) => {
      publish(bus, FIXTURE);
      assertNear(engine.book.snapshot('acc-1'), {
        type: 'analytics_snapshot',
        account: 'acc-1',
        time: B + 181_000,
        fills: 7,
        quoteAssets: ['USDT'],
        realizedPnl: 45, // 20 + 30 + 5 − 20 + 10
        unrealizedPnl: 2, // BTC +1 @120 at 122
        fees: 1.33, // 0.2 + 0.2 (0.004 ETH × 50) + 0.12 + 0.39 + 0.18 + 0.24; the BNB fee apart
        otherFees: { BNB: 0.001 },
        equity: 45.67,
        positions: [
          {
            symbol: 'BTCUSDT',
            baseAsset: 'BTC',
            quoteAsset: 'USDT',
            quantity: 1,
            averagePrice: 120,
            mark: 122,
            unrealizedPnl: 2,
          },
        ],
        attribution: {
          bySymbol: {
            BTCUSDT: { realizedPnl: 65, unrealizedPnl: 2, fees: 0.95, netPnl: 66.05 },
            ETHUSDT: { realizedPnl: -20, unrealizedPnl: 0, fees: 0.38, netPnl: -20.38 },
          },
          // Each bot's own positions: bot-a bought 2 @100, sold 1 @120 (+20) and 3 @130 (+30, short
          // 2 @130), bought 2 @120 (+20): flat, 70. By hand: ETH −20, and BTC bought 1 @125, still
          // open at 122: −3. The account netted that buy against bot-a's short (+5) where the
          // bots did not: realized differs (70 − 20 = 50 vs 45), realized + unrealized does not
          // (47 both).
          byBot: {
            'bot-a': { realizedPnl: 70, unrealizedPnl: 0, fees: 0.95, netPnl: 69.05 },
            manual: { realizedPnl: -20, unrealizedPnl: -3, fees: 0.38, netPnl: -23.38 },
          },
          bySide: {
            long: { realizedPnl: 30, unrealizedPnl: 2 }, // 20 + 30 − 20; BTC long at 122
            short: { realizedPnl: 15, unrealizedPnl: 0 }, // 5 + 10
          },
        },
      } satisfies AnalyticsSnapshot);
      assertNear(engine.book.snapshot('acc-2')?.equity, -0.05);
      assert.equal(engine.book.snapshot('acc-3'), undefined);
    });
  });

  it('samples the equity curve at period ends on the market clock, with returns against the capital', async () => {
    await withEngine(async (engine, bus) => {
      publish(bus, FIXTURE);
      assertNear(
        engine.book.equityCurve('acc-1'),
        EQUITY.map((equity, i) => ({
          time: B + (i + 1) * PERIOD_MS,
          equity,
          return: RETURNS[i],
          benchmarkReturn: BENCHMARK[i],
        })),
      );
      // acc-2 starts at the end of the period of its first fill.
      assertNear(engine.book.equityCurve('acc-2'), [
        { time: B + 120_000, equity: -0.05, return: -0.05 / 10_000, benchmarkReturn: BENCHMARK[1] },
        { time: B + 180_000, equity: -0.05, return: 0, benchmarkReturn: BENCHMARK[2] },
      ]);
    });
  });

  it('computes statistics as summarize and summarizeTrades of the same returns and trades', async () => {
    await withEngine(async (engine, bus) => {
      const published: AnalyticsStatistics[] = [];
      bus.subscribe(analyticsTopic('acc-1'), (payload) => {
        if ((payload as { type: string }).type === 'analytics_statistics')
          published.push(payload as AnalyticsStatistics);
      });
      publish(bus, FIXTURE);
      const statistics = engine.book.statistics('acc-1')!;
      assert.equal(statistics.time, B + 180_000);
      assertNear(statistics.equity, 44.67);
      assertNear(
        statistics.returns,
        summarize(RETURNS, { periodsPerYear: PERIODS_PER_YEAR, benchmark: BENCHMARK }),
      );
      assertNear(statistics.trades, summarizeTrades(CLOSED_TRADES));
      assertNear(statistics.trades.netProfit, 44.45); // 45 realized − the closing fee shares 0.55
      // Published at each period's end, the last one equal to what is asked now.
      assert.deepEqual(
        published.map((message) => message.time),
        [B + 60_000, B + 120_000, B + 180_000],
      );
      assert.deepEqual(published.at(-1), statistics);
    });
  });

  it('publishes snapshots after fills, coalesced to one per 100 ms with the latest state', async () => {
    await withEngine(async (engine, bus) => {
      const snapshots: AnalyticsSnapshot[] = [];
      bus.subscribe(analyticsTopic('acc-1'), (payload) => {
        if ((payload as { type: string }).type === 'analytics_snapshot')
          snapshots.push(payload as AnalyticsSnapshot);
      });
      publish(bus, FIXTURE);
      assert.equal(snapshots[0]?.fills, 1, 'the first fill is published at once');
      const last = await eventually(
        () => snapshots.find((snapshot) => snapshot.fills === 7),
        'the coalesced snapshot',
      );
      assert.ok(snapshots.length < 7, `${snapshots.length} snapshots for 7 fills`);
      assert.deepEqual(last, engine.book.snapshot('acc-1'));
      assert.equal(engine.stats().snapshotsPublished, snapshots.length + 1, 'and one of acc-2');
    });
  });

  it('holds, fill by fill from the bus, what a full recompute from the same events gives', async () => {
    const generated = generateEvents(4_000, 7);
    for (const events of [FIXTURE, generated]) {
      await withEngine(async (engine, bus) => {
        publish(bus, events);
        const full = recompute(fillsOf(events), marksOf(events), BOOK_OPTIONS);
        assert.deepEqual([...engine.book.accounts.keys()], [...full.accounts.keys()]);
        for (const account of full.accounts.keys()) {
          assert.deepEqual(engine.book.snapshot(account), full.snapshot(account));
          assert.deepEqual(engine.book.equityCurve(account), full.equityCurve(account));
          assert.deepEqual(engine.book.statistics(account), full.statistics(account));
        }
      });
    }
  });

  it('adds up: attribution parts sum to the totals, and P&L equals cash flow plus holdings at the marks', () => {
    const events = generateEvents(4_000, 11);
    const book = recompute(fillsOf(events), marksOf(events), BOOK_OPTIONS);
    // Independently of average cost: realized + unrealized = Σ quote received − Σ quote paid +
    // Σ quantity held × mark (the mark: the last market trade, or the last fill before one).
    const lastPrice = new Map<string, number>();
    const marked = new Set<string>();
    for (const event of events) {
      if (event.kind === 'mark') {
        lastPrice.set(event.mark.symbol, event.mark.price);
        marked.add(event.mark.symbol);
      } else if (!marked.has(event.fill.symbol)) lastPrice.set(event.fill.symbol, Number(event.fill.price));
    }
    assert.ok(book.accounts.size === 3);
    for (const account of book.accounts.keys()) {
      const snapshot = book.snapshot(account)!;
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const bySymbol = Object.values(snapshot.attribution.bySymbol);
      const byBot = Object.values(snapshot.attribution.byBot);
      const { long, short } = snapshot.attribution.bySide;
      assert.ok(byBot.length === 3, 'two bots and manual');
      assertNear(sum(bySymbol.map((p) => p.realizedPnl)), snapshot.realizedPnl);
      assertNear(sum(bySymbol.map((p) => p.unrealizedPnl)), snapshot.unrealizedPnl);
      assertNear(sum(bySymbol.map((p) => p.fees)), snapshot.fees);
      assertNear(sum(byBot.map((p) => p.fees)), snapshot.fees);
      assertNear(sum(byBot.map((p) => p.netPnl)), snapshot.equity);
      assertNear(long.realizedPnl + short.realizedPnl, snapshot.realizedPnl);
      assertNear(long.unrealizedPnl + short.unrealizedPnl, snapshot.unrealizedPnl);
      assertNear(snapshot.realizedPnl + snapshot.unrealizedPnl - snapshot.fees, snapshot.equity);
      let cash = 0;
      let traded = 0;
      const held = new Map<string, number>();
      for (const { fill } of events.filter((e) => e.kind === 'fill' && e.fill.account === account) as {
        fill: OrderFillNotification;
      }[]) {
        const sign = fill.side === 'BUY' ? 1 : -1;
        cash -= sign * Number(fill.quote);
        traded += Number(fill.quote);
        held.set(fill.symbol, (held.get(fill.symbol) ?? 0) + sign * Number(fill.quantity));
      }
      const holdings = sum([...held].map(([symbol, quantity]) => quantity * lastPrice.get(symbol)!));
      // Two sums of thousands of terms in another order: within rounding of the amounts traded.
      const difference = snapshot.realizedPnl + snapshot.unrealizedPnl - (cash + holdings);
      assert.ok(Math.abs(difference) < 1e-9 * traded, `${account}: off by ${difference} (traded ${traded})`);
    }
  });

  it('counts and skips malformed fills without throwing', async () => {
    await withEngine(async (engine, bus) => {
      const good = (FIXTURE[1] as { fill: OrderFillNotification }).fill;
      const bad: [string, unknown][] = [
        ['acc-1', 'a string'],
        ['acc-1', null],
        ['acc-1', [1, 2]],
        ['acc-1', { ...good, price: 'abc' }],
        ['acc-1', { ...good, quantity: '-1' }],
        ['acc-1', { ...good, quantity: '0' }],
        ['acc-1', { ...good, price: undefined }],
        ['acc-1', { ...good, side: 'HOLD' }],
        ['acc-1', { ...good, transactionTime: 'soon' }],
        ['acc-1', { ...good, commissionAsset: 42 }],
        ['acc-1', { ...good, price: '1.123456789' }], // 9 decimals
        ['acc-1', { ...good, type: 'order_update' }],
        ['acc-2', good], // another account's fill on acc-2's topic
      ];
      for (const [account, payload] of bad) bus.publish(fillsTopic(account), payload as never);
      assert.equal(engine.stats().malformed, bad.length);
      assert.equal(engine.book.accounts.size, 0);
      const health = engine.health();
      assert.equal(health.status, 'degraded');
      assert.match(health.reason ?? '', /13 malformed fill\(s\) skipped, the last: account is not acc-2/);
      bus.publish(fillsTopic('acc-1'), { ...good });
      assert.equal(engine.stats().fills, 1);
      assert.equal(engine.book.snapshot('acc-1')?.fills, 1);
    });
  });

  it('refuses bad options with BAD_CONFIG', () => {
    for (const options of [
      { periodMs: 0 },
      { periodMs: 1.5 },
      { keepPeriods: 1 },
      { keepTrades: 0 },
      { capital: -1 },
      { periodsPerYear: 0 },
      { markVenue: 'S.IM' },
      { benchmarkSymbol: 'BTC.USDT' },
    ])
      assert.throws(() => new AnalyticsEngine(options), { code: 'BAD_CONFIG' }, JSON.stringify(options));
    assert.equal(analyticsTopic('acc-1'), 'analytics.acc-1');
    assert.throws(() => analyticsTopic('a.b'), { code: 'BAD_TOPIC' });
    const engine = new AnalyticsEngine();
    assert.equal(engine.book.periodsPerYear, 525_600, '365 days of minutes');
    assert.deepEqual(engine.reads, ['fills.*', 'md.trade.SIM.*']);
    assert.deepEqual(engine.writes, ['analytics.*']);
  });

  it('tells base and quote assets from the commission asset and the symbol', () => {
    assert.equal(commissionKind('ETHBTC', 'BTC'), 'quote');
    assert.equal(commissionKind('ETHBTC', 'ETH'), 'base');
    assert.equal(commissionKind('BNBUSDT', 'BNB'), 'base');
    assert.equal(commissionKind('BTCUSDT', 'BNB'), 'other');
    assert.equal(commissionKind('BTCUSDT', ''), 'other');
    assert.deepEqual(assetsFromFill('ETHBTC', 'BTC'), {
      baseAsset: 'ETH',
      quoteAsset: 'BTC',
      definite: true,
    });
    assert.deepEqual(assetsFromFill('SOLUSDC', 'BNB'), {
      baseAsset: 'SOL',
      quoteAsset: 'USDC',
      definite: false,
    });
    assert.deepEqual(assetsFromFill('ABCXYZ', 'BNB'), { baseAsset: null, quoteAsset: null, definite: false });
  });

  it('serves an account’s P&L and statistics, and the statistics of posted returns', async () => {
    await withEngine(async (engine, bus) => {
      publish(bus, FIXTURE);
      const server = createHttpServer({ routes: engine.routes(OPERATOR_ACCESS) });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const post = (path: string, body: unknown) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
      try {
        let response = await fetch(`${base}/api/v1/analytics/acc-1?limit=2`);
        assert.equal(response.status, 200);
        const answer = (await response.json()) as Record<string, unknown>;
        assert.deepEqual(answer, {
          account: 'acc-1',
          snapshot: engine.book.snapshot('acc-1'),
          statistics: engine.book.statistics('acc-1'),
          equityCurve: engine.book.equityCurve('acc-1', 2),
        });
        response = await fetch(`${base}/api/v1/analytics/nobody`);
        assert.equal(response.status, 404);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'UNKNOWN_ACCOUNT');
        response = await fetch(`${base}/api/v1/analytics/acc-1?limit=-1`);
        assert.equal(response.status, 400);

        response = await post('/analytics/calculate/main', {
          returns: RETURNS,
          benchmark: BENCHMARK,
          periodsPerYear: 365,
          riskFree: 0.0001,
        });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), {
          portfolio: 'main',
          statistics: summarize(RETURNS, { benchmark: BENCHMARK, periodsPerYear: 365, riskFree: 0.0001 }),
        });

        const refused: [unknown, RegExp][] = [
          [{}, /returns: /],
          [{ returns: 'x' }, /returns: must be an array of numbers/],
          [{ returns: [0.1, '0.2'] }, /returns\.1: /],
          [{ returns: [0.1], benchmark: [0.1, 0.2] }, /benchmark: must have as many returns as returns/],
          [{ returns: [0.1], periodsPerYear: 0 }, /periodsPerYear: must be a positive number/],
          [{ returns: [0.1], extra: 1 }, /extra/],
          [{ returns: new Array(1_000_001).fill(0) }, /returns: at most 1,000,000 returns/],
        ];
        for (const [body, message] of refused) {
          response = await post('/analytics/calculate/main', body);
          assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
          const error = ((await response.json()) as { error: { code: string; message: string } }).error;
          assert.equal(error.code, 'BAD_REQUEST');
          assert.match(error.message, message);
        }
        response = await post('/analytics/calculate/main', '{"returns": [0.1,');
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'BAD_JSON');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});

/**
 * `count` events from a 32-bit LCG: three accounts, each with two bots and manual orders, on
 * four symbols whose prices walk; fees in the quote asset, the base asset or BNB; a mark or a
 * fill every 1–20 s (distinct times, so the merge order of recompute is the bus order).
 */
function generateEvents(count: number, seed: number): Event[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const symbols = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'ETHBTC'];
  const prices = [60_000, 3_000, 150, 0.05];
  const accounts = ['a1', 'a2', 'a3'];
  const bots = [undefined, 'b1', 'b2'];
  const events: Event[] = [];
  let time = B + 500;
  for (let i = 0; i < count; i++) {
    time += 1_000 + Math.floor(next() * 19_000);
    const s = Math.floor(next() * symbols.length);
    const symbol = symbols[s]!;
    prices[s] = prices[s]! * (1 + (next() - 0.5) * 0.01);
    const price = Number(prices[s]!.toFixed(s === 3 ? 6 : 2));
    if (next() < 0.4) {
      events.push(mark(time, symbol, price));
      continue;
    }
    const quantity = Number((0.01 + next() * 2).toFixed(4));
    const base = symbol.slice(0, 3);
    const quote = symbol.slice(3);
    const pick = next();
    const [commission, asset] =
      pick < 0.6
        ? [price * quantity * 0.001, quote]
        : pick < 0.8
          ? [quantity * 0.001, base]
          : [price * quantity * 0.0000025, 'BNB'];
    events.push(
      fill(
        time,
        accounts[Math.floor(next() * accounts.length)]!,
        next() < 0.5 ? 'BUY' : 'SELL',
        symbol,
        quantity,
        price,
        Number(commission.toFixed(8)),
        asset,
        bots[Math.floor(next() * bots.length)],
      ),
    );
  }
  return events;
}
