import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUS_SCHEMES, createBus, MemoryBus, parseBusSpec, topicMatches } from '../../src/bus/index.ts';
import {
  decodeEnvelope,
  decodePayload,
  encodeEnvelope,
  ENVELOPE_MAGIC,
  HEADER_BYTES,
  isDecline,
  MalformedEnvelope,
  newNodeId,
  originHexOf,
  ROLES,
  sequenceOf,
} from '../../src/bus/broker/envelope.ts';
import { DUPLICATE, InboundTracker } from '../../src/bus/broker/inbound-tracker.ts';
import { brokerNames, redisGlob, redisGlobMatches } from '../../src/bus/broker/naming.ts';
import { PendingPublishes } from '../../src/bus/broker/pending-publishes.ts';
import { isTickwireError } from '../../src/errors.ts';

describe('envelope', () => {
  const node = newNodeId();

  it('lays out the 16-byte header byte by byte, then the ticks unchanged', () => {
    const ticks = new Uint8Array(128).map((_, i) => i);
    const bytes = encodeEnvelope(ROLES.data, ticks, node, 0x01020304, 't');
    assert.equal(bytes.length, HEADER_BYTES + 128);
    assert.deepEqual([...bytes.subarray(0, 4)], [ENVELOPE_MAGIC, 1, 1, 0]);
    assert.deepEqual([...bytes.subarray(4, 12)], [...node.bytes]);
    assert.deepEqual([...bytes.subarray(12, 16)], [4, 3, 2, 1], 'sequence is little-endian');
    assert.deepEqual([...bytes.subarray(16)], [...ticks]);
    assert.equal(originHexOf(bytes), node.hex);
    assert.equal(sequenceOf(bytes), 0x01020304);
  });

  it('round-trips ticks as an aligned copy and JSON as an equal value', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc
            .integer({ min: 1, max: 4 })
            .chain((n) => fc.uint8Array({ minLength: n * 64, maxLength: n * 64 })),
          fc.jsonValue(),
        ),
        fc.nat({ max: 0xffffffff }),
        (payload, sequence) => {
          const decoded = decodeEnvelope(encodeEnvelope(ROLES.reply, payload as never, node, sequence, 't'));
          assert.equal(decoded.role, ROLES.reply);
          assert.equal(decoded.sequence, sequence);
          assert.equal(decoded.originLow, node.low);
          assert.equal(decoded.originHigh, node.high);
          const value = decodePayload(decoded);
          if (payload instanceof Uint8Array) {
            assert.ok(value instanceof Uint8Array && value.byteOffset === 0);
            assert.deepEqual([...value], [...payload]);
          } else {
            assert.deepEqual(value, JSON.parse(JSON.stringify(payload)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects what is not an envelope', () => {
    const good = encodeEnvelope(ROLES.data, { a: 1 }, node, 1, 't');
    const cases: Uint8Array[] = [
      good.subarray(0, 15),
      Buffer.from('hello world, this is text'),
      Buffer.concat([Buffer.from([ENVELOPE_MAGIC, 2]), good.subarray(2)]),
      Buffer.concat([good.subarray(0, 2), Buffer.from([3]), good.subarray(3)]),
      Buffer.concat([good.subarray(0, 3), Buffer.from([9]), good.subarray(4)]),
    ];
    for (const bytes of cases) assert.throws(() => decodeEnvelope(bytes), MalformedEnvelope);
    const notTicks = encodeEnvelope(ROLES.data, new Uint8Array(64), node, 1, 't').subarray(0, 16 + 63);
    assert.throws(() => decodePayload(decodeEnvelope(notTicks)), MalformedEnvelope);
  });

  it('a nested value JSON cannot carry is BAD_PAYLOAD', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.throws(
      () => encodeEnvelope(ROLES.data, cyclic as never, node, 1, 'x.y'),
      (error) => isTickwireError(error, 'BAD_PAYLOAD') && error.message.includes('"x.y"'),
    );
    assert.throws(
      () => encodeEnvelope(ROLES.data, { n: 1n } as never, node, 1, 'x'),
      (error) => isTickwireError(error, 'BAD_PAYLOAD'),
    );
  });

  it('recognises a decline', () => {
    assert.ok(isDecline(encodeEnvelope(ROLES.decline, null, node, 5, 't')));
    assert.ok(!isDecline(encodeEnvelope(ROLES.reply, null, node, 5, 't')));
  });
});

describe('inbound tracker', () => {
  it('tells in-order, repeated, older and gapped messages apart per (origin, topic)', () => {
    const tracker = new InboundTracker();
    assert.equal(tracker.accept(1, 2, 'a', 10), 0, 'first sight starts tracking');
    assert.equal(tracker.accept(1, 2, 'a', 11), 0);
    assert.equal(tracker.accept(1, 2, 'a', 11), DUPLICATE);
    assert.equal(tracker.accept(1, 2, 'a', 9), DUPLICATE, 'an older copy');
    assert.equal(tracker.accept(1, 2, 'a', 15), 3, 'three missed');
    assert.equal(tracker.accept(1, 3, 'a', 1), 0, 'another origin with the same low half');
    assert.equal(tracker.accept(1, 2, 'b', 100), 0, 'another topic');
    assert.equal(tracker.accept(1, 2, 'a', 16), 0, 'the repeat did not move the mark');
  });

  it('wraps around 2^32 without a gap', () => {
    const tracker = new InboundTracker();
    tracker.accept(1, 1, 'a', 0xffffffff);
    assert.equal(tracker.accept(1, 1, 'a', 0), 0);
    assert.equal(tracker.accept(1, 1, 'a', 2), 1);
  });

  it('forgets the topics a new subscription covers, so a lapse is not a gap', () => {
    const tracker = new InboundTracker();
    tracker.accept(1, 1, 'md.a', 1);
    tracker.accept(1, 1, 'fills.x', 1);
    tracker.forget((topic) => topicMatches('md.>', topic));
    assert.equal(tracker.size, 1);
    assert.equal(tracker.accept(1, 1, 'md.a', 50), 0);
    assert.equal(tracker.accept(1, 1, 'fills.x', 50), 48);
  });
});

describe('pending publishes', () => {
  it('keeps the newest `capacity` in order and says when it dropped the oldest', () => {
    const pending = new PendingPublishes(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => pending.push(`s${n}`, new Uint8Array([n])));
    assert.deepEqual(dropped, [false, false, false, true, true]);
    const sent: string[] = [];
    assert.equal(
      pending.drain((subject, envelope) => sent.push(`${subject}:${envelope[0]}`)),
      3,
    );
    assert.deepEqual(sent, ['s3:3', 's4:4', 's5:5']);
    assert.equal(pending.size, 0);
    assert.equal(new PendingPublishes(0).push('s', new Uint8Array(1)), true, 'capacity 0 keeps nothing');
  });
});

describe('broker names', () => {
  it('keeps data, market-data, request and reply namespaces apart', () => {
    const names = brokerNames('prod.tw');
    assert.deepEqual(names, {
      prefix: 'prod.tw',
      data: 'prod.tw.',
      marketData: 'prod.tw-md.',
      rpc: 'prod.tw-rpc.',
      reply: 'prod.tw-rpc-reply.',
    });
    const dataGlob = names.data + redisGlob('>');
    assert.ok(redisGlobMatches(dataGlob, 'prod.tw.fills.acc1'));
    assert.ok(!redisGlobMatches(dataGlob, 'prod.tw-md.md.trade'));
    assert.ok(!redisGlobMatches(dataGlob, 'prod.tw-rpc.md.trade'));
    assert.ok(!redisGlobMatches(names.marketData + redisGlob('>'), 'prod.tw.fills.acc1'));
    assert.ok(!redisGlobMatches(names.rpc + redisGlob('>'), 'prod.tw-rpc-reply.00ff'));
  });

  it('rejects prefixes that break the grammar or collide with another namespace', () => {
    for (const prefix of ['', 'a b', 'a.*', 'x-rpc', 'x-rpc-reply', 'x-md']) {
      assert.throws(
        () => brokerNames(prefix),
        (error) => isTickwireError(error, 'BAD_CONFIG'),
        prefix,
      );
    }
  });

  it('a Redis glob matches a superset of what its pattern matches', () => {
    const segment = fc.constantFrom('a', 'b', 'cc');
    const topic = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
    const pattern = fc
      .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([elements, tail]) => (tail ? [...elements, '>'] : elements).join('.'));
    fc.assert(
      fc.property(pattern, topic, (p, t) => {
        if (topicMatches(p, t)) assert.ok(redisGlobMatches(redisGlob(p), t), `${p} ${t}`);
      }),
      { numRuns: 2000 },
    );
    assert.equal(redisGlob('md.*.SIM.>'), 'md.*.SIM.*');
    assert.ok(redisGlobMatches('md.*.SIM', 'md.a.b.SIM'), 'the superset: * crosses dots');
  });
});

describe('bus spec', () => {
  it('accepts memory, redis, rediss and nats URLs', () => {
    assert.deepEqual(parseBusSpec('memory'), { kind: 'memory' });
    const redis = parseBusSpec('redis://:secret@cache.local:6380/2');
    assert.ok(redis.kind === 'redis');
    assert.equal(redis.port, 6380);
    assert.equal(redis.displayUrl, 'redis://cache.local:6380/2', 'no credentials in what is shown');
    assert.equal(redis.tls, false);
    const tls = parseBusSpec('rediss://cache.local');
    assert.ok(tls.kind === 'redis' && tls.tls && tls.port === 6379);
    const nats = parseBusSpec('nats://127.0.0.1');
    assert.ok(nats.kind === 'nats' && nats.port === 4222);
    assert.deepEqual(BUS_SCHEMES, ['memory', 'redis://', 'rediss://', 'nats://']);
  });

  it('rejects anything else with BAD_CONFIG quoting it', () => {
    for (const spec of [
      'redis',
      'nats',
      'kafka://x:1',
      'http://x',
      'redis://',
      'nats://h:1/path',
      'redis://h/abc',
      'redis://h?x=1',
      '',
    ]) {
      assert.throws(
        () => parseBusSpec(spec),
        (error) => isTickwireError(error, 'BAD_CONFIG') && error.message.includes(JSON.stringify(spec)),
        spec,
      );
    }
  });

  it('createBus builds the memory bus, and checks broker options before connecting', () => {
    const memory = createBus('memory');
    assert.ok(memory instanceof MemoryBus);
    assert.deepEqual(memory.health().state, 'connected');
    assert.throws(
      () => createBus('redis://127.0.0.1:1', { maxPendingPublishes: -1 }),
      (error) => isTickwireError(error, 'BAD_CONFIG') && error.message.includes('maxPendingPublishes'),
    );
    assert.throws(
      () => createBus('nats://127.0.0.1:1', { prefix: 'bad prefix' }),
      (error) => isTickwireError(error, 'BAD_CONFIG') && error.message.includes('"bad prefix"'),
    );
  });
});
