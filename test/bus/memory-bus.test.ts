import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createBus,
  type Handler,
  MemoryBus,
  type Payload,
  RESOLVED_CACHE_LIMIT,
  topicMatches,
} from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';
import { runBusConformance } from './conformance.ts';

runBusConformance('memory', async (options) => new MemoryBus(options));

describe('MemoryBus specifics', () => {
  it('createBus("memory") gives a memory bus; an unknown kind is BAD_CONFIG', () => {
    assert.ok(createBus('memory') instanceof MemoryBus);
    assert.throws(
      () => createBus('redis'),
      (error) => isTickwireError(error, 'BAD_CONFIG') && error.message.includes('"redis"'),
    );
  });

  it('delivers synchronously, the same object to every subscriber, in subscription order', () => {
    const bus = new MemoryBus();
    const calls: [string, Payload][] = [];
    bus.subscribe('md.>', (payload) => calls.push(['md.>', payload]));
    bus.subscribe('md.trade.SIM.BTCUSDT', (payload) => calls.push(['exact', payload]));
    bus.subscribe('md.trade.SIM.*', (payload) => calls.push(['star', payload]));
    bus.subscribe('md.trade.SIM.BTCUSDT', (payload) => calls.push(['exact2', payload]));
    const tick = new Uint8Array(64);
    bus.publish('md.trade.SIM.BTCUSDT', tick);
    assert.deepEqual(
      calls.map(([who]) => who),
      ['md.>', 'exact', 'star', 'exact2'],
    );
    for (const [, payload] of calls) assert.equal(payload, tick, 'no copies: the very same object');
  });

  describe('resolved-list cache', () => {
    it('caches one entry per published topic and serves later subscriptions correctly', () => {
      const bus = new MemoryBus();
      const got: string[] = [];
      bus.subscribe('md.trade.SIM.BTCUSDT', () => got.push('exact'));
      bus.publish('md.trade.SIM.BTCUSDT', 1);
      bus.publish('md.trade.SIM.ETHUSDT', 1);
      assert.equal(bus.stats().cachedTopics, 2);

      // An exact subscription drops only its own topic's entry.
      bus.subscribe('md.trade.SIM.ETHUSDT', () => got.push('eth'));
      assert.equal(bus.stats().cachedTopics, 1);
      bus.publish('md.trade.SIM.ETHUSDT', 1);
      assert.deepEqual(got, ['exact', 'eth']);

      // A pattern subscription may affect any topic: the whole cache goes.
      const offPattern = bus.subscribe('md.trade.*.*', () => got.push('pattern'));
      assert.equal(bus.stats().cachedTopics, 0);
      bus.publish('md.trade.SIM.BTCUSDT', 1);
      assert.deepEqual(got, ['exact', 'eth', 'exact', 'pattern']);

      offPattern();
      bus.publish('md.trade.SIM.BTCUSDT', 1);
      assert.deepEqual(got, ['exact', 'eth', 'exact', 'pattern', 'exact']);
    });

    it('stays bounded when topics churn', () => {
      const bus = new MemoryBus();
      let received = 0;
      bus.subscribe('churn.>', () => received++);
      const total = RESOLVED_CACHE_LIMIT + 10;
      for (let i = 0; i < total; i++) bus.publish(`churn.t${i}`, i);
      assert.equal(received, total);
      assert.ok(bus.stats().cachedTopics <= RESOLVED_CACHE_LIMIT, `cache holds ${bus.stats().cachedTopics}`);
      assert.ok(bus.stats().cachedTopics > 0);
    });
  });

  describe('changes during delivery', () => {
    it('a handler that unsubscribes a later one: the later one is not called, even for this message', () => {
      const bus = new MemoryBus();
      const got: string[] = [];
      let offB: () => void = () => {};
      bus.subscribe('t', () => {
        got.push('a');
        offB();
      });
      offB = bus.subscribe('t', () => got.push('b'));
      bus.subscribe('t', () => got.push('c'));
      bus.publish('t', 1);
      bus.publish('t', 2);
      assert.deepEqual(got, ['a', 'c', 'a', 'c']);
    });

    it('a handler that unsubscribes itself finishes, and the rest still get the message', () => {
      const bus = new MemoryBus();
      const got: string[] = [];
      const off = bus.subscribe('t.*', () => {
        got.push('once');
        off();
      });
      bus.subscribe('t.x', () => got.push('other'));
      bus.publish('t.x', 1);
      bus.publish('t.x', 2);
      assert.deepEqual(got, ['once', 'other', 'other']);
      assert.equal(bus.stats().subscriptions, 1);
    });

    it('a subscription made during delivery gets the next message, not the current one', () => {
      const bus = new MemoryBus();
      const got: string[] = [];
      let added = false;
      bus.subscribe('t', (payload) => {
        got.push(`first:${payload}`);
        if (!added) {
          added = true;
          bus.subscribe('t', (p) => got.push(`late:${p}`));
          bus.subscribe('>', (p) => got.push(`latePattern:${p}`));
        }
      });
      bus.publish('t', 1);
      bus.publish('t', 2);
      assert.deepEqual(got, ['first:1', 'first:2', 'late:2', 'latePattern:2']);
    });

    it('a publish from inside a handler is delivered after the current message, keeping order', () => {
      const bus = new MemoryBus();
      const seenByLast: Payload[] = [];
      let nestedReturned = false;
      bus.subscribe('t', (payload) => {
        if (payload === 1) {
          bus.publish('t', 2);
          nestedReturned = true;
        }
      });
      bus.subscribe('t', (payload) => seenByLast.push(payload));
      bus.publish('t', 1);
      assert.ok(nestedReturned);
      assert.deepEqual(seenByLast, [1, 2], 'the later subscriber must see 1 before 2');
      assert.equal(bus.stats().published, 2);
      assert.equal(bus.stats().delivered, 4);
    });

    it('a nested publish with a bad topic throws to the nested caller, not to the outer publisher', () => {
      const bus = new MemoryBus();
      let nestedError: unknown;
      bus.subscribe('t', () => {
        try {
          bus.publish('bad..topic', 1);
        } catch (error) {
          nestedError = error;
        }
      });
      bus.publish('t', 1);
      assert.ok(isTickwireError(nestedError, 'BAD_TOPIC'));
    });

    it('closing the bus from a handler stops delivery to the remaining handlers', () => {
      const bus = new MemoryBus();
      const got: string[] = [];
      bus.subscribe('t', () => {
        got.push('closer');
        void bus.close();
      });
      bus.subscribe('t', () => got.push('after'));
      bus.publish('t', 1);
      assert.deepEqual(got, ['closer']);
    });
  });

  it('handles 10,000 subscriptions: each message reaches exactly its subscribers', () => {
    const bus = new MemoryBus();
    const symbols = Array.from({ length: 2500 }, (_, i) => `S${i}`);
    const received = new Map<string, string[]>();
    const record = (name: string): Handler => {
      received.set(name, []);
      return (_payload, topic) => received.get(name)!.push(topic);
    };
    const offs: (() => void)[] = [];
    for (const symbol of symbols) {
      offs.push(bus.subscribe(`md.trade.SIM.${symbol}`, record(`trade:${symbol}`)));
      offs.push(bus.subscribe(`md.quote.SIM.${symbol}`, record(`quote:${symbol}`)));
      offs.push(bus.subscribe(`md.*.SIM.${symbol}`, record(`any:${symbol}`)));
      offs.push(bus.subscribe(`md.book.${symbol}.>`, record(`book:${symbol}`)));
    }
    assert.equal(bus.stats().subscriptions, 10_000);
    assert.equal(bus.stats().patterns, 5_000);
    for (const symbol of symbols) {
      bus.publish(`md.trade.SIM.${symbol}`, 1);
      bus.publish(`md.book.${symbol}.L2`, 1);
    }
    for (const symbol of symbols) {
      assert.deepEqual(received.get(`trade:${symbol}`), [`md.trade.SIM.${symbol}`]);
      assert.deepEqual(received.get(`quote:${symbol}`), []);
      assert.deepEqual(received.get(`any:${symbol}`), [`md.trade.SIM.${symbol}`]);
      assert.deepEqual(received.get(`book:${symbol}`), [`md.book.${symbol}.L2`]);
    }
    assert.equal(bus.stats().delivered, 7_500);
    for (const off of offs) off();
    assert.equal(bus.stats().subscriptions, 0);
    assert.equal(bus.stats().patterns, 0);
    bus.publish('md.trade.SIM.S1', 1);
    assert.equal(bus.stats().delivered, 7_500);
  });

  it('agrees with a naive scan-everything bus on random subscribe/unsubscribe/publish sequences', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const topicArb = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
    const patternArb = fc
      .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 0, maxLength: 4 }), fc.boolean())
      .filter(([elements, tail]) => elements.length > 0 || tail)
      .map(([elements, tail]) => (tail ? [...elements, '>'] : elements).join('.'));
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('subscribe' as const), pattern: patternArb }),
      fc.record({ kind: fc.constant('unsubscribe' as const), index: fc.nat() }),
      fc.record({ kind: fc.constant('publish' as const), topic: topicArb }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const bus = new MemoryBus();
        const model: { id: number; pattern: string; off: () => void; live: boolean }[] = [];
        const actual: string[] = [];
        const expected: string[] = [];
        let message = 0;
        for (const op of operations) {
          if (op.kind === 'subscribe') {
            const id = model.length;
            const off = bus.subscribe(op.pattern, (payload, topic) =>
              actual.push(`${id}<-${payload}@${topic}`),
            );
            model.push({ id, pattern: op.pattern, off, live: true });
          } else if (op.kind === 'unsubscribe') {
            const entry = model[op.index % Math.max(1, model.length)];
            if (entry === undefined) continue;
            entry.off();
            entry.live = false;
          } else {
            message++;
            for (const entry of model) {
              if (entry.live && topicMatches(entry.pattern, op.topic))
                expected.push(`${entry.id}<-${message}@${op.topic}`);
            }
            bus.publish(op.topic, message);
          }
        }
        assert.deepEqual(actual, expected);
        assert.equal(bus.stats().subscriptions, model.filter((entry) => entry.live).length);
      }),
      { numRuns: 2000 },
    );
  });
});
