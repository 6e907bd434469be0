import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Tick } from '../../src/wire/index.ts';
import { startGateway, TestClient, type TestGateway } from './harness.ts';

describe('WebSocket protocol over a real socket', () => {
  let node: TestGateway;
  const tick = new Tick();

  before(async () => {
    node = await startGateway({ maxSubscriptions: 5, maxFrameBytes: 1_024, inboundBurst: 50 });
  });
  after(() => node.stop());

  /** A trade tick for BTCUSDT (symbol id 0) at `price` (scale 2). */
  function trade(price: number, sequence = 1): Uint8Array {
    const bytes = new Uint8Array(64);
    tick
      .wrap(bytes)
      .writeTrade(1, 0, 2, 5, sequence, 1, 1_700_000_000_000, 0, 1_700_000_000_000, 0, price, 100, sequence);
    return bytes;
  }

  it('greets, answers ping with pong and server time, and echoes ids', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    const welcome = client.json[0]!;
    assert.equal(welcome.type, 'welcome');
    assert.equal(welcome.account, null);
    const pong = await client.request({ op: 'ping', id: 7 });
    assert.equal(pong.type, 'pong');
    assert.equal(typeof pong.time, 'number');
    const pongWithStringId = await client.request({ op: 'ping', id: 'x' as unknown as number });
    assert.equal(pongWithStringId.type, 'pong');
    client.close();
  });

  it('subscribes, delivers JSON with the topic, and stops after unsubscribe', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    const reply = await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.BTCUSDT'] });
    assert.deepEqual(reply, { type: 'subscribed', id: 1, topics: ['md.trade.SIM.BTCUSDT'], format: 'json' });
    node.bus.publish('md.trade.SIM.BTCUSDT', trade(6_712_345));
    const data = await client.next((json) => json.topic === 'md.trade.SIM.BTCUSDT');
    const body = data.data as Record<string, unknown>;
    assert.equal(body.price, '67123.45');
    assert.equal(body.symbol, 'BTCUSDT');
    assert.equal(body.side, 'buy');

    assert.deepEqual(await client.request({ op: 'unsubscribe', id: 2, topics: ['md.trade.SIM.BTCUSDT'] }), {
      type: 'unsubscribed',
      id: 2,
      topics: ['md.trade.SIM.BTCUSDT'],
    });
    node.bus.publish('md.trade.SIM.BTCUSDT', trade(1));
    await client.request({ op: 'ping', id: 3 }); // ordered after anything the publish would have sent
    assert.equal(client.data().length, 1);
    client.close();
  });

  it('delivers ticks as binary frames of 64-byte records to a binary subscription', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*'], format: 'binary' });
    node.bus.publish('md.trade.SIM.BTCUSDT', trade(100, 1));
    node.bus.publish('md.trade.SIM.BTCUSDT', trade(101, 2));
    await client.until(() => client.frames.some((frame) => frame.binary));
    const frame = client.frames.find((f) => f.binary)!;
    assert.ok(frame.binary);
    assert.equal(frame.bytes.length, 128, 'two ticks published in one turn travel in one frame');
    assert.equal(tick.wrap(new Uint8Array(frame.bytes.buffer, frame.bytes.byteOffset, 64)).price, 100);
    assert.equal(tick.wrap(new Uint8Array(frame.bytes.buffer, frame.bytes.byteOffset + 64, 64)).price, 101);
    client.close();
  });

  it('filters on the server, exactly, per subscription', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    await client.request({
      op: 'subscribe',
      id: 1,
      topics: ['md.trade.SIM.BTCUSDT'],
      filter: { and: [{ gt: ['price', '100.00'] }, { eq: ['side', 'buy'] }] },
    });
    for (const price of [9_999, 10_000, 10_001, 20_000])
      node.bus.publish('md.trade.SIM.BTCUSDT', trade(price));
    await client.request({ op: 'ping', id: 3 });
    await client.until(() => client.data().length === 2);
    assert.deepEqual(
      client.data().map((json) => (json.data as { price: string }).price),
      ['100.01', '200.00'],
    );
    client.close();
  });

  it('answers every bad input with its error code and keeps the connection', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    const errors: [unknown, string][] = [
      ['not json', 'BAD_JSON'],
      [[1, 2], 'BAD_JSON'],
      [{ id: 1 }, 'BAD_REQUEST'],
      [{ op: 'launch', id: 2 }, 'UNKNOWN_OP'],
      [{ op: 'subscribe', id: 3 }, 'BAD_REQUEST'],
      [{ op: 'subscribe', id: 4, topics: ['md..x'] }, 'BAD_TOPIC'],
      [{ op: 'subscribe', id: 5, topics: ['md.>.x'] }, 'BAD_TOPIC'],
      [{ op: 'subscribe', id: 6, topics: ['md.trade.SIM.BTCUSDT'], filter: { gt: ['price'] } }, 'BAD_FILTER'],
      [{ op: 'subscribe', id: 7, topics: ['orders.acc1'] }, 'FORBIDDEN'],
      [{ op: 'subscribe', id: 8, topics: ['md.trade.SIM.BTCUSDT'], format: 'xml' }, 'BAD_REQUEST'],
      [{ op: 'unsubscribe', id: 9, topics: ['md.trade.SIM.NOPE'] }, 'NOT_SUBSCRIBED'],
      [{ op: 'auth', id: 10, apiKey: 'wrong-key-0123456789' }, 'AUTH_INVALID'],
      [{ op: 'auth', id: 11 }, 'BAD_REQUEST'],
      [{ op: 'ping', id: 12, padding: 'x'.repeat(2_000) }, 'FRAME_TOO_LARGE'],
    ];
    for (const [message, code] of errors) {
      client.send(message);
      const reply = await client.next((json) => json.type === 'error' && json.code === code);
      assert.equal(reply.type, 'error', JSON.stringify(message));
      assert.equal(typeof reply.message, 'string');
    }
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await client.next((json) => json.code === 'BINARY_NOT_ACCEPTED');
    const pong = await client.request({ op: 'ping', id: 99 });
    assert.equal(pong.type, 'pong', 'the connection is still up');
    const errorsById = client.json.filter((json) => json.type === 'error' && typeof json.id === 'number');
    assert.ok(
      errorsById.every((json) => typeof json.id === 'number'),
      'errors echo the request id',
    );
    client.close();
  });

  it('limits subscriptions per connection', async () => {
    const client = await TestClient.connect(`${node.url}/ws`);
    const topics = [
      'md.trade.SIM.A1',
      'md.trade.SIM.A2',
      'md.trade.SIM.A3',
      'md.trade.SIM.A4',
      'md.trade.SIM.A5',
    ];
    assert.equal((await client.request({ op: 'subscribe', id: 1, topics })).type, 'subscribed');
    const refused = await client.request({ op: 'subscribe', id: 2, topics: ['md.trade.SIM.A6'] });
    assert.equal(refused.code, 'TOO_MANY_SUBSCRIPTIONS');
    const again = await client.request({ op: 'subscribe', id: 3, topics: ['md.trade.SIM.A1'] });
    assert.equal(again.type, 'subscribed', 'resubscribing an existing topic does not count twice');
    client.close();
  });

  it('rate-limits inbound messages with RATE_LIMITED, then closes a flooding client with 4004', async () => {
    const flood = await startGateway({ inboundRatePerSecond: 1, inboundBurst: 5, floodLimit: 20 });
    try {
      const client = await TestClient.connect(`${flood.url}/ws`);
      for (let i = 0; i < 10; i++) client.send({ op: 'ping', id: i });
      await client.next((json) => json.code === 'RATE_LIMITED');
      for (let i = 0; i < 40; i++) client.send({ op: 'ping', id: 100 + i });
      const { code } = await client.closed;
      assert.equal(code, 4004);
      assert.ok((flood.gateway.counters.closed.FLOODING ?? 0) >= 1);
      assert.ok((flood.gateway.counters.error_reply.RATE_LIMITED ?? 0) >= 1);
    } finally {
      await flood.stop();
    }
  });
});
