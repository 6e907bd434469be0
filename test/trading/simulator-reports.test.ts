import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import {
  type ExecutionUpdate,
  parseExecutionReport,
  Position,
  TrackedOrder,
  units,
} from '../../src/trading/index.ts';
import { TestClient, waitFor } from '../simulator/sim-exchange-helpers.ts';
import { btcAndUsdt } from './helpers.ts';
import { hmacSigner, SignedClient } from '../simulator/signed-client.ts';

/**
 * The trading module's view, built only from the user-data stream's executionReports, against the
 * simulator's own records: every order's filled quantity, every fill, and the position's base and
 * quote movements equal the exchange's to the unit of 10^-8, also when the reports are replayed
 * shuffled and repeated.
 */
describe('trading: execution reports from the simulator', () => {
  let sim: ExchangeSimulator;
  let client: SignedClient;
  let stream: TestClient;

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: 3,
      eventsPerSecond: 2_000,
      seed: 17,
      accounts: [
        {
          apiKey: 'traderKey0123456789',
          secretKey: 'traderSecret0123456789',
          balances: { USDT: '100000', BTC: '2' },
        },
      ],
    });
    client = new SignedClient(sim.url, 'traderKey0123456789', hmacSigner('traderSecret0123456789'));
    const { listenKey } = (await client.keyed('POST', '/api/v3/userDataStream')).body as {
      listenKey: string;
    };
    stream = new TestClient(`${sim.wsUrl}/ws/${listenKey}`);
    await stream.open();
  });
  after(async () => {
    stream.close();
    await sim.close();
  });

  it('agrees with the exchange on orders, fills and balances', async () => {
    const start = await btcAndUsdt(client);
    const last = Number(
      ((await (await fetch(`${sim.url}/api/v3/ticker/price?symbol=BTCUSDT`)).json()) as { price: string })
        .price,
    );
    const orders: Record<string, string>[] = [
      { side: 'BUY', type: 'MARKET', quantity: '0.05000' },
      { side: 'SELL', type: 'MARKET', quantity: '0.02000' },
      { side: 'BUY', type: 'MARKET', quoteOrderQty: '500' },
      {
        side: 'SELL',
        type: 'LIMIT',
        timeInForce: 'IOC',
        quantity: '0.03000',
        price: (last * 0.99).toFixed(2),
      },
      { side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.01000', price: (last * 0.5).toFixed(2) },
    ];
    for (const order of orders) {
      const answer = await client.signed('POST', '/api/v3/order', { symbol: 'BTCUSDT', ...order });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    await client.signed('DELETE', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    const trades = (await client.signed('GET', '/api/v3/myTrades', { symbol: 'BTCUSDT' })).body as {
      id: number;
    }[];
    const allOrders = (await client.signed('GET', '/api/v3/allOrders', { symbol: 'BTCUSDT' })).body as {
      clientOrderId: string;
      executedQty: string;
      status: string;
    }[];
    const updates = () =>
      stream.messages
        .filter((m) => (m as { e?: string }).e === 'executionReport')
        .map((m) => parseExecutionReport(m));
    // Every fill and every order's last state has arrived on the stream.
    await waitFor(
      () =>
        updates().filter((update) => update.fill !== undefined).length === trades.length &&
        updates().filter((update) => update.status === 'CANCELED').length === 1,
      10_000,
      'the reports',
    );
    const end = await btcAndUsdt(client);

    const view = (sequence: readonly ExecutionUpdate[]) => {
      const tracked = new Map<string, TrackedOrder>();
      const position = new Position('BTC', 'USDT');
      for (const update of sequence) {
        let order = tracked.get(update.clientOrderId);
        if (order === undefined) {
          order = new TrackedOrder(update.clientOrderId, update.symbol, update.side, 0n);
          tracked.set(update.clientOrderId, order);
        }
        const outcome = order.apply(update);
        assert.equal(outcome.refused, undefined);
        if (outcome.fill !== undefined) position.apply(update.side, outcome.fill);
      }
      return { tracked, position };
    };
    const inOrder = updates();
    const shuffled = [...inOrder, ...inOrder.slice(0, 5)].sort(
      (a, b) => ((a.eventTime * 7919 + b.orderId) % 3) - 1,
    );
    for (const sequence of [inOrder, shuffled]) {
      const { tracked, position } = view(sequence);
      for (const order of allOrders) {
        const mine = tracked.get(order.clientOrderId)!;
        assert.equal(mine.filledQuantity, units(order.executedQty), order.clientOrderId);
        assert.equal(mine.state, order.status, order.clientOrderId);
      }
      const fills = [...tracked.values()].flatMap((order) => [...order.fills.keys()]).sort((a, b) => a - b);
      assert.deepEqual(
        fills,
        trades.map((trade) => trade.id).sort((a, b) => a - b),
      );
      // The position moved the balances exactly as the exchange's ledger did.
      assert.equal(position.baseQuantity, end.btc - start.btc);
      assert.equal(position.cashFlow, end.usdt - start.usdt);
    }
  });
});
