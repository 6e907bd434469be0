import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sendBufferCap } from '../../src/gateway/index.ts';
import { ACC1_KEY, startGateway, TestClient } from './harness.ts';

const auth = { headers: { 'x-api-key': ACC1_KEY } };

describe('delivery: lanes, conflation, slow consumers, recovery', () => {
  it('writes a fill before market data queued ahead of it', async () => {
    const node = await startGateway();
    try {
      const client = await TestClient.connect(`${node.url}/ws`, auth);
      await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*', 'fills.acc1'] });
      // One event-loop turn: 50 market-data messages are queued, then a fill arrives.
      for (let i = 0; i < 50; i++) node.bus.publish('md.trade.SIM.BTCUSDT', { price: i });
      node.bus.publish('fills.acc1', { orderId: 'o1', qty: '1' });
      await client.until(() => client.data().length === 51);
      const topics = client.data().map((json) => json.topic);
      assert.equal(topics[0], 'fills.acc1', 'the critical lane drains first');
      assert.deepEqual(
        client.data('md.trade.SIM.BTCUSDT').map((json) => (json.data as { price: number }).price),
        Array.from({ length: 50 }, (_, i) => i),
        'market data keeps its order, nothing lost while the client keeps up',
      );
    } finally {
      await node.stop();
    }
  });

  it(
    'puts a fill ahead of the market-data backlog of a client that stopped reading (send-buffer cap)',
    { skip: sendBufferCap().available ? false : `send-buffer cap unavailable: ${sendBufferCap().reason}` },
    async () => {
      const node = await startGateway();
      try {
        const client = await TestClient.connect(`${node.url}/ws`, auth);
        await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*', 'fills.acc1'] });
        const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
        socket.pause();
        // ~12 MB of market data, three times what the kernel would hold without the cap; yielding
        // between chunks, so the gateway writes what the socket takes. Bounded in count.
        const padding = 'x'.repeat(200);
        let published = 0;
        for (let chunk = 0; chunk < 400; chunk++) {
          for (let i = 0; i < 100; i++) {
            published++;
            node.bus.publish(i % 2 ? 'md.trade.SIM.BTCUSDT' : 'md.trade.SIM.ETHUSDT', {
              n: published,
              padding,
            });
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        node.bus.publish('fills.acc1', { fill: 1 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        socket.resume();
        await client.until(() => client.data('fills.acc1').length === 1);
        const before = client.data().findIndex((json) => json.topic === 'fills.acc1');
        // What the kernel held: the client's receive buffer, 16 KB unsent and one write's overshoot.
        assert.ok(before < 2_000, `${before} market-data frames reached the client before the fill`);
        const last = (topic: string) => (client.data(topic).at(-1)?.data as { n?: number } | undefined)?.n;
        await client.until(() => last('md.trade.SIM.BTCUSDT') === published);
        assert.equal(last('md.trade.SIM.ETHUSDT'), published - 1, 'the newest price per symbol arrives');
        assert.ok((node.gateway.counters.conflated.md ?? 0) > 0, 'the stale market data was conflated');
        assert.ok(client.data().length < published / 2, `${client.data().length} of ${published} delivered`);
        assert.equal(client.data('fills.acc1').length, 1);
      } finally {
        await node.stop();
      }
    },
  );

  it('conflates market data per topic for a slow connection, latest value wins, and counts it', async () => {
    const node = await startGateway({ conflateAfterBytes: 1_024 });
    try {
      const client = await TestClient.connect(`${node.url}/ws`, auth);
      await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*', 'orders.acc1'] });
      for (let i = 0; i < 500; i++) {
        node.bus.publish('md.trade.SIM.BTCUSDT', { price: i });
        node.bus.publish('md.trade.SIM.ETHUSDT', { price: 1_000 + i });
        if (i % 100 === 0) node.bus.publish('orders.acc1', { order: i, status: 'new' });
      }
      await client.until(() => client.data('orders.acc1').length === 5);
      // Market data is offered in the scheduler's slices, after the high lane: wait for the last value.
      const last = (topic: string) =>
        (client.data(topic).at(-1)?.data as { price?: number } | undefined)?.price;
      await client.until(
        () => last('md.trade.SIM.BTCUSDT') === 499 && last('md.trade.SIM.ETHUSDT') === 1_499,
      );
      const btc = client.data('md.trade.SIM.BTCUSDT');
      const eth = client.data('md.trade.SIM.ETHUSDT');
      assert.ok(
        btc.length < 500 && eth.length < 500,
        `conflated: got ${btc.length} and ${eth.length} of 500`,
      );
      assert.equal((btc.at(-1)!.data as { price: number }).price, 499, 'the latest value is delivered');
      assert.equal((eth.at(-1)!.data as { price: number }).price, 1_499);
      assert.ok(
        btc.some((json) => json.conflated === true),
        'a conflated message says so',
      );
      const prices = btc.map((json) => (json.data as { price: number }).price);
      assert.deepEqual(
        prices,
        [...prices].sort((a, b) => a - b),
        'still in order',
      );
      assert.deepEqual(
        client.data('orders.acc1').map((json) => (json.data as { order: number }).order),
        [0, 100, 200, 300, 400],
        'high-priority messages are never conflated',
      );
      assert.ok((node.gateway.counters.conflated.md ?? 0) > 0);
    } finally {
      await node.stop();
    }
  });

  it('disconnects with 4001 a client that cannot take its critical messages within the byte budget', async () => {
    const node = await startGateway({ maxBufferedBytes: 64 * 1024, conflateAfterBytes: 16 * 1024 });
    try {
      const client = await TestClient.connect(`${node.url}/ws`, auth);
      await client.request({ op: 'subscribe', id: 1, topics: ['fills.acc1'] });
      // The client stops reading: once the kernel's socket buffers are full, fills back up in
      // the server until they pass the budget. Bounded: at most 64 MiB offered.
      const socket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause();
      const padding = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 4_096 && node.gateway.connectionCount > 0; i++) {
        node.bus.publish('fills.acc1', { fill: i, padding });
        if (i % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
      }
      socket.resume();
      const { code } = await client.closed;
      assert.equal(code, 4001);
      assert.equal(node.gateway.counters.closed.SLOW_CONSUMER, 1);
    } finally {
      await node.stop();
    }
  });

  it('recovers what a client missed after a forced disconnect, marked recovered', async () => {
    const node = await startGateway();
    try {
      const first = await TestClient.connect(`${node.url}/ws`, auth);
      const subscribed = await first.request({ op: 'subscribe', id: 1, topics: ['fills.acc1'] });
      const position = (subscribed.positions as Record<string, { epoch: string; offset: number }>)[
        'fills.acc1'
      ]!;
      node.bus.publish('fills.acc1', { fill: 1 });
      const seen = await first.next((json) => json.topic === 'fills.acc1');
      assert.equal(seen.offset, position.offset + 1);
      assert.equal(seen.epoch, position.epoch);
      first.ws.terminate();
      await first.closed;

      node.bus.publish('fills.acc1', { fill: 2 });
      node.bus.publish('fills.acc1', { fill: 3 });

      const second = await TestClient.connect(`${node.url}/ws`, auth);
      const reply = await second.request({
        op: 'subscribe',
        id: 1,
        topics: ['fills.acc1'],
        since: { 'fills.acc1': { epoch: seen.epoch, offset: seen.offset } },
      });
      assert.deepEqual((reply.recovery as Record<string, unknown>)['fills.acc1'], {
        recovered: true,
        count: 2,
        epoch: seen.epoch,
        offset: (seen.offset as number) + 2,
      });
      await second.until(() => second.data('fills.acc1').length === 2);
      assert.deepEqual(
        second.data('fills.acc1').map((json) => [(json.data as { fill: number }).fill, json.recovered]),
        [
          [2, true],
          [3, true],
        ],
      );
      node.bus.publish('fills.acc1', { fill: 4 });
      const live = await second.next((json) => (json.data as { fill?: number })?.fill === 4);
      assert.equal(live.recovered, undefined, 'live messages follow, unmarked');

      const third = await TestClient.connect(`${node.url}/ws`, auth);
      const stale = await third.request({
        op: 'subscribe',
        id: 1,
        topics: ['fills.acc1'],
        since: { 'fills.acc1': { epoch: 'other-epoch', offset: 1 } },
      });
      const recovery = (stale.recovery as Record<string, { recovered: boolean; reason: string }>)[
        'fills.acc1'
      ]!;
      assert.equal(recovery.recovered, false);
      assert.equal(recovery.reason, 'epoch_changed');
    } finally {
      await node.stop();
    }
  });

  it('says recovered: false when the history no longer reaches back', async () => {
    const node = await startGateway({ history: { maxEntries: 2, maxAgeMs: 60_000 } });
    try {
      const client = await TestClient.connect(`${node.url}/ws`, auth);
      const reply = await client.request({ op: 'subscribe', id: 1, topics: ['fills.acc1'] });
      const position = (reply.positions as Record<string, { epoch: string; offset: number }>)['fills.acc1']!;
      client.close();
      for (let i = 0; i < 5; i++) node.bus.publish('fills.acc1', { fill: i });
      const again = await TestClient.connect(`${node.url}/ws`, auth);
      const result = await again.request({
        op: 'subscribe',
        id: 1,
        topics: ['fills.acc1'],
        since: { 'fills.acc1': position },
      });
      const recovery = (result.recovery as Record<string, { recovered: boolean; reason: string }>)[
        'fills.acc1'
      ]!;
      assert.equal(recovery.recovered, false);
      assert.equal(recovery.reason, 'too_old');
    } finally {
      await node.stop();
    }
  });

  it('delivers a message once to a connection whose subscriptions overlap', async () => {
    const node = await startGateway();
    try {
      const client = await TestClient.connect(`${node.url}/ws`);
      await client.request({
        op: 'subscribe',
        id: 1,
        topics: ['md.trade.SIM.BTCUSDT', 'md.trade.SIM.*', 'md.>'],
      });
      node.bus.publish('md.trade.SIM.BTCUSDT', { price: 1 });
      await client.request({ op: 'ping', id: 2 });
      await client.until(() => client.data().length >= 1);
      await client.request({ op: 'ping', id: 3 });
      assert.equal(client.data().length, 1);
    } finally {
      await node.stop();
    }
  });
});

describe('per-message deflate (opt-in)', () => {
  it('compresses for a client that offers it and keeps plain shared frames for one that does not', async () => {
    const node = await startGateway({ compressionThreshold: 64 });
    try {
      const compressed = await TestClient.connect(`${node.url}/ws`, { perMessageDeflate: true });
      const plain = await TestClient.connect(`${node.url}/ws`, { perMessageDeflate: false });
      assert.match(compressed.ws.extensions, /permessage-deflate/);
      assert.equal(plain.ws.extensions, '');
      for (const client of [compressed, plain]) {
        await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.BTCUSDT'] });
      }
      const big = { price: 1, note: 'x'.repeat(500) };
      node.bus.publish('md.trade.SIM.BTCUSDT', big);
      node.bus.publish('md.trade.SIM.BTCUSDT', { price: 2 });
      for (const client of [compressed, plain]) {
        await client.until(() => client.data().length === 2);
        assert.deepEqual(
          client.data().map((json) => (json.data as { price: number }).price),
          [1, 2],
        );
        assert.equal((client.data()[0]!.data as { note: string }).note.length, 500);
      }
    } finally {
      await node.stop();
    }
  });
});
