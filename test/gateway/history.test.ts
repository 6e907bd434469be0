import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isTickwireError } from '../../src/errors.ts';
import {
  ENTRY_OVERHEAD_BYTES,
  type RecoveryResult,
  TopicHistory,
  type TopicHistoryOptions,
} from '../../src/gateway/history.ts';

/** Epochs e1, e2, ... so tests can name them. */
function counterEpochs(): () => string {
  let next = 0;
  return () => `e${++next}`;
}

function history(options: Partial<TopicHistoryOptions<string>> = {}): TopicHistory<string> {
  return new TopicHistory<string>({
    maxEntries: 100,
    maxAgeMs: 60_000,
    newEpoch: counterEpochs(),
    ...options,
  });
}

function recoveredOffsets(result: RecoveryResult<string>): number[] {
  assert.ok(result.recovered, `expected recovery, got ${JSON.stringify(result)}`);
  return result.entries.map((entry) => entry.offset);
}

function failure(result: RecoveryResult<string>): string {
  assert.ok(!result.recovered, `expected a failed recovery, got ${JSON.stringify(result)}`);
  return result.reason;
}

describe('TopicHistory', () => {
  it('numbers messages 1, 2, 3 per topic and returns those after a position, in order', () => {
    const h = history();
    assert.deepEqual(h.append('alerts', 'a', 0), { epoch: 'e1', offset: 1 });
    assert.deepEqual(h.append('alerts', 'b', 1), { epoch: 'e1', offset: 2 });
    assert.deepEqual(h.append('orders', 'x', 1), { epoch: 'e2', offset: 1 }, 'each topic has its own stream');
    assert.deepEqual(h.append('alerts', 'c', 2), { epoch: 'e1', offset: 3 });
    const result = h.since('alerts', { epoch: 'e1', offset: 1 }, 3);
    assert.ok(result.recovered);
    assert.deepEqual(
      result.entries.map((entry) => [entry.offset, entry.payload, entry.time]),
      [
        [2, 'b', 1],
        [3, 'c', 2],
      ],
    );
    assert.deepEqual(result.position, { epoch: 'e1', offset: 3 });
    assert.deepEqual(recoveredOffsets(h.since('alerts', { epoch: 'e1', offset: 0 }, 3)), [1, 2, 3]);
  });

  it('since the last offset recovers with no entries; an offset beyond it is future_offset', () => {
    const h = history();
    const fresh = h.position('trading');
    assert.deepEqual(fresh, { epoch: 'e1', offset: 0 }, 'position() creates the stream lazily');
    assert.deepEqual(recoveredOffsets(h.since('trading', fresh, 0)), []);
    h.append('trading', 'a', 0);
    h.append('trading', 'b', 0);
    assert.deepEqual(recoveredOffsets(h.since('trading', fresh, 0)), [1, 2]);
    assert.deepEqual(recoveredOffsets(h.since('trading', { epoch: 'e1', offset: 2 }, 0)), []);
    const future = h.since('trading', { epoch: 'e1', offset: 3 }, 0);
    assert.equal(failure(future), 'future_offset');
    assert.deepEqual(future.position, { epoch: 'e1', offset: 2 });
  });

  it('evicts beyond maxEntries: since the offset just evicted is not recovered, one later is', () => {
    const h = history({ maxEntries: 3 });
    for (let i = 1; i <= 5; i++) h.append('t', `m${i}`, 0);
    // Held: 3, 4, 5. A client at 2 needs 3.. (all held); a client at 1 needs 2, which is gone.
    assert.deepEqual(recoveredOffsets(h.since('t', { epoch: 'e1', offset: 2 }, 0)), [3, 4, 5]);
    assert.equal(failure(h.since('t', { epoch: 'e1', offset: 1 }, 0)), 'too_old');
    assert.equal(failure(h.since('t', { epoch: 'e1', offset: 0 }, 0)), 'too_old');
    assert.deepEqual(h.stats().evictions.size, 2);
    assert.equal(h.stats().entries, 3);
  });

  it('evicts entries older than maxAgeMs, lazily on read and on append', () => {
    const h = history({ maxAgeMs: 1000 });
    h.append('t', 'a', 0);
    h.append('t', 'b', 500);
    h.append('t', 'c', 1000);
    assert.deepEqual(
      recoveredOffsets(h.since('t', { epoch: 'e1', offset: 0 }, 1000)),
      [1, 2, 3],
      'age 1000 is kept',
    );
    assert.equal(failure(h.since('t', { epoch: 'e1', offset: 0 }, 1001)), 'too_old', 'age 1001 is not');
    assert.deepEqual(recoveredOffsets(h.since('t', { epoch: 'e1', offset: 1 }, 1001)), [2, 3]);
    assert.equal(h.stats().evictions.age, 1);
    h.append('t', 'd', 5000);
    assert.deepEqual(h.stats().entries, 1, 'the append evicted b and c');
    assert.equal(h.stats().evictions.age, 3);
    // Everything aged out: only a client already at the last offset recovers.
    assert.deepEqual(recoveredOffsets(h.since('t', { epoch: 'e1', offset: 4 }, 10_000)), []);
    assert.equal(failure(h.since('t', { epoch: 'e1', offset: 3 }, 10_000)), 'too_old');
    assert.equal(h.stats().entries, 0);
  });

  it('a position from another epoch (a server restart) is epoch_changed; an unknown topic says so', () => {
    const before = new TopicHistory<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    const seen = before.append('alerts', 'a', 0);
    assert.match(seen.epoch, /^[0-9a-f]{8}$/, 'default epochs are 8 random hex characters');
    const after = new TopicHistory<string>({ maxEntries: 10, maxAgeMs: 60_000 });
    after.append('alerts', 'a', 0);
    const result = after.since('alerts', seen, 0);
    assert.equal(failure(result), 'epoch_changed');
    assert.notEqual(result.position.epoch, seen.epoch);
    assert.deepEqual(result.position.offset, 1);

    const unknown = after.since('orders', { epoch: seen.epoch, offset: 0 }, 0);
    assert.equal(failure(unknown), 'unknown_topic');
    assert.deepEqual(
      after.position('orders'),
      unknown.position,
      'the stream now exists at the position given',
    );
  });

  it('a malformed offset is invalid_position', () => {
    const h = history();
    h.append('t', 'a', 0);
    for (const offset of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(failure(h.since('t', { epoch: 'e1', offset }, 0)), 'invalid_position');
    }
  });

  it('skip moves past messages the bus lost, so nobody recovers across the hole', () => {
    const h = history();
    h.append('orders.a', 'o1', 0);
    h.append('orders.a', 'o2', 0);
    const { epoch } = h.position('orders.a');
    h.skip('orders.a', 3);
    assert.deepEqual(h.position('orders.a'), { epoch, offset: 5 });
    assert.equal(
      failure(h.since('orders.a', { epoch, offset: 2 }, 0)),
      'too_old',
      'offsets 3-5 never arrived',
    );
    assert.deepEqual(h.append('orders.a', 'o6', 0), { epoch, offset: 6 });
    assert.deepEqual(recoveredOffsets(h.since('orders.a', { epoch, offset: 5 }, 0)), [6]);
    h.skip('never.seen', 2);
    assert.equal(h.stats().topics, 1, 'a topic with no stream gets none from a gap');
    assert.equal(h.stats().gaps, 1);
    assert.equal(h.stats().evictions.gap, 2);
  });

  it('keeps memory bounded across many topics by dropping the least recently used stream', () => {
    const h = history({ maxEntries: 5, maxTopics: 100 });
    const kept = h.append('kept', 'k', 0);
    for (let topic = 0; topic < 20_000; topic++) {
      for (let i = 0; i < 8; i++) h.append(`topic.${topic}`, `m${i}`, topic);
      // Touching 'kept' now and then keeps it recently used.
      if (topic % 50 === 0) assert.ok(h.since('kept', kept, topic).recovered);
    }
    const stats = h.stats();
    assert.equal(stats.topics, 100);
    assert.equal(stats.entries, 100 * 5 - 4, "99 full topics plus 'kept' with one entry");
    assert.equal(stats.topicsDropped, 20_000 - 99);
    assert.equal(stats.evictions.topic_limit, (20_000 - 99) * 5);
    assert.equal(stats.approximateBytes, 99 * 5 * (2 + ENTRY_OVERHEAD_BYTES) + (1 + ENTRY_OVERHEAD_BYTES));
    assert.deepEqual(recoveredOffsets(h.since('kept', kept, 20_000)), []);
    // A dropped topic comes back as a new stream with a new epoch, so old positions fail cleanly.
    const dropped = h.since('topic.0', { epoch: 'e2', offset: 8 }, 20_000);
    assert.equal(failure(dropped), 'unknown_topic');
    assert.notEqual(dropped.position.epoch, 'e2');
    assert.equal(dropped.position.offset, 0);
  });

  it('estimates bytes: byteLength for binary, JSON length otherwise, plus a per-entry overhead', () => {
    const h = new TopicHistory({ maxEntries: 2, maxAgeMs: 60_000 });
    h.append('md', new Uint8Array(64), 0);
    h.append('orders', { id: 'o1', qty: 5 }, 0);
    const json = JSON.stringify({ id: 'o1', qty: 5 }).length;
    assert.equal(h.stats().approximateBytes, 64 + json + 2 * ENTRY_OVERHEAD_BYTES);
    h.append('md', new Uint8Array(128), 0);
    h.append('md', new Uint8Array(128), 0);
    assert.equal(
      h.stats().approximateBytes,
      256 + json + 3 * ENTRY_OVERHEAD_BYTES,
      'the first tick was evicted',
    );
  });

  it('stays exact over a long stream (entries and byte counts survive compaction)', () => {
    const h = history({ maxEntries: 10 });
    for (let i = 1; i <= 1000; i++) h.append('t', 'x'.repeat(i % 7), i);
    assert.deepEqual(
      recoveredOffsets(h.since('t', { epoch: 'e1', offset: 990 }, 1000)),
      [991, 992, 993, 994, 995, 996, 997, 998, 999, 1000],
    );
    assert.equal(failure(h.since('t', { epoch: 'e1', offset: 989 }, 1000)), 'too_old');
    let bytes = 0;
    for (let i = 991; i <= 1000; i++) bytes += (i % 7) + ENTRY_OVERHEAD_BYTES;
    assert.equal(h.stats().approximateBytes, bytes);
    assert.equal(h.stats().evictions.size, 990);
  });

  it('rejects invalid options with BAD_CONFIG', () => {
    const base = { maxEntries: 10, maxAgeMs: 1000 };
    for (const options of [
      { ...base, maxEntries: 0 },
      { ...base, maxEntries: 1.5 },
      { ...base, maxAgeMs: 0 },
      { ...base, maxAgeMs: Number.NaN },
      { ...base, maxTopics: 0 },
    ]) {
      assert.throws(
        () => new TopicHistory(options),
        (error) =>
          isTickwireError(error, 'BAD_CONFIG') && /maxEntries|maxAgeMs|maxTopics/.test(error.message),
        JSON.stringify(options),
      );
    }
    assert.ok(new TopicHistory({ maxEntries: 1, maxAgeMs: Number.POSITIVE_INFINITY }));
  });

  it('matches a model that keeps every message, on random schedules (property)', () => {
    type Step = { kind: 'append'; elapsed: number } | { kind: 'since'; elapsed: number; back: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), elapsed: fc.integer({ min: 0, max: 300 }) }),
      fc.record({
        kind: fc.constant('since' as const),
        elapsed: fc.integer({ min: 0, max: 300 }),
        back: fc.integer({ min: -2, max: 30 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(step, { maxLength: 150 }),
        (maxEntries, maxAgeMs, steps) => {
          const h = history({ maxEntries, maxAgeMs });
          assert.deepEqual(h.position('t'), { epoch: 'e1', offset: 0 });
          const all: { offset: number; time: number }[] = [];
          let now = 0;
          for (const s of steps) {
            now += s.elapsed;
            if (s.kind === 'append') {
              const position = h.append('t', `m${all.length + 1}`, now);
              all.push({ offset: all.length + 1, time: now });
              assert.equal(position.offset, all.length);
              continue;
            }
            const last = all.length;
            const offset = last - s.back;
            const result = h.since('t', { epoch: 'e1', offset }, now);
            // Held: the last maxEntries messages that are not older than maxAgeMs (times only grow).
            const held = all.slice(-maxEntries).filter((entry) => entry.time >= now - maxAgeMs);
            const firstHeld = held[0]?.offset ?? last + 1;
            if (offset < 0) assert.equal(failure(result), 'invalid_position');
            else if (offset > last) assert.equal(failure(result), 'future_offset');
            else if (offset + 1 < firstHeld) assert.equal(failure(result), 'too_old');
            else
              assert.deepEqual(
                recoveredOffsets(result),
                held.filter((entry) => entry.offset > offset).map((entry) => entry.offset),
              );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
