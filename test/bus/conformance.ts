import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusOptions, Handler, MessageBus, Payload } from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';

/**
 * The MessageBus contract as tests, run against every implementation (memory now, Redis and NATS
 * later) so they cannot drift apart. Nothing here assumes synchronous delivery: every positive
 * check waits for the message, and every "nothing arrived" check waits for a sentinel that was
 * published after the message and travels the same topic, so per-topic ordering proves the
 * absence.
 */
export function runBusConformance(name: string, factory: (options: BusOptions) => Promise<MessageBus>): void {
  async function withBus(body: (bus: MessageBus) => Promise<void>, options: BusOptions = {}): Promise<void> {
    const bus = await factory(options);
    try {
      await body(bus);
    } finally {
      await bus.close();
    }
  }

  describe(`MessageBus conformance: ${name}`, () => {
    describe('delivery', () => {
      it('delivers to an exact subscription with the concrete topic', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.trade.SIM.BTCUSDT', got.handler);
          bus.publish('md.trade.SIM.BTCUSDT', { price: 1 });
          await waitFor(() => got.messages.length === 1);
          assert.deepEqual(got.messages, [{ topic: 'md.trade.SIM.BTCUSDT', payload: { price: 1 } }]);
        }));

      it('does not deliver to other exact topics', () =>
        withBus(async (bus) => {
          const other = recorder();
          const sentinel = recorder();
          bus.subscribe('md.trade.SIM.ETHUSDT', other.handler);
          bus.subscribe('md.trade.SIM.BTCUSDT', sentinel.handler);
          bus.publish('md.trade.SIM.BTCUSDT', 1);
          await waitFor(() => sentinel.messages.length === 1);
          assert.equal(other.messages.length, 0);
        }));

      it('`*` matches exactly one segment, never zero or two', () =>
        withBus(async (bus) => {
          const star = recorder();
          const sentinel = recorder();
          bus.subscribe('md.*.SIM', star.handler);
          bus.subscribe('md.>', sentinel.handler);
          bus.publish('md.trade.SIM', 'one');
          bus.publish('md.SIM', 'zero');
          bus.publish('md.trade.x.SIM', 'two');
          bus.publish('md.trade.SIM.BTCUSDT', 'longer');
          await waitFor(() => sentinel.messages.length === 4);
          assert.deepEqual(star.payloads(), ['one']);
        }));

      it('`>` matches one or more trailing segments, never zero', () =>
        withBus(async (bus) => {
          const tail = recorder();
          const sentinel = recorder();
          bus.subscribe('md.trade.>', tail.handler);
          bus.subscribe('>', sentinel.handler);
          bus.publish('md.trade', 'zero');
          bus.publish('md.trade.SIM', 'one');
          bus.publish('md.trade.SIM.BTCUSDT', 'two');
          bus.publish('md.quote.SIM.BTCUSDT', 'other');
          await waitFor(() => sentinel.messages.length === 4);
          assert.deepEqual(tail.payloads(), ['one', 'two']);
          assert.deepEqual(tail.topics(), ['md.trade.SIM', 'md.trade.SIM.BTCUSDT']);
        }));

      it('delivers once per matching subscription when exact and patterns overlap', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.trade.SIM.BTCUSDT', got.handler);
          bus.subscribe('md.trade.SIM.*', got.handler);
          bus.subscribe('md.*.SIM.BTCUSDT', got.handler);
          bus.subscribe('md.>', got.handler);
          bus.subscribe('md.trade.SIM.ETHUSDT', got.handler);
          bus.publish('md.trade.SIM.BTCUSDT', 7);
          await waitFor(() => got.messages.length >= 4);
          await settle();
          assert.deepEqual(got.payloads(), [7, 7, 7, 7]);
        }));

      it('gives every handler of one message the same messageId, and each new message a higher one', () =>
        withBus(async (bus) => {
          const ids: { handler: string; topic: string; id: number }[] = [];
          bus.subscribe('orders.acc-1', (_payload, topic, id) => ids.push({ handler: 'exact', topic, id }));
          bus.subscribe('orders.*', (_payload, topic, id) => ids.push({ handler: 'pattern', topic, id }));
          const same = { status: 'new' };
          bus.publish('orders.acc-1', same);
          bus.publish('orders.acc-1', same);
          bus.publish('orders.acc-2', 3);
          await waitFor(() => ids.length === 5);
          const perId = new Map<number, string[]>();
          for (const { handler, id } of ids) perId.set(id, [...(perId.get(id) ?? []), handler]);
          assert.equal(
            perId.size,
            3,
            'one id per message: the same payload published again is another message',
          );
          assert.deepEqual(
            [...perId.values()].map((handlers) => handlers.sort().join('+')),
            ['exact+pattern', 'exact+pattern', 'pattern'],
          );
          const exactIds = ids.filter((entry) => entry.handler === 'exact').map((entry) => entry.id);
          assert.ok(exactIds[1]! > exactIds[0]!, 'ids increase');
        }));

      it('subscribing the same handler twice gives two subscriptions', () =>
        withBus(async (bus) => {
          const got = recorder();
          const first = bus.subscribe('bots.bot_7', got.handler);
          bus.subscribe('bots.bot_7', got.handler);
          bus.publish('bots.bot_7', 'a');
          await waitFor(() => got.messages.length === 2);
          first();
          bus.publish('bots.bot_7', 'b');
          await waitFor(() => got.messages.length === 3);
          assert.deepEqual(got.payloads(), ['a', 'a', 'b']);
        }));

      it('publishing with no subscriber is fine and counted as published', () =>
        withBus(async (bus) => {
          bus.publish('alerts.performance', { level: 'warn' });
          assert.equal(bus.stats().published, 1);
          assert.equal(bus.stats().delivered, 0);
        }));
    });

    describe('unsubscribe', () => {
      it('stops delivery, exact and pattern', () =>
        withBus(async (bus) => {
          const exact = recorder();
          const pattern = recorder();
          const sentinel = recorder();
          const offExact = bus.subscribe('orders.acc-1', exact.handler);
          const offPattern = bus.subscribe('orders.*', pattern.handler);
          bus.subscribe('orders.acc-1', sentinel.handler);
          bus.publish('orders.acc-1', 1);
          await waitFor(() => sentinel.messages.length === 1);
          offExact();
          offPattern();
          bus.publish('orders.acc-1', 2);
          await waitFor(() => sentinel.messages.length === 2);
          assert.deepEqual(exact.payloads(), [1]);
          assert.deepEqual(pattern.payloads(), [1]);
          assert.equal(bus.stats().subscriptions, 1);
          assert.equal(bus.stats().patterns, 0);
        }));

      it('is idempotent: a second call does not remove another subscription of the same handler', () =>
        withBus(async (bus) => {
          const got = recorder();
          const first = bus.subscribe('fills.*', got.handler);
          bus.subscribe('fills.*', got.handler);
          first();
          first();
          assert.equal(bus.stats().subscriptions, 1);
          bus.publish('fills.acc-1', 'x');
          await waitFor(() => got.messages.length === 1);
          await settle();
          assert.equal(got.messages.length, 1);
        }));
    });

    describe('payloads', () => {
      it('delivers a binary tick intact and still binary', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.trade.SIM.BTCUSDT', got.handler);
          const tick = bytes(64, 3);
          bus.publish('md.trade.SIM.BTCUSDT', tick);
          await waitFor(() => got.messages.length === 1);
          const received = got.messages[0]!.payload;
          assert.ok(received instanceof Uint8Array, 'binary payload must arrive as a Uint8Array');
          assert.deepEqual([...received], [...tick]);
        }));

      it('delivers several ticks back to back, including a view into a larger buffer', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.book.SIM.>', got.handler);
          const batch = bytes(192, 11);
          const backing = bytes(512, 5);
          const view = backing.subarray(64, 192);
          bus.publish('md.book.SIM.BTCUSDT', batch);
          bus.publish('md.book.SIM.ETHUSDT', view);
          await waitFor(() => got.messages.length === 2);
          const [first, second] = got.messages.map((message) => message.payload);
          assert.ok(first instanceof Uint8Array && second instanceof Uint8Array);
          assert.deepEqual([...first], [...batch]);
          assert.deepEqual([...second], [...view]);
        }));

      it('delivers JSON values intact', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('monitor.*', got.handler);
          const values: Payload[] = [
            { cpu: 0.25, cores: [1, 2], host: 'a', ok: true, note: null, nested: { deep: [{ x: -1.5 }] } },
            [1, 'two', false, null],
            'text with "quotes" and ünïcode',
            0,
            -12.75,
            true,
            null,
          ];
          for (const value of values) bus.publish('monitor.hardware', value);
          await waitFor(() => got.messages.length === values.length);
          assert.deepEqual(got.payloads(), values);
        }));

      it('rejects binary payloads that are not whole ticks, and values JSON cannot carry', () =>
        withBus(async (bus) => {
          const bad: unknown[] = [
            new Uint8Array(0),
            new Uint8Array(63),
            new Uint8Array(65),
            new Float64Array(8),
            Number.NaN,
            Number.POSITIVE_INFINITY,
            undefined,
            () => 1,
            10n,
            Symbol('s'),
          ];
          for (const payload of bad) {
            assert.throws(
              () => bus.publish('md.trade.SIM.BTCUSDT', payload as Payload),
              (error) => isTickwireError(error, 'BAD_PAYLOAD'),
              `payload ${String(payload)} should be rejected`,
            );
          }
          assert.equal(bus.stats().published, 0);
        }));
    });

    describe('ordering', () => {
      it('one publisher, one topic: 1000 messages arrive in publish order', () =>
        withBus(async (bus) => {
          const exact = recorder();
          const pattern = recorder();
          bus.subscribe('md.quote.SIM.BTCUSDT', exact.handler);
          bus.subscribe('md.quote.>', pattern.handler);
          const sent = Array.from({ length: 1000 }, (_, i) => i);
          for (const n of sent) bus.publish('md.quote.SIM.BTCUSDT', n);
          await waitFor(() => exact.messages.length === 1000 && pattern.messages.length === 1000);
          assert.deepEqual(exact.payloads(), sent);
          assert.deepEqual(pattern.payloads(), sent);
        }));

      it('binary ticks keep their order and content', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.trade.SIM.*', got.handler);
          for (let i = 0; i < 1000; i++) bus.publish('md.trade.SIM.BTCUSDT', bytes(64, i));
          await waitFor(() => got.messages.length === 1000);
          got.messages.forEach((message, i) => {
            assert.ok(message.payload instanceof Uint8Array);
            assert.equal(message.payload[0], i & 0xff, `tick ${i} out of order`);
            assert.equal(message.payload[63], (i + 63) & 0xff, `tick ${i} changed`);
          });
        }));
    });

    describe('handler errors', () => {
      it('a throwing handler does not stop the others, does not throw out of publish, and is counted', () => {
        const reported: { error: unknown; topic: string }[] = [];
        return withBus(
          async (bus) => {
            const before = recorder();
            const after = recorder();
            bus.subscribe('bots.bot_1', before.handler);
            bus.subscribe('bots.*', () => {
              throw new Error('handler failed on purpose');
            });
            bus.subscribe('bots.bot_1', after.handler);
            bus.publish('bots.bot_1', 1);
            bus.publish('bots.bot_1', 2);
            await waitFor(() => after.messages.length === 2);
            await waitFor(() => reported.length === 2);
            assert.deepEqual(before.payloads(), [1, 2]);
            assert.deepEqual(after.payloads(), [1, 2]);
            assert.equal(bus.stats().handlerErrors, 2);
            assert.equal(reported[0]!.topic, 'bots.bot_1');
            assert.match(String(reported[0]!.error), /handler failed on purpose/);
          },
          { onHandlerError: (error, topic) => reported.push({ error, topic }) },
        );
      });

      it('a throwing onHandlerError hook does not reach the publisher either', () =>
        withBus(
          async (bus) => {
            const after = recorder();
            bus.subscribe('bots.bot_2', () => {
              throw new Error('handler');
            });
            bus.subscribe('bots.bot_2', after.handler);
            bus.publish('bots.bot_2', 'x');
            await waitFor(() => after.messages.length === 1);
            assert.equal(bus.stats().handlerErrors, 1);
          },
          {
            onHandlerError: () => {
              throw new Error('hook');
            },
          },
        ));
    });

    describe('topics', () => {
      const badTopics = [
        '',
        '.a',
        'a.',
        'a..b',
        'a b',
        'a/b',
        'a.*',
        'a.>',
        '*',
        'a*',
        'md.trade.SIM.BTC USDT',
      ];
      const badPatterns = ['', '.a', 'a.', 'a..b', 'a.>.b', '>.a', 'a*', 'a.b*', '**', '>>', 'a.é'];

      for (const topic of badTopics) {
        it(`publish rejects ${JSON.stringify(topic)} with BAD_TOPIC quoting it`, () =>
          withBus(async (bus) => {
            assert.throws(
              () => bus.publish(topic, 1),
              (error) => isTickwireError(error, 'BAD_TOPIC') && error.message.includes(JSON.stringify(topic)),
            );
          }));
      }

      for (const pattern of badPatterns) {
        it(`subscribe and respond reject ${JSON.stringify(pattern)} with BAD_TOPIC quoting it`, () =>
          withBus(async (bus) => {
            const check = (error: unknown) =>
              isTickwireError(error, 'BAD_TOPIC') && error.message.includes(JSON.stringify(pattern));
            assert.throws(() => bus.subscribe(pattern, () => {}), check);
            assert.throws(() => bus.respond(pattern, () => null), check);
            assert.equal(bus.stats().subscriptions, 0);
          }));
      }

      it('rejects topics over 16 segments or 256 characters', () =>
        withBus(async (bus) => {
          const deep = Array.from({ length: 17 }, () => 'a').join('.');
          const long = 'a'.repeat(257);
          assert.throws(
            () => bus.publish(deep, 1),
            (error) => isTickwireError(error, 'BAD_TOPIC'),
          );
          assert.throws(
            () => bus.publish(long, 1),
            (error) => isTickwireError(error, 'BAD_TOPIC'),
          );
          bus.publish(Array.from({ length: 16 }, () => 'a').join('.'), 1);
          bus.publish('a'.repeat(256), 1);
        }));

      it('a topic rejected once is rejected every time', () =>
        withBus(async (bus) => {
          for (let i = 0; i < 3; i++) {
            assert.throws(
              () => bus.publish('a..b', 1),
              (error) => isTickwireError(error, 'BAD_TOPIC'),
            );
          }
        }));
    });

    describe('request/reply', () => {
      it('returns the reply of a synchronous or asynchronous responder', () =>
        withBus(async (bus) => {
          bus.respond('bots.bot_1', (payload) => ({ echo: payload as number }));
          bus.respond('bots.bot_2', async (payload) => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            return bytes(64, payload as number);
          });
          assert.deepEqual(await bus.request('bots.bot_1', 41), { echo: 41 });
          const binary = await bus.request('bots.bot_2', 9);
          assert.ok(binary instanceof Uint8Array);
          assert.deepEqual([...binary], [...bytes(64, 9)]);
        }));

      it('a responder may use a pattern and receives the concrete topic', () =>
        withBus(async (bus) => {
          bus.respond('bots.*', (_payload, topic) => topic);
          assert.equal(await bus.request('bots.bot_9', null), 'bots.bot_9');
        }));

      it('requests reach responders only, and publishes never reach responders', () =>
        withBus(async (bus) => {
          const subscriber = recorder();
          const asked: Payload[] = [];
          bus.subscribe('bots.bot_1', subscriber.handler);
          bus.respond('bots.bot_1', (payload) => {
            asked.push(payload);
            return 'ok';
          });
          assert.equal(await bus.request('bots.bot_1', 'question'), 'ok');
          bus.publish('bots.bot_1', 'event');
          await waitFor(() => subscriber.messages.length === 1);
          await settle();
          assert.deepEqual(subscriber.payloads(), ['event']);
          assert.deepEqual(asked, ['question']);
        }));

      it('rejects with NO_RESPONDER when nobody answers, including after the responder is removed', () =>
        withBus(async (bus) => {
          await assert.rejects(bus.request('bots.bot_1', 1), (error) =>
            isTickwireError(error, 'NO_RESPONDER'),
          );
          const off = bus.respond('bots.bot_1', () => 2);
          assert.equal(await bus.request('bots.bot_1', 1), 2);
          off();
          off();
          await assert.rejects(bus.request('bots.bot_1', 1), (error) =>
            isTickwireError(error, 'NO_RESPONDER'),
          );
          assert.equal(bus.stats().responders, 0);
        }));

      it('rejects with REQUEST_TIMEOUT when the responder is slower than timeoutMs', () =>
        withBus(async (bus) => {
          let release: (() => void) | undefined;
          bus.respond(
            'bots.slow',
            () =>
              new Promise<Payload>((resolve) => {
                release = () => resolve('late');
              }),
          );
          await assert.rejects(
            bus.request('bots.slow', 1, { timeoutMs: 20 }),
            (error) => isTickwireError(error, 'REQUEST_TIMEOUT') && error.message.includes('bots.slow'),
          );
          assert.equal(bus.stats().pendingRequests, 0);
          release?.();
        }));

      it('rejects with RESPONDER_FAILED when the responder throws or rejects, and counts it', () =>
        withBus(async (bus) => {
          bus.respond('bots.throws', () => {
            throw new Error('boom');
          });
          bus.respond('bots.rejects', () => Promise.reject(new Error('bang')));
          await assert.rejects(
            bus.request('bots.throws', 1),
            (error) => isTickwireError(error, 'RESPONDER_FAILED') && error.message.includes('boom'),
          );
          await assert.rejects(
            bus.request('bots.rejects', 1),
            (error) => isTickwireError(error, 'RESPONDER_FAILED') && error.message.includes('bang'),
          );
          assert.equal(bus.stats().handlerErrors, 2);
        }));

      it('rejects bad request topics, payloads and timeouts instead of throwing', () =>
        withBus(async (bus) => {
          bus.respond('>', () => 1);
          const badTopic = bus.request('bots.*', 1);
          await assert.rejects(badTopic, (error) => isTickwireError(error, 'BAD_TOPIC'));
          await assert.rejects(bus.request('bots.a', new Uint8Array(10)), (error) =>
            isTickwireError(error, 'BAD_PAYLOAD'),
          );
          await assert.rejects(bus.request('bots.a', 1, { timeoutMs: 0 }), (error) =>
            isTickwireError(error, 'BAD_CONFIG'),
          );
        }));
    });

    describe('close', () => {
      it('after close every operation fails with BUS_CLOSED and no handler runs', async () => {
        const bus = await factory({});
        const got = recorder();
        const off = bus.subscribe('md.>', got.handler);
        await bus.close();
        await bus.close();
        const closed = (error: unknown) => isTickwireError(error, 'BUS_CLOSED');
        assert.throws(() => bus.publish('md.trade.SIM.BTCUSDT', 1), closed);
        assert.throws(() => bus.subscribe('md.>', got.handler), closed);
        assert.throws(() => bus.respond('md.>', () => 1), closed);
        await assert.rejects(bus.request('md.trade.SIM.BTCUSDT', 1), closed);
        off();
        assert.equal(got.messages.length, 0);
        assert.equal(bus.stats().subscriptions, 0);
      });

      it('rejects pending requests with BUS_CLOSED', async () => {
        const bus = await factory({});
        bus.respond('bots.never', () => new Promise<Payload>(() => {}));
        const pending = bus.request('bots.never', 1, { timeoutMs: 60_000 });
        await waitFor(() => bus.stats().pendingRequests === 1);
        await bus.close();
        await assert.rejects(pending, (error) => isTickwireError(error, 'BUS_CLOSED'));
      });
    });

    describe('stats', () => {
      it('counts published, delivered, subscriptions and patterns', () =>
        withBus(async (bus) => {
          const got = recorder();
          bus.subscribe('md.trade.SIM.BTCUSDT', got.handler);
          bus.subscribe('md.trade.SIM.*', got.handler);
          bus.subscribe('md.>', got.handler);
          bus.publish('md.trade.SIM.BTCUSDT', 1);
          bus.publish('md.quote.SIM.BTCUSDT', 2);
          await waitFor(() => got.messages.length === 4);
          const stats = bus.stats();
          assert.equal(stats.published, 2);
          assert.equal(stats.delivered, 4);
          assert.equal(stats.subscriptions, 3);
          assert.equal(stats.patterns, 2);
          assert.equal(stats.handlerErrors, 0);
        }));
    });
  });
}

interface Received {
  topic: string;
  payload: Payload;
}

function recorder(): { handler: Handler; messages: Received[]; payloads(): Payload[]; topics(): string[] } {
  const messages: Received[] = [];
  return {
    messages,
    handler: (payload, topic) => {
      messages.push({ topic, payload });
    },
    payloads: () => messages.map((message) => message.payload),
    topics: () => messages.map((message) => message.topic),
  };
}

/** `length` bytes where byte i is (seed + i) & 0xff. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed + i) & 0xff;
  return out;
}

/**
 * Resolves once `predicate()` is true, polling every few milliseconds; rejects after `timeoutMs`.
 * For a synchronous bus the predicate already holds and this resolves at once.
 */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Gives an asynchronous bus a moment to deliver anything extra that should not come. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}
