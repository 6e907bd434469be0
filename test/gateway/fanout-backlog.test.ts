import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBus } from '../../src/bus/index.ts';
import { CONFLATE_AFTER_MS, FanoutBacklog } from '../../src/gateway/fanout-backlog.ts';
import { HistoryRecorder } from '../../src/gateway/history-recorder.ts';
import { TopicHistory } from '../../src/gateway/history.ts';
import type { HubSubscription } from '../../src/gateway/hub-subscription.ts';
import { Hub } from '../../src/gateway/hub.ts';
import { laneOf } from '../../src/gateway/lanes.ts';
import { OutboundMessage } from '../../src/gateway/outbound-message.ts';
import { SymbolRegistry } from '../../src/wire/index.ts';

function message(topic: string, value: number): OutboundMessage {
  return new OutboundMessage(topic, { value }, laneOf(topic, null), undefined, (payload) => payload);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fan-out backlog', () => {
  it('keeps every message while it keeps up, and conflates per topic once the oldest waited too long', async () => {
    const conflated: string[] = [];
    const backlog = new FanoutBacklog((replacing) => conflated.push(replacing.topic));
    const subscriptions: HubSubscription[] = [];
    let id = 0;
    assert.equal(backlog.push(message('md.trade.SIM.A', 1), subscriptions, ++id), true);
    assert.equal(backlog.push(message('md.trade.SIM.A', 2), subscriptions, ++id), true);
    await sleep(CONFLATE_AFTER_MS + 20);
    // An offer phase reads the clock (mark): the oldest has waited too long, so the next message
    // is queued and conflation starts with it.
    backlog.mark();
    assert.equal(backlog.push(message('md.trade.SIM.A', 3), subscriptions, ++id), true);
    assert.equal(backlog.push(message('md.trade.SIM.A', 4), subscriptions, ++id), false, 'replaced 3');
    assert.equal(backlog.push(message('md.trade.SIM.B', 5), subscriptions, ++id), true);
    assert.deepEqual(conflated, ['md.trade.SIM.A']);
    const values: unknown[] = [];
    for (let entry = backlog.peek(backlog.mark()); entry; entry = backlog.peek(backlog.mark())) {
      values.push((entry.pending.message.payload as { value: number }).value);
      backlog.shift();
    }
    assert.deepEqual(values, [1, 2, 4, 5], 'latest wins, in the place of the one it replaced');
    assert.equal(backlog.length, 0);
    // Empty again: no conflation.
    assert.equal(backlog.push(message('md.trade.SIM.A', 6), subscriptions, ++id), true);
    assert.equal(backlog.push(message('md.trade.SIM.A', 7), subscriptions, ++id), true);
  });

  it('offers up to a mark only: what arrives during an offer phase waits for the next', () => {
    const backlog = new FanoutBacklog(() => {});
    backlog.push(message('md.trade.SIM.A', 1), [], 1);
    const mark = backlog.mark();
    backlog.push(message('md.trade.SIM.A', 2), [], 2);
    assert.ok(backlog.peek(mark));
    backlog.shift();
    assert.equal(backlog.peek(mark), undefined);
    assert.ok(backlog.peek(backlog.mark()));
  });

  it('does not offer market data still waiting to a subscription removed meanwhile', async () => {
    const bus = createBus('memory');
    const recorder = new HistoryRecorder(bus, new TopicHistory({ maxEntries: 10, maxAgeMs: 60_000 }), []);
    let backlogged = 0;
    const hub = new Hub({
      bus,
      registry: new SymbolRegistry(),
      recorder,
      onBacklog: () => backlogged++,
      onConflated: () => {},
    });
    const got: string[] = [];
    const subscriber = (name: string) => ({ offer: (m: OutboundMessage) => got.push(`${name}:${m.topic}`) });
    const keep: HubSubscription = {
      subscriber: subscriber('keep'),
      pattern: 'md.>',
      filter: undefined,
      format: 'json',
      active: true,
    };
    const leave: HubSubscription = { ...keep, subscriber: subscriber('leave'), active: true };
    hub.add(keep);
    hub.add(leave);
    bus.publish('md.trade.SIM.A', { p: 1 });
    bus.publish('fills.acc1', { f: 1 }); // no subscription: nothing
    assert.equal(backlogged, 1);
    assert.deepEqual(got, [], 'market data waits for the scheduler');
    hub.remove(leave);
    assert.equal(hub.offerUntil(hub.mark(), Infinity), true);
    assert.deepEqual(got, ['keep:md.trade.SIM.A']);
    await bus.close();
  });
});
