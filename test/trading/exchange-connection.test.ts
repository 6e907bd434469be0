import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { AccountBook, type ConnectionState, ExchangeConnection, units } from '../../src/trading/index.ts';
import { waitFor } from '../simulator/sim-exchange-helpers.ts';
import { btcAndUsdt } from './helpers.ts';
import { hmacSigner, SignedClient } from '../simulator/signed-client.ts';

const API_KEY = 'connKey0123456789abcd';
const API_SECRET = 'connSecret0123456789';
/** The simulator's listenKeys live this long here, so an expiry happens within the test. */
const LISTEN_KEY_MS = 1_500;

/**
 * The exchange connection against the simulator over real sockets: every fill arrives once,
 * across a dropped user-data socket and an expired listenKey, with orders placed while the
 * connection was away; the account book then equals the exchange's records.
 */
describe('trading: exchange connection', () => {
  let sim: ExchangeSimulator;
  let client: SignedClient;
  let connection: ExchangeConnection;
  const states: ConnectionState[] = [];
  const book = new AccountBook(() => ({ baseAsset: 'BTC', quoteAsset: 'USDT' }));

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: 3,
      eventsPerSecond: 1_000,
      seed: 23,
      listenKeyValidityMs: LISTEN_KEY_MS,
      accounts: [{ apiKey: API_KEY, secretKey: API_SECRET, balances: { USDT: '100000', BTC: '2' } }],
    });
    client = new SignedClient(sim.url, API_KEY, hmacSigner(API_SECRET));
    connection = new ExchangeConnection(
      {
        restUrl: sim.url,
        wsUrl: sim.wsUrl,
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        symbols: ['BTCUSDT'],
        // No keepalive within the test: the key expires.
        keepAliveMs: 3_600_000,
        reconnectMinMs: 200,
        reconnectMaxMs: 400,
      },
      {
        update: (update) => book.apply(update),
        lastTradeId: (symbol) => book.lastTradeId.get(symbol),
        state: (state) => states.push(state),
      },
    );
    await connection.start();
  });
  after(async () => {
    await connection.stop();
    await sim.close();
  });

  const order = async (side: 'BUY' | 'SELL', quantity: string) => {
    const answer = await client.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side,
      type: 'MARKET',
      quantity,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  };

  it('loses no fill and doubles none across a dropped socket and an expired listenKey', async () => {
    const start = await btcAndUsdt(client);
    await order('BUY', '0.01000');
    // The socket drops; orders are placed before the connection is back.
    sim.faults.dropConnections();
    await order('BUY', '0.02000');
    await order('SELL', '0.01500');
    await waitFor(
      () => connection.stats.connects >= 2 && connection.stats.state === 'live',
      10_000,
      'reconnected',
    );
    await order('SELL', '0.00500');
    // The key expires (no keepalive); an order in the meantime.
    await waitFor(() => connection.stats.connects >= 3, 10_000, 'reconnected after the expiry');
    await order('BUY', '0.03000');
    await waitFor(() => connection.stats.state === 'live', 10_000, 'live');

    const trades = (await client.signed('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' })).body as {
      id: number;
    }[];
    await waitFor(
      () => book.orders().reduce((count, tracked) => count + tracked.fills.size, 0) >= trades.length,
      10_000,
      'every fill',
    );
    const fills = book
      .orders()
      .flatMap((tracked) => [...tracked.fills.keys()])
      .sort((a, b) => a - b);
    assert.deepEqual(
      fills,
      trades.map((trade) => trade.id).sort((a, b) => a - b),
      'each fill once',
    );
    const allOrders = (await client.signed('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' })).body as {
      orderId: number;
      executedQty: string;
      status: string;
    }[];
    assert.equal(allOrders.length, 5);
    for (const placed of allOrders) {
      const tracked = book.order(placed.orderId)!;
      assert.equal(tracked.state, placed.status);
      assert.equal(tracked.filledQuantity, units(placed.executedQty));
    }
    const end = await btcAndUsdt(client);
    const position = book.position('BTCUSDT');
    assert.equal(position.baseQuantity, end.btc - start.btc);
    assert.equal(position.cashFlow, end.usdt - start.usdt);
    assert.equal(book.refused, 0);
    assert.ok(connection.stats.reconciliations >= 3);
    assert.ok(states.includes('reconciling'));
  });
});
