import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type ExchangeSimulator, startExchangeSimulator } from '../../src/simulator/index.ts';
import {
  CANCEL_ORDER,
  EXECUTION_REPORT,
  NEW_ORDER_FULL,
  QUERY_ORDER,
} from './fixtures/binance-spot-examples.ts';
import { assertShape } from './shape.ts';
import { TestClient } from './sim-exchange-helpers.ts';
import { ed25519Signer, hmacSigner, type Signer } from './signed-client.ts';

/** Signs WebSocket API parameters as Binance documents: sorted by name, `name=value` joined with `&`. */
function signParams(
  params: Record<string, string | number>,
  signer: Signer,
): Record<string, string | number> {
  const payload = Object.keys(params)
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  return { ...params, signature: signer(payload) };
}

describe('exchange simulator: WebSocket API', () => {
  let sim: ExchangeSimulator;
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const ed25519 = ed25519Signer(privateKey);
  const sockets: TestClient[] = [];
  let nextId = 1;

  const connect = async () => {
    const socket = new TestClient(`${sim.wsUrl}/ws-api/v3`);
    sockets.push(socket);
    await socket.open();
    return socket;
  };
  const call = (socket: TestClient, method: string, params?: Record<string, unknown>) => {
    const id = `r${nextId++}`;
    socket.send(params === undefined ? { id, method } : { id, method, params });
    return socket.next((m) => m.id === id);
  };

  before(async () => {
    sim = await startExchangeSimulator({
      symbols: 5,
      eventsPerSecond: 500,
      seed: 5,
      accounts: [
        {
          apiKey: 'edKey0123456789abcdef',
          ed25519PublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          balances: { USDT: '100000', BTC: '1' },
        },
        { apiKey: 'hmacKey0123456789abcd', secretKey: 'hmacSecret0123456789', balances: { USDT: '1000' } },
      ],
    });
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await sim.close();
  });

  it('logs on with Ed25519, places, queries, replaces and cancels orders, and streams its events', async () => {
    const socket = await connect();
    const logon = await call(
      socket,
      'session.logon',
      signParams({ apiKey: 'edKey0123456789abcdef', timestamp: Date.now() }, ed25519),
    );
    assert.equal(logon.status, 200, JSON.stringify(logon));
    assert.equal((logon.result as { apiKey: string }).apiKey, 'edKey0123456789abcdef');
    const subscribed = await call(socket, 'userDataStream.subscribe');
    assert.deepEqual(subscribed.result, { subscriptionId: 0 });

    const placed = await call(socket, 'order.place', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '1000.00',
      newClientOrderId: 'first',
      timestamp: Date.now(),
    });
    assert.equal(placed.status, 200, JSON.stringify(placed));
    assertShape(placed.result, NEW_ORDER_FULL);
    const event = await socket.next((m) => (m.event as { x?: string } | undefined)?.x === 'NEW');
    assert.equal(event.subscriptionId, 0);
    assertShape(event.event, EXECUTION_REPORT, '$', ['N']);

    const status = await call(socket, 'order.status', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'first',
      timestamp: Date.now(),
    });
    assertShape(status.result, QUERY_ORDER);

    // Cancel `first` and place a bigger order one tick up.
    const replacement = {
      symbol: 'BTCUSDT',
      cancelReplaceMode: 'STOP_ON_FAILURE',
      cancelOrigClientOrderId: 'first',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.02',
      price: '1001.00',
    };
    const replaced = await call(socket, 'order.cancelReplace', {
      ...replacement,
      newClientOrderId: 'second',
      timestamp: Date.now(),
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced));
    const outcome = replaced.result as {
      cancelResult: string;
      newOrderResult: string;
      cancelResponse: unknown;
    };
    assert.deepEqual([outcome.cancelResult, outcome.newOrderResult], ['SUCCESS', 'SUCCESS']);
    assertShape(outcome.cancelResponse, CANCEL_ORDER);

    // `first` is gone now: the same request fails as a whole.
    const failed = await call(socket, 'order.cancelReplace', { ...replacement, timestamp: Date.now() });
    assert.equal(failed.status, 400);
    const error = failed.error as { code: number; data: { cancelResult: string; newOrderResult: string } };
    assert.equal(error.code, -2022);
    assert.deepEqual([error.data.cancelResult, error.data.newOrderResult], ['FAILURE', 'NOT_ATTEMPTED']);

    const open = await call(socket, 'openOrders.status', { symbol: 'BTCUSDT', timestamp: Date.now() });
    assert.deepEqual(
      (open.result as { clientOrderId: string }[]).map((order) => order.clientOrderId),
      ['second'],
    );
    const canceled = await call(socket, 'openOrders.cancelAll', { symbol: 'BTCUSDT', timestamp: Date.now() });
    assert.equal((canceled.result as unknown[]).length, 1);
    const account = await call(socket, 'account.status', { timestamp: Date.now() });
    const usdt = (account.result as { balances: { asset: string; locked: string }[] }).balances.find(
      (b) => b.asset === 'USDT',
    );
    assert.equal(usdt?.locked, '0.00000000');
  });

  it('takes requests signed one by one with HMAC, and refuses an HMAC logon', async () => {
    const socket = await connect();
    const hmac = hmacSigner('hmacSecret0123456789');
    const account = await call(
      socket,
      'account.status',
      signParams({ apiKey: 'hmacKey0123456789abcd', timestamp: Date.now() }, hmac),
    );
    assert.equal(account.status, 200, JSON.stringify(account));
    const logon = await call(
      socket,
      'session.logon',
      signParams({ apiKey: 'hmacKey0123456789abcd', timestamp: Date.now() }, hmac),
    );
    assert.equal((logon.error as { code: number }).code, -4056);
    const forged = await call(
      socket,
      'account.status',
      signParams(
        { apiKey: 'hmacKey0123456789abcd', timestamp: Date.now() },
        hmacSigner('not-the-secret-000000'),
      ),
    );
    assert.equal((forged.error as { code: number }).code, -1022);
    const unsigned = await call(socket, 'order.place', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '1',
    });
    assert.equal((unsigned.error as { code: number }).code, -1102);
    assert.equal(((await call(socket, 'no.such.method')).error as { code: number }).code, -1000);
    socket.send('not json');
    const malformed = await socket.next((m) => m.id === null);
    assert.equal(malformed.status, 400);
    assert.deepEqual((await call(socket, 'ping')).result, {});
  });
});
