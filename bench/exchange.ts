import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import {
  type ExecutionListener,
  Ledger,
  type MarketAccess,
  MatchingEngine,
  OrderBook,
  type OrderRequest,
} from '../src/simulator/index.ts';
import { type Bench, type BenchContext, nowNs, percentile, timePerOp } from './harness.ts';
import {
  BENCH_SYMBOL,
  ED25519_API_KEY,
  type ExchangeSimulatorArgs,
  type ExchangeSimulatorOps,
  type ExchangeSimulatorReady,
  HMAC_API_KEY,
  HMAC_SECRET,
  ORDER_QUANTITY,
} from './support/exchange-protocol.ts';
import { Child } from './support/ipc.ts';
import { ReferenceBook } from './support/reference-book.ts';

/**
 * `exchange`: the simulator as an exchange (docs/BENCHMARKS.md, "exchange").
 *
 * - `orders_per_s`: MARKET orders (0.001 BTCUSDT, buys and sells alternating, each matched against
 *   the market's book and answered FULL) placed through the WebSocket API from one connection
 *   logged on with Ed25519, WS_WINDOW requests in flight; baseline: the same orders over signed
 *   REST (HMAC, the cheaper signature) on REST_CONNECTIONS keep-alive connections.
 * - `order_ack_p99_us`: one order at a time, from sending it to its answer; baseline: REST.
 * - `match_ns`: the MatchingEngine alone, per order, on a book of 1,000 resting orders per side
 *   (an order that takes the best level, and the maker that puts it back); baseline: a textbook
 *   price-time book doing the same (bench/support/reference-book.ts).
 *
 * The simulator runs alone in its process at its default market rate (1,000 events/s), as
 * `tickwire sim` does; the client (this process) is not niced, nothing is at raised priority.
 */

const WS_WINDOW = 64;
const REST_CONNECTIONS = 16;
const PLAN = {
  full: { throughputMs: 5_000, warmMs: 1_000, acks: 3_000, matchIterations: 20_000, matchRounds: 9 },
  quick: { throughputMs: 1_000, warmMs: 300, acks: 300, matchIterations: 2_000, matchRounds: 3 },
};
const REQUEST_TIMEOUT_MS = 10_000;
/** Set to a directory to write a CPU profile of the simulator process (node --cpu-prof). */
const PROFILE_DIR = process.env.EXCHANGE_CPU_PROF;

type Answer = { status: number; body: unknown };
/** Sends one MARKET order; resolves with the answer. */
type OrderSender = (side: 'BUY' | 'SELL') => Promise<Answer>;

const bench: Bench = {
  name: 'exchange',
  description: 'orders through the WebSocket API vs signed REST, ack latency, and the matching engine alone',
  async run(ctx: BenchContext) {
    const plan = ctx.quick ? PLAN.quick : PLAN.full;
    reportMatching(ctx, plan);

    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const args: ExchangeSimulatorArgs = {
      ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    const simulator = new Child<ExchangeSimulatorOps, ExchangeSimulatorReady>(
      'exchange simulator',
      new URL('./support/exchange-simulator.ts', import.meta.url),
      [JSON.stringify(args)],
      {
        readyTimeoutMs: 30_000,
        ...(PROFILE_DIR === undefined ? {} : { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR] }),
      },
    );
    const agent = new Agent({ keepAlive: true, maxSockets: REST_CONNECTIONS });
    let ws: WsApiClient | undefined;
    try {
      const ready = await simulator.ready;
      ws = await WsApiClient.connect(`${ready.wsUrl}/ws-api/v3`);
      await ws.logon(privateKey);
      const wsOrder: OrderSender = (side) => ws!.call('order.place', marketOrder(side));
      const restOrder: OrderSender = (side) => restPlace(ready.url, agent, side);

      // Acknowledgement latency, one order at a time.
      const wsAcks = await sequentialLatencies(wsOrder, plan.acks);
      const restAcks = await sequentialLatencies(restOrder, plan.acks);
      ctx.report({
        metric: 'order_ack_p99_us',
        value: percentile(wsAcks, 99),
        unit: 'us',
        better: 'lower',
        baseline: 'signed REST, keep-alive',
        baseline_value: percentile(restAcks, 99),
        p50_us: percentile(wsAcks, 50),
        baseline_p50_us: percentile(restAcks, 50),
        orders: wsAcks.length,
      });

      // Sustained throughput.
      const wsRun = await sustained(simulator, wsOrder, WS_WINDOW, plan);
      const restRun = await sustained(simulator, restOrder, REST_CONNECTIONS, plan);
      ctx.report({
        metric: 'orders_per_s',
        value: wsRun.ordersPerSecond,
        unit: 'orders/s',
        better: 'higher',
        baseline: `signed REST, ${REST_CONNECTIONS} keep-alive connections`,
        baseline_value: restRun.ordersPerSecond,
        in_flight: WS_WINDOW,
        errors: wsRun.errors,
        baseline_errors: restRun.errors,
        fills_per_order: round2(wsRun.fills / Math.max(1, wsRun.orders)),
        simulator_cpu_us_per_order: round2((wsRun.simulatorCpuMs * 1_000) / Math.max(1, wsRun.orders)),
        baseline_simulator_cpu_us_per_order: round2(
          (restRun.simulatorCpuMs * 1_000) / Math.max(1, restRun.orders),
        ),
        market_events_per_s: Math.round(wsRun.marketEventsPerSecond),
      });
    } finally {
      ws?.close();
      agent.destroy();
      await simulator.stop(PROFILE_DIR === undefined ? 0 : 5_000);
    }
  },
};
export default bench;

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

// ---------------------------------------------------------------- match_ns

/** 1,000 resting orders per side, 0.001 BTC each, one tick apart, around 97,000.00. */
const BOOK_DEPTH = 1_000;
const MID = 9_700_000;
const LOT = 100;

function reportMatching(ctx: BenchContext, plan: (typeof PLAN)['full']): void {
  const engine = matchingEngine();
  let side = 0;
  const engineNs = timePerOp(
    (iterations) => {
      for (let i = 0; i < iterations; i++) {
        side ^= 1;
        engineRound(engine, side === 1);
      }
    },
    { iterations: plan.matchIterations, rounds: plan.matchRounds },
  );
  const reference = referenceBook();
  const referenceNs = timePerOp(
    (iterations) => {
      for (let i = 0; i < iterations; i++) {
        side ^= 1;
        referenceRound(reference, side === 1);
      }
    },
    { iterations: plan.matchIterations, rounds: plan.matchRounds },
  );
  // Each round places two orders: the taker and the maker that restores the book.
  ctx.report({
    metric: 'match_ns',
    value: engineNs / 2,
    unit: 'ns',
    better: 'lower',
    baseline: 'textbook price-time book (no balances, fees, reports)',
    baseline_value: referenceNs / 2,
    resting_per_side: BOOK_DEPTH,
    fills: engine.fillsMade,
  });
}

/**
 * Binance allows 200 open orders per account and symbol (MAX_NUM_ORDERS): the 1,000 bids rest
 * across accounts 1-5, the asks across 6-10, and account 11 takes. The best bid is account 1's and
 * the best ask account 6's, and each round puts back the order it took at the same price.
 */
const BUYERS = [1, 2, 3, 4, 5];
const SELLERS = [6, 7, 8, 9, 10];
const TAKER = 11;

/** The engine over an empty market (only accounts' orders), accounts with ample balances. */
function matchingEngine(): MatchingEngine {
  const book = new OrderBook();
  let tradeId = 0;
  const market: MarketAccess = {
    book: () => book,
    lastPrice: () => MID,
    consume: () => undefined,
    printTrade: () => ++tradeId,
  };
  const ledger = new Ledger();
  for (const account of [...BUYERS, ...SELLERS, TAKER]) {
    ledger.deposit(account, 'USDT', 10n ** 17n);
    ledger.deposit(account, 'BTC', 10n ** 15n);
  }
  const listener: ExecutionListener = {
    executed: () => undefined,
    listUpdated: () => undefined,
    balancesChanged: () => undefined,
  };
  const engine = new MatchingEngine(
    market,
    [{ symbol: BENCH_SYMBOL, baseAsset: 'BTC', quoteAsset: 'USDT', priceScale: 2, sizeScale: 5 }],
    ledger,
    () => ({ maker: 100_000n, taker: 100_000n }),
    listener,
  );
  for (let i = 0; i < BOOK_DEPTH; i++) {
    engine.place(limit(BUYERS[i % BUYERS.length]!, 'BUY', MID - 1 - i, 'GTC'), 0);
    engine.place(limit(SELLERS[i % SELLERS.length]!, 'SELL', MID + 1 + i, 'GTC'), 0);
  }
  return engine;
}

function limit(
  accountId: number,
  side: 'BUY' | 'SELL',
  price: number,
  timeInForce: 'GTC' | 'IOC',
): OrderRequest {
  return { accountId, symbolIndex: 0, side, type: 'LIMIT', timeInForce, price, quantity: LOT };
}

/** The taker takes the best order of one side; its owner puts the same order back. */
function engineRound(engine: MatchingEngine, buy: boolean): void {
  if (buy) {
    engine.place(limit(TAKER, 'BUY', MID + 1, 'IOC'), 0);
    engine.place(limit(SELLERS[0]!, 'SELL', MID + 1, 'GTC'), 0);
  } else {
    engine.place(limit(TAKER, 'SELL', MID - 1, 'IOC'), 0);
    engine.place(limit(BUYERS[0]!, 'BUY', MID - 1, 'GTC'), 0);
  }
}

function referenceBook(): ReferenceBook {
  const book = new ReferenceBook();
  for (let i = 0; i < BOOK_DEPTH; i++) {
    book.place(0, MID - 1 - i, LOT, false);
    book.place(1, MID + 1 + i, LOT, false);
  }
  return book;
}

function referenceRound(book: ReferenceBook, buy: boolean): void {
  if (buy) {
    book.place(0, MID + 1, LOT, true);
    book.place(1, MID + 1, LOT, false);
  } else {
    book.place(1, MID - 1, LOT, true);
    book.place(0, MID - 1, LOT, false);
  }
}

// ---------------------------------------------------------------- clients

function marketOrder(side: 'BUY' | 'SELL'): Record<string, string | number> {
  return { symbol: BENCH_SYMBOL, side, type: 'MARKET', quantity: ORDER_QUANTITY, timestamp: Date.now() };
}

/** One MARKET order over signed REST (HMAC over the query string, as Binance's clients sign). */
function restPlace(baseUrl: string, agent: Agent, side: 'BUY' | 'SELL'): Promise<Answer> {
  const query = new URLSearchParams(
    Object.entries(marketOrder(side)).map(([name, value]): [string, string] => [name, String(value)]),
  ).toString();
  const signature = createHmac('sha256', HMAC_SECRET).update(query).digest('hex');
  const url = new URL(`/api/v3/order?${query}&signature=${signature}`, baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', agent, headers: { 'X-MBX-APIKEY': HMAC_API_KEY }, timeout: REQUEST_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('REST order timed out')));
    request.on('error', reject);
    request.end();
  });
}

/** A WebSocket API connection: requests by id, answers matched to them. */
class WsApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, (answer: Answer) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as {
        id: number;
        status: number;
        result?: unknown;
        error?: unknown;
      };
      const resolve = this.pending.get(message.id);
      if (resolve === undefined) return;
      this.pending.delete(message.id);
      resolve({ status: message.status, body: message.result ?? message.error });
    });
  }

  static async connect(url: string): Promise<WsApiClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new WsApiClient(ws);
  }

  call(method: string, params: Record<string, string | number>): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} did not answer within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** session.logon, signed with Ed25519 over the sorted parameters. */
  async logon(privateKey: KeyObject): Promise<void> {
    const params: Record<string, string | number> = { apiKey: ED25519_API_KEY, timestamp: Date.now() };
    const payload = Object.keys(params)
      .sort()
      .map((name) => `${name}=${params[name]}`)
      .join('&');
    const answer = await this.call('session.logon', {
      ...params,
      signature: sign(null, Buffer.from(payload), privateKey).toString('base64'),
    });
    if (answer.status !== 200) throw new Error(`session.logon failed: ${JSON.stringify(answer.body)}`);
  }

  close(): void {
    this.ws.terminate();
  }
}

// ---------------------------------------------------------------- measurement

/** Latency of `count` orders sent one after another, in µs; a refused order fails the benchmark. */
async function sequentialLatencies(send: OrderSender, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = nowNs();
    const answer = await send(i % 2 === 0 ? 'BUY' : 'SELL');
    latencies.push((nowNs() - start) / 1_000);
    if (answer.status !== 200) throw new Error(`order refused: ${JSON.stringify(answer.body)}`);
  }
  return latencies;
}

/**
 * Orders kept `inFlight` at a time: a warm-up, then a measured window between the simulator's
 * begin and end marks (its CPU and work over exactly that window).
 */
async function sustained(
  simulator: Child<ExchangeSimulatorOps, ExchangeSimulatorReady>,
  send: OrderSender,
  inFlight: number,
  plan: (typeof PLAN)['full'],
): Promise<{
  ordersPerSecond: number;
  orders: number;
  errors: number;
  fills: number;
  simulatorCpuMs: number;
  marketEventsPerSecond: number;
}> {
  let measuring = false;
  let stopAt = Date.now() + plan.warmMs;
  let answered = 0;
  let errors = 0;
  let sent = 0;
  const loop = async () => {
    while (Date.now() < stopAt) {
      const answer = await send(sent++ % 2 === 0 ? 'BUY' : 'SELL');
      if (!measuring) continue;
      if (answer.status === 200) answered++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  await simulator.request('begin', {}, REQUEST_TIMEOUT_MS);
  measuring = true;
  const start = nowNs();
  stopAt = Date.now() + plan.throughputMs;
  await Promise.all(Array.from({ length: inFlight }, loop));
  const elapsedS = (nowNs() - start) / 1e9;
  const work = await simulator.request('end', {}, REQUEST_TIMEOUT_MS);
  return {
    ordersPerSecond: answered / elapsedS,
    orders: work.ordersPlaced,
    errors,
    fills: work.fills,
    simulatorCpuMs: work.cpuMs,
    marketEventsPerSecond: work.events / (work.elapsedMs / 1_000),
  };
}
