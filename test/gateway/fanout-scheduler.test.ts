import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FanoutScheduler,
  type Flushable,
  type OfferSource,
  SLICE_SOCKETS,
} from '../../src/gateway/fanout-scheduler.ts';

/** A connection whose flush keeps the CPU busy for `busyMs` and records the order of flushes. */
function connection(name: string, log: string[], busyMs = 0): Flushable {
  return {
    flush() {
      const until = performance.now() + busyMs;
      while (performance.now() < until);
      log.push(name);
    },
  };
}

/** An offer source with `waiting` messages; offering one calls `onOffer` (which may dirty connections). */
function source(onOffer: (index: number) => void): OfferSource & { push(): void; offered: number } {
  let pushed = 0;
  let offered = 0;
  return {
    push: () => void pushed++,
    get offered() {
      return offered;
    },
    mark: () => pushed,
    offerUntil(mark, deadline) {
      while (offered < mark) {
        onOffer(offered++);
        if (performance.now() >= deadline) return offered >= mark;
      }
      return true;
    },
  };
}

function idle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

describe('fan-out scheduler', () => {
  it('yields to the event loop between slices: a callback queued while a long write phase runs goes before its end', async () => {
    const log: string[] = [];
    const scheduler = new FanoutScheduler(source(() => {}));
    const count = 2_000;
    for (let i = 0; i < count; i++) scheduler.request(connection(`c${i}`, log, 0.02), false);
    let flushedBeforeCallback = -1;
    setImmediate(() => {
      // The first slice ran; the callback (a fill read from a socket, say) comes next.
      setImmediate(() => (flushedBeforeCallback = log.length));
    });
    while (log.length < count) await idle();
    assert.ok(flushedBeforeCallback > 0, 'the callback ran');
    assert.ok(
      flushedBeforeCallback < count,
      `the callback ran after ${flushedBeforeCallback} of ${count} writes, not after all of them`,
    );
  });

  it('bounds a slice by sockets written', async () => {
    const log: string[] = [];
    const scheduler = new FanoutScheduler(source(() => {}));
    for (let i = 0; i < SLICE_SOCKETS * 3; i++) scheduler.request(connection(`c${i}`, log), false);
    const seen: number[] = [];
    const watch = () => {
      seen.push(log.length);
      if (log.length < SLICE_SOCKETS * 3) setImmediate(watch);
    };
    setImmediate(watch);
    while (log.length < SLICE_SOCKETS * 3) await idle();
    assert.ok(
      seen[0]! > 0 && seen[0]! <= SLICE_SOCKETS,
      `the first slice wrote ${seen[0]}, at most SLICE_SOCKETS`,
    );
  });

  it('writes a connection with a reply or high-lane message in the next slice, ahead of a write phase in progress', async () => {
    const log: string[] = [];
    const scheduler = new FanoutScheduler(source(() => {}));
    for (let i = 0; i < 1_000; i++) scheduler.request(connection(`c${i}`, log, 0.02), false);
    setImmediate(() => scheduler.request(connection('urgent', log), true));
    while (log.length < 1_001) await idle();
    const at = log.indexOf('urgent');
    assert.ok(at > 0 && at < 1_000, `written at ${at}, before the phase ended`);
  });

  it('alternates phases: the messages waiting are offered, then every connection they dirtied is written once', async () => {
    const log: string[] = [];
    const connections = Array.from({ length: 3 }, (_, i) => connection(`c${i}`, log));
    let scheduler: FanoutScheduler | undefined = undefined;
    const offers = source((index) => {
      log.push(`offer${index}`);
      // Each message goes to every connection; a connection asks once per phase.
      for (const c of connections) scheduler!.request(c, false);
    });
    scheduler = new FanoutScheduler(offers);
    offers.push();
    offers.push();
    scheduler.backlogged();
    await idle();
    assert.deepEqual(log, ['offer0', 'offer1', 'c0', 'c1', 'c2']);
    offers.push();
    scheduler.backlogged();
    await idle();
    assert.deepEqual(log.slice(5), ['offer2', 'c0', 'c1', 'c2']);
  });

  it('forgets a closed connection', async () => {
    const log: string[] = [];
    const scheduler = new FanoutScheduler(source(() => {}));
    const gone = connection('gone', log);
    scheduler.request(gone, false);
    scheduler.request(gone, true);
    scheduler.forget(gone);
    scheduler.request(connection('kept', log), false);
    await idle();
    assert.deepEqual(log, ['kept']);
  });
});
