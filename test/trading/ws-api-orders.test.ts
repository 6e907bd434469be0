import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import { ExchangeError, NotSentError, WsApiOrders } from '../../src/trading/index.ts';

const KEY = { apiKey: 'wsApiOrdersKey0123456789', secretKey: 'ws-api-orders-secret-0123456789' };

describe('trading: orders over the WebSocket API', () => {
  let sim: ExchangeSimulator;
  before(async () => {
    sim = await startExchangeSimulator({
      symbols: ['BTCUSDT'],
      eventsPerSecond: 100,
      accounts: [{ ...KEY, balances: { USDT: '100000', BTC: '1' } }],
    });
  });
  after(() => sim.close());

  it('places and cancels with per-request HMAC signatures, and answers refusals as Binance does', async () => {
    const api = new WsApiOrders(`${sim.wsUrl}/ws-api/v3`, KEY.apiKey, KEY.secretKey);
    try {
      const placed = (await api.request('order.place', {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '1000',
        newClientOrderId: 'ws-1',
        newOrderRespType: 'ACK',
      })) as { clientOrderId: string; orderId: number };
      assert.equal(placed.clientOrderId, 'ws-1');
      const canceled = (await api.request('order.cancel', {
        symbol: 'BTCUSDT',
        origClientOrderId: 'ws-1',
      })) as {
        status: string;
      };
      assert.equal(canceled.status, 'CANCELED');
      await assert.rejects(
        api.request('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'ws-1' }),
        (error: unknown) => error instanceof ExchangeError && error.code === -2011,
      );
    } finally {
      api.close();
    }
    const wrong = new WsApiOrders(`${sim.wsUrl}/ws-api/v3`, KEY.apiKey, 'not-the-secret-0123456789');
    await assert.rejects(
      wrong.request('order.place', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
      (error: unknown) => error instanceof ExchangeError && error.code === -1022,
    );
    wrong.close();
  });

  it('says when an order was never sent (nothing listens)', async () => {
    const nowhere = new WsApiOrders('ws://127.0.0.1:1/ws-api/v3', KEY.apiKey, KEY.secretKey);
    await assert.rejects(
      nowhere.request('order.place', { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.001' }),
      NotSentError,
    );
    nowhere.close();
  });
});
