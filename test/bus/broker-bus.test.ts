import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { type Handler, type JsonValue, type MessageBus, type Payload } from '../../src/bus/index.ts';
import { ENVELOPE_MAGIC, HEADER_BYTES } from '../../src/bus/broker/envelope.ts';
import { isTickwireError } from '../../src/errors.ts';
import { BROKER_KINDS, type BrokerKind, brokerSuite } from '../support/broker-servers.ts';
import { runBusConformance } from './conformance.ts';
import {
  BROKER_WAIT_MS,
  brokerStats,
  openBus,
  randomPrefix,
  synced,
  tickBytes,
  waitFor,
} from './broker-helpers.ts';

/** Publishes raw messages in order on one connection, bypassing the bus, as a foreign publisher would. */
async function rawPublish(
  kind: BrokerKind,
  url: string,
  messages: [subject: string, message: Buffer | string][],
): Promise<void> {
  if (kind === 'redis') {
    const client = new Redis(url);
    try {
      for (const [subject, message] of messages) await client.publish(subject, message);
    } finally {
      client.disconnect();
    }
    return;
  }
  const connection = await natsConnect({ servers: url.replace('nats://', '') });
  try {
    for (const [subject, message] of messages) connection.publish(subject, message);
    await connection.flush();
  } finally {
    await connection.close();
  }
}

function collect(): { handler: Handler; got: { topic: string; payload: Payload }[] } {
  const got: { topic: string; payload: Payload }[] = [];
  return { got, handler: (payload, topic) => got.push({ topic, payload }) };
}

for (const kind of BROKER_KINDS) {
  brokerSuite(kind, `${kind} bus`, (broker) => {
    runBusConformance(kind, (options) => openBus(broker().url, options));

    const open: MessageBus[] = [];
    const node = async (options: Parameters<typeof openBus>[1] = {}) => {
      const bus = await openBus(broker().url, options);
      open.push(bus);
      return bus;
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((bus) => bus.close()));
    });

    it('a fill published after a burst of market data overtakes it on the way to another node (lanes)', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      const arrivals: string[] = [];
      b.subscribe('md.>', (_payload, topic) => arrivals.push(topic));
      b.subscribe('fills.>', (_payload, topic) => arrivals.push(topic));
      await synced(a, b);
      // ~6 MB of ticks in one synchronous burst, then one fill: on one connection, in one TCP
      // stream and one broker queue, the fill would come last.
      const ticks = 50_000;
      const tick = tickBytes(64, 3);
      for (let i = 0; i < ticks; i++) a.publish('md.trade.SIM.BTCUSDT', tick);
      a.publish('fills.acc1', { fill: 1 });
      await waitFor(() => arrivals.length === ticks + 1, BROKER_WAIT_MS * 2);
      const at = arrivals.indexOf('fills.acc1');
      assert.ok(at >= 0 && at < ticks / 2, `the fill arrived after ${at} of ${ticks} ticks`);
    });

    it('two nodes exchange messages both ways; ticks stay binary and byte-identical', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      const atA = collect();
      const atB = collect();
      a.subscribe('fills.*', atA.handler);
      b.subscribe('md.trade.SIM.>', atB.handler);
      await synced(a, b);
      const ticks = tickBytes(192, 17);
      a.publish('md.trade.SIM.BTCUSDT', ticks);
      a.publish('md.trade.SIM.ETHUSDT', { price: '1.5', nested: [1, null, true] });
      b.publish('fills.acc-1', { qty: 2 });
      await waitFor(() => atB.got.length === 2 && atA.got.length === 1, BROKER_WAIT_MS);
      const first = atB.got[0]!;
      assert.equal(first.topic, 'md.trade.SIM.BTCUSDT');
      assert.ok(first.payload instanceof Uint8Array, 'binary stays binary');
      assert.deepEqual([...first.payload], [...ticks]);
      assert.notEqual(first.payload, ticks, 'the receiver has its own copy');
      assert.deepEqual(atB.got[1], {
        topic: 'md.trade.SIM.ETHUSDT',
        payload: { price: '1.5', nested: [1, null, true] },
      });
      assert.deepEqual(atA.got, [{ topic: 'fills.acc-1', payload: { qty: 2 } }]);
      assert.equal(b.health().kind, kind);
      assert.equal(b.health().state, 'connected');
      assert.equal(b.health().url, broker().url);
    });

    it('two prefixes on one server do not see each other', async () => {
      const mine = randomPrefix();
      const other = randomPrefix();
      const b = await node({ prefix: mine });
      b.subscribe('>', () => {});
      await synced(b);
      // In order on one connection: the broker hands them to b in that order, so once b has the
      // second, the first would have arrived before it if it were going to.
      await rawPublish(kind, broker().url, [
        [`${other}.alerts.feed`, 'for the other prefix'],
        [`${other}-rpc.alerts.feed`, 'a request there'],
        [`${mine}x.alerts.feed`, 'a prefix that merely starts the same'],
        [`${mine}.alerts.feed`, 'ours'],
      ]);
      await waitFor(() => b.health().messagesIn === 1, BROKER_WAIT_MS);
      assert.equal(b.health().malformed, 1, 'the one message on our prefix (raw text) reached us');
    });

    it('a node receives from the broker only the topics its consumers want', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      const wanted = collect();
      b.subscribe('md.trade.SIM.S3', wanted.handler);
      assert.equal(brokerStats(b).brokerSubscriptions, 1);
      await synced(b);
      const inBefore = b.health().messagesIn;
      for (let round = 0; round < 20; round++) {
        for (let s = 0; s < 10; s++) a.publish(`md.trade.SIM.S${s}`, tickBytes(64, round));
      }
      await waitFor(() => wanted.got.length === 20, BROKER_WAIT_MS);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(
        b.health().messagesIn - inBefore,
        20,
        'only the 20 messages on its one topic crossed the broker',
      );
      assert.ok(a.health().messagesOut >= 200);
    });

    it('interest is reference-counted: the broker subscription goes with the last local subscriber', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      const one = collect();
      const sentinel = collect();
      const offOne = b.subscribe('orders.*', one.handler);
      const offTwo = b.subscribe('orders.*', () => {});
      b.subscribe('orders.>', () => {}); // same Redis glob as orders.*, a different NATS subject
      b.subscribe('bots.sentinel', sentinel.handler);
      assert.equal(brokerStats(b).brokerSubscriptions, 3);
      await synced(b);
      offOne();
      offOne();
      a.publish('orders.acc-1', 1);
      a.publish('bots.sentinel', 1);
      await waitFor(() => sentinel.got.length === 1, BROKER_WAIT_MS);
      assert.equal(one.got.length, 0);
      offTwo();
      assert.equal(brokerStats(b).brokerSubscriptions, 2);
      const before = b.health().messagesIn;
      a.publish('bots.sentinel', 2);
      await waitFor(() => sentinel.got.length === 2, BROKER_WAIT_MS);
      // orders.> still holds its broker subscription, so orders.* going away must not cut it.
      a.publish('orders.acc-2', 2);
      a.publish('bots.sentinel', 3);
      await waitFor(() => sentinel.got.length === 3, BROKER_WAIT_MS);
      assert.equal(b.health().messagesIn - before, 3);
    });

    it('one message through overlapping exact and pattern subscriptions is delivered once per handler', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      const exact = collect();
      const star = collect();
      const tail = collect();
      b.subscribe('md.quote.SIM.BTCUSDT', exact.handler);
      b.subscribe('md.quote.SIM.*', star.handler);
      b.subscribe('md.>', tail.handler);
      await synced(b);
      const sent = Array.from({ length: 100 }, (_, i) => i);
      for (const n of sent) a.publish('md.quote.SIM.BTCUSDT', n);
      await waitFor(() => b.health().messagesIn === 300, BROKER_WAIT_MS);
      await waitFor(() => tail.got.length === 100, BROKER_WAIT_MS);
      for (const handler of [exact, star, tail]) {
        assert.deepEqual(
          handler.got.map((message) => message.payload),
          sent,
        );
      }
      assert.equal(b.health().duplicates, 200, 'three broker copies per message, two skipped');
      assert.equal(b.health().gaps, 0);
    });

    it('request/reply across nodes: reply, NO_RESPONDER, RESPONDER_FAILED', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      b.respond('bots.acc-1.*', (payload, topic) => ({ from: 'b', topic, echo: payload as JsonValue }));
      b.respond('bots.ticks', () => tickBytes(128, 4));
      await synced(b);
      assert.deepEqual(await a.request('bots.acc-1.bot_7', { q: 1 }, { timeoutMs: BROKER_WAIT_MS }), {
        from: 'b',
        topic: 'bots.acc-1.bot_7',
        echo: { q: 1 },
      });
      const binary = await a.request('bots.ticks', null, { timeoutMs: BROKER_WAIT_MS });
      assert.ok(binary instanceof Uint8Array);
      assert.deepEqual([...binary], [...tickBytes(128, 4)]);
      await assert.rejects(a.request('bots.acc-2.bot_1', 1, { timeoutMs: BROKER_WAIT_MS }), (error) =>
        isTickwireError(error, 'NO_RESPONDER'),
      );
      const c = await node({ prefix });
      c.respond('orders.fail', () => Promise.reject(new Error('rejected on purpose')));
      await synced(c);
      await assert.rejects(
        a.request('orders.fail', 1, { timeoutMs: BROKER_WAIT_MS }),
        (error) =>
          isTickwireError(error, 'RESPONDER_FAILED') && error.message.includes('rejected on purpose'),
      );
      assert.equal(c.stats().handlerErrors, 1);
      assert.equal(a.stats().pendingRequests, 0);
    });

    it('a request goes to the local responder when one matches, without the broker', async () => {
      const prefix = randomPrefix();
      const [a, b] = await Promise.all([node({ prefix }), node({ prefix })]);
      a.respond('bots.x', () => 'local');
      b.respond('bots.x', () => 'remote');
      const out = a.health().messagesOut;
      assert.equal(await a.request('bots.x', 1), 'local');
      assert.equal(a.health().messagesOut, out);
    });

    it('with responders on two nodes, one reply comes back', async () => {
      const prefix = randomPrefix();
      const [a, b, c] = await Promise.all([node({ prefix }), node({ prefix }), node({ prefix })]);
      b.respond('bots.*', () => 'b');
      c.respond('bots.*', () => 'c');
      b.respond('bots.>', () => 'b2'); // overlapping pattern on one node: still one answer
      await synced(b, c);
      for (let i = 0; i < 5; i++) {
        const reply = await a.request(`bots.n${i}`, i, { timeoutMs: BROKER_WAIT_MS });
        assert.ok(reply === 'b' || reply === 'c', `unexpected reply ${String(reply)}`);
      }
    });

    it('malformed messages on the prefix are counted and skipped, never delivered', async () => {
      const prefix = randomPrefix();
      const b = await node({ prefix });
      const got = collect();
      b.subscribe('md.>', got.handler);
      await synced(b);
      const header = (kind: number, role = 0) => {
        const bytes = Buffer.alloc(HEADER_BYTES);
        bytes[0] = ENVELOPE_MAGIC;
        bytes[1] = 1;
        bytes[2] = kind;
        bytes[3] = role;
        bytes[4] = 0x55;
        return bytes;
      };
      const bad: (Buffer | string)[] = [
        'plain text from someone else',
        Buffer.from([ENVELOPE_MAGIC]),
        Buffer.concat([header(1), Buffer.alloc(63)]), // not whole ticks
        Buffer.concat([header(2), Buffer.from('{"unclosed":')]),
        Buffer.concat([header(9), Buffer.alloc(64)]), // unknown kind
        Buffer.concat([Buffer.from([ENVELOPE_MAGIC, 7]), Buffer.alloc(78)]), // unknown version
        Buffer.concat([header(2, 1), Buffer.from('1')]), // a request on a data subject
        Buffer.concat([header(2), Buffer.from([0xff, 0xfe])]), // not UTF-8
      ];
      await rawPublish(
        kind,
        broker().url,
        // Market data has its own namespace (the market-data lane, naming.ts).
        bad.map((message) => [`${prefix}-md.md.trade.SIM.X`, message]),
      );
      await waitFor(() => b.health().malformed === bad.length, BROKER_WAIT_MS);
      const a = await node({ prefix });
      a.publish('md.trade.SIM.X', 'fine');
      await waitFor(() => got.got.length === 1, BROKER_WAIT_MS);
      assert.deepEqual(got.got, [{ topic: 'md.trade.SIM.X', payload: 'fine' }]);
      assert.equal(b.health().malformed, bad.length);
      assert.equal(b.stats().handlerErrors, 0);
    });

    it('rewriteInbound may rewrite remote ticks in place before delivery; local ones are untouched', async () => {
      const prefix = randomPrefix();
      const seen: string[] = [];
      const [a, b] = await Promise.all([
        node({ prefix }),
        node({
          prefix,
          rewriteInbound: (topic, ticks) => {
            seen.push(topic);
            for (let offset = 0; offset < ticks.length; offset += 64) ticks[offset] = 0xee;
            if (topic.endsWith('BAD')) throw new Error('unknown symbol');
          },
        }),
      ]);
      const atA = collect();
      const atB = collect();
      a.subscribe('md.trade.SIM.*', atA.handler);
      b.subscribe('md.trade.SIM.*', atB.handler);
      await synced(b);
      const ticks = tickBytes(128, 1);
      a.publish('md.trade.SIM.BAD', tickBytes(64, 0));
      a.publish('md.trade.SIM.BTCUSDT', ticks);
      a.publish('md.trade.SIM.BTCUSDT', { json: 'is not rewritten' });
      await waitFor(() => atB.got.length === 2, BROKER_WAIT_MS);
      const rewritten = atB.got[0]!.payload as Uint8Array;
      assert.equal(rewritten[0], 0xee);
      assert.equal(rewritten[64], 0xee);
      assert.equal(rewritten[1], ticks[1]);
      assert.equal(ticks[0], 1, "the publisher's bytes are not touched");
      assert.equal((atA.got[1]!.payload as Uint8Array)[0], 1);
      assert.deepEqual(seen, ['md.trade.SIM.BAD', 'md.trade.SIM.BTCUSDT']);
      assert.equal(b.stats().handlerErrors, 1, 'a throwing rewrite drops the message and is counted');
    });

    it('health reports the round trip to the broker', async () => {
      const bus = await node();
      await waitFor(() => bus.health().rttMs !== undefined, BROKER_WAIT_MS);
      assert.ok(bus.health().rttMs! >= 0);
      await bus.close();
      assert.equal(bus.health().state, 'closed');
    });
  });
}
