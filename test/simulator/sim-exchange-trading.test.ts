import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import {
  ACCOUNT,
  ACCOUNT_POSITION,
  BALANCE_UPDATE,
  LIST_STATUS,
  ORDER_LIST,
  ORDER_LIST_REPORT,
  CANCEL_ORDER,
  ERROR,
  EXECUTION_REPORT,
  MY_TRADE,
  NEW_ORDER_ACK,
  NEW_ORDER_FULL,
  QUERY_ORDER,
} from './fixtures/binance-spot-examples.ts';
import { assertShape } from './shape.ts';
import { postJson, TestClient } from './sim-exchange-helpers.ts';
import { type Answer, ed25519Signer, hmacSigner, SignedClient } from './signed-client.ts';

describe('exchange simulator: accounts, signed REST and user data', () => {
  let sim: ExchangeSimulator;
  let client: SignedClient;
  const sockets: TestClient[] = [];

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: 5,
      eventsPerSecond: 500,
      seed: 3,
      maxIncomingPerSecond: 100,
      accounts: [
        {
          name: 'alice',
          apiKey: 'aliceKey0123456789',
          secretKey: 'aliceSecret0123456789',
          balances: { USDT: '100000', BTC: '2' },
        },
      ],
    });
    client = new SignedClient(sim.url, 'aliceKey0123456789', hmacSigner('aliceSecret0123456789'));
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await sim.close();
  });

  const lastPrice = async () => {
    const ticker = (await (await fetch(`${sim.url}/api/v3/ticker/price?symbol=BTCUSDT`)).json()) as {
      price: string;
    };
    return Number(ticker.price);
  };

  it('rests a limit order, reports it, cancels it, and then refuses to cancel it again', async () => {
    const price = ((await lastPrice()) * 0.9).toFixed(2);
    const placed = await client.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01000',
      price,
      newClientOrderId: 'myOrder1',
      newOrderRespType: 'RESULT',
    });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assert.equal(placed.body.status, 'NEW');
    const queried = await client.signed('GET', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'myOrder1',
    });
    assertShape(queried.body, QUERY_ORDER);
    assert.equal(queried.body.price, `${price}000000`);
    const open = await client.signed('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' });
    assert.deepEqual(
      open.body.map((order: { orderId: number }) => order.orderId),
      [placed.body.orderId],
    );
    const account = await client.signed('GET', '/api/v3/account');
    assertShape(account.body, ACCOUNT);
    const usdt = account.body.balances.find((balance: { asset: string }) => balance.asset === 'USDT');
    assert.equal(usdt.locked, (Number(price) / 100).toFixed(8));
    const canceled = await client.signed('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId,
    });
    assertShape(canceled.body, CANCEL_ORDER);
    assert.equal(canceled.body.status, 'CANCELED');
    const again = await client.signed('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId,
    });
    assert.deepEqual([again.status, again.body.code], [400, -2011]);
    assertShape(again.body, ERROR);
    const unknown = await client.signed('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId: 999_999 });
    assert.equal(unknown.body.code, -2013);
  });

  it('fills a market order, answers FULL with its fills, and lists the trades', async () => {
    const placed = await client.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.02000',
    });
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    assertShape(placed.body, NEW_ORDER_FULL);
    assert.equal(placed.body.status, 'FILLED');
    assert.equal(placed.body.executedQty, '0.02000000');
    const filledQuantity = placed.body.fills.reduce(
      (sum: number, fill: { qty: string }) => sum + Number(fill.qty),
      0,
    );
    assert.equal(filledQuantity.toFixed(5), '0.02000');
    const trades = await client.signed('GET', '/api/v3/myTrades', {
      symbol: 'BTCUSDT',
      orderId: placed.body.orderId,
    });
    assert.equal(trades.body.length, placed.body.fills.length);
    for (const trade of trades.body) assertShape(trade, MY_TRADE);
    assert.deepEqual(
      trades.body.map((trade: { id: number }) => trade.id),
      placed.body.fills.map((fill: { tradeId: number }) => fill.tradeId),
    );
    const ack = await client.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'MARKET',
      quantity: '0.01000',
      newOrderRespType: 'ACK',
    });
    assertShape(ack.body, NEW_ORDER_ACK);
  });

  it("refuses bad requests with Binance's codes", async () => {
    const cases: [Promise<Answer>, number, number][] = [
      [client.signed('GET', '/api/v3/account', {}, Date.now() - 60_000), 400, -1021],
      [
        new SignedClient(sim.url, 'aliceKey0123456789', hmacSigner('wrong-secret-0123456789')).signed(
          'GET',
          '/api/v3/account',
        ),
        400,
        -1022,
      ],
      [new SignedClient(sim.url, undefined, undefined).keyed('POST', '/api/v3/userDataStream'), 401, -2014],
      [
        new SignedClient(sim.url, 'nobodysKey0123456789', hmacSigner('x')).signed('GET', '/api/v3/account'),
        401,
        -2015,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'NOPEUSDT',
          side: 'BUY',
          type: 'MARKET',
          quantity: '1',
        }),
        400,
        -1121,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '1',
        }),
        400,
        -1102,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'MARKET',
          timeInForce: 'GTC',
          quantity: '1',
        }),
        400,
        -1106,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'UP',
          type: 'MARKET',
          quantity: '1',
        }),
        400,
        -1117,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'STOP',
          quantity: '1',
        }),
        400,
        -1116,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.01',
          price: '1000.001',
        }),
        400,
        -1013,
      ],
      [
        client.signed('POST', '/api/v3/order', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '5',
          price: '90000',
        }),
        400,
        -2010,
      ],
    ];
    for (const [answer, status, code] of cases) {
      const { status: got, body } = await answer;
      assert.deepEqual([got, body.code], [status, code], JSON.stringify(body));
      assertShape(body, ERROR);
    }
    const test = await client.signed('POST', '/api/v3/order/test', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01',
    });
    assert.deepEqual(test, { status: 200, body: {} });
  });

  it('streams executionReport and outboundAccountPosition on /ws/<listenKey>, fill price from the fill', async () => {
    const created = await client.keyed('POST', '/api/v3/userDataStream');
    const listenKey = created.body.listenKey as string;
    assert.match(listenKey, /^[0-9a-f]{64}$/);
    const stream = new TestClient(`${sim.wsUrl}/ws/${listenKey}`);
    sockets.push(stream);
    await stream.open();
    const placed = await client.signed('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.01000',
    });
    const report = await stream.next(
      (m) => m.e === 'executionReport' && m.x === 'TRADE' && m.i === placed.body.orderId,
    );
    assertShape(report, EXECUTION_REPORT, '$', ['N']);
    assert.equal(report.L, placed.body.fills[0].price);
    assert.equal(report.N, 'BTC');
    const first = await stream.next((m) => m.e === 'executionReport' && m.i === placed.body.orderId);
    assert.equal(first.x, 'NEW');
    const position = await stream.next((m) => m.e === 'outboundAccountPosition');
    assertShape(position, ACCOUNT_POSITION);
    const deposit = await postJson(`${sim.url}/sim/deposits`, {
      apiKey: 'aliceKey0123456789',
      asset: 'ETH',
      amount: '1.5',
    });
    assert.equal(deposit.status, 200, JSON.stringify(deposit.body));
    const update = await stream.next((m) => m.e === 'balanceUpdate');
    assertShape(update, BALANCE_UPDATE);
    assert.deepEqual([update.a, update.d], ['ETH', '1.50000000']);
    const withdrawal = await postJson(`${sim.url}/sim/deposits`, {
      apiKey: 'aliceKey0123456789',
      asset: 'ETH',
      amount: '-2',
    });
    assert.equal((withdrawal.body as { code: number }).code, -2010);
    assert.deepEqual(await client.keyed('PUT', '/api/v3/userDataStream', { listenKey }), {
      status: 200,
      body: {},
    });
    assert.deepEqual(await client.keyed('DELETE', '/api/v3/userDataStream', { listenKey }), {
      status: 200,
      body: {},
    });
    const gone = await client.keyed('PUT', '/api/v3/userDataStream', { listenKey });
    assert.equal(gone.body.code, -1125);
  });

  it('places, reports and cancels an OCO list, with listStatus on the user-data stream', async () => {
    const listenKey = (await client.keyed('POST', '/api/v3/userDataStream')).body.listenKey as string;
    const stream = new TestClient(`${sim.wsUrl}/ws/${listenKey}`);
    sockets.push(stream);
    await stream.open();
    const last = await lastPrice();
    const oco = (extra: Record<string, string>) =>
      client.signed('POST', '/api/v3/orderList/oco', {
        symbol: 'BTCUSDT',
        side: 'SELL',
        quantity: '0.01000',
        aboveType: 'LIMIT_MAKER',
        abovePrice: (last * 2).toFixed(2),
        belowType: 'STOP_LOSS_LIMIT',
        belowStopPrice: (last / 2).toFixed(2),
        belowPrice: (last / 2 - 1).toFixed(2),
        belowTimeInForce: 'GTC',
        listClientOrderId: 'myList1',
        ...extra,
      });
    const placed = await oco({});
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    const { orderReports, ...listPart } = placed.body as { orderReports: Record<string, unknown>[] };
    assertShape(listPart, ORDER_LIST);
    assertShape(orderReports[0], ORDER_LIST_REPORT);
    assertShape(orderReports[1], { ...ORDER_LIST_REPORT, stopPrice: '0.90000000' });
    const started = await stream.next((m) => m.e === 'listStatus' && m.l === 'EXEC_STARTED');
    assertShape(started, LIST_STATUS);
    assert.equal(started.C, 'myList1');
    const queried = await client.signed('GET', '/api/v3/orderList', { orderListId: placed.body.orderListId });
    assertShape(queried.body, ORDER_LIST);
    assert.equal((await client.signed('GET', '/api/v3/openOrderList')).body.length, 1);
    const canceled = await client.signed('DELETE', '/api/v3/orderList', {
      symbol: 'BTCUSDT',
      listClientOrderId: 'myList1',
    });
    assert.equal(canceled.body.listOrderStatus, 'ALL_DONE');
    assert.deepEqual(
      canceled.body.orderReports.map((report: { status: string }) => report.status),
      ['CANCELED', 'CANCELED'],
    );
    await stream.next((m) => m.e === 'listStatus' && m.l === 'ALL_DONE');
    const crossed = await oco({ abovePrice: (last / 4).toFixed(2) });
    assert.equal(crossed.body.code, -2010);
    const wrongLeg = await oco({ aboveType: 'STOP_LOSS' });
    assert.equal(wrongLeg.body.code, -1130);
  });

  it('creates accounts over the admin endpoint, with Ed25519 keys as well as HMAC', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const created = await postJson(`${sim.url}/sim/accounts`, {
      name: 'bob',
      ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }),
      balances: { USDT: '1000' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const body = created.body as { apiKey: string; keyType: string; secretKey?: string };
    assert.equal(body.keyType, 'ED25519');
    assert.equal(body.secretKey, undefined);
    const bob = new SignedClient(sim.url, body.apiKey, ed25519Signer(privateKey));
    const account = await bob.signed('GET', '/api/v3/account');
    assert.equal(account.status, 200, JSON.stringify(account.body));
    assert.deepEqual(account.body.balances, [{ asset: 'USDT', free: '1000.00000000', locked: '0.00000000' }]);
    const forged = new SignedClient(
      sim.url,
      body.apiKey,
      ed25519Signer(generateKeyPairSync('ed25519').privateKey),
    );
    assert.equal((await forged.signed('GET', '/api/v3/account')).body.code, -1022);
    const bad = await postJson(`${sim.url}/sim/accounts`, { balances: { usdt: 'lots' } });
    assert.equal(bad.status, 400);
  });

  it('accepts /ws/<anything> and waits for SUBSCRIBE, as Binance does', async () => {
    const socket = new TestClient(`${sim.wsUrl}/ws/0`);
    sockets.push(socket);
    await socket.open();
    assert.deepEqual(await socket.request({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 }), {
      result: null,
      id: 1,
    });
    await socket.next((m) => m.e === 'trade');
  });
});
