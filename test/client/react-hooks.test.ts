import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createElement } from 'react';
import { act, create, type ReactTestRenderer } from 'react-test-renderer';
import type { TickwireClient } from '../../src/client/index.ts';
import {
  TickwireProvider,
  useConnectionState,
  useMarketData,
  useOrderNotifications,
  useTopic,
} from '../../src/client/react.ts';
import type { Platform } from '../../src/platform/index.ts';
import { eventually } from '../support/eventually.ts';
import { client, removeNodeFiles, startNode } from './harness.ts';

// Updates arrive from sockets, outside act(): tell React that is intended.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false;

/** Renders `render(hookValue)` under a provider and records every value it rendered with. */
function mount<T>(tickwire: TickwireClient, useHook: () => T): { values: T[]; renderer: ReactTestRenderer } {
  const values: T[] = [];
  function Probe() {
    values.push(useHook());
    return null;
  }
  let renderer!: ReactTestRenderer;
  act(() => {
    renderer = create(createElement(TickwireProvider, { client: tickwire }, createElement(Probe)));
  });
  return { values, renderer };
}

describe('React hooks over a running node', () => {
  let platform: Platform;
  let tickwire: TickwireClient;
  before(async () => {
    platform = await startNode();
    tickwire = client(platform);
    await tickwire.connect();
  });
  after(async () => {
    tickwire.close();
    await platform.stop();
    removeNodeFiles();
  });

  it('useTopic renders once a frame however often messages arrive, and keeps the last ones', async () => {
    const { values, renderer } = mount(tickwire, () => useTopic('fills.acc1', 10));
    await eventually(() => tickwire.position('fills.acc1') !== undefined, 'subscribed');
    // How many separate tasks the messages arrived in: each would be a render without the frame batching.
    let arrivals = 0;
    let sameTask = false;
    const counter = tickwire.subscribe('fills.acc1', () => {
      if (sameTask) return;
      sameTask = true;
      arrivals++;
      setImmediate(() => (sameTask = false));
    });
    await counter.ready;
    const rendersBefore = values.length;
    for (let seq = 1; seq <= 1_000; seq++) {
      platform.bus.publish('fills.acc1', { type: 'order_fill_notification', seq });
      if (seq % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await eventually(
      () => (values.at(-1)?.at(-1)?.data as { seq?: number } | undefined)?.seq === 1_000,
      'the last fill rendered',
    );
    const renders = values.length - rendersBefore;
    assert.ok(arrivals >= 50, `the messages came in ${arrivals} tasks`);
    assert.ok(renders * 2 <= arrivals, `${renders} renders for 1,000 messages in ${arrivals} tasks`);
    await counter.unsubscribe();
    assert.deepEqual(
      values.at(-1)!.map((message) => (message.data as unknown as { seq: number }).seq),
      [991, 992, 993, 994, 995, 996, 997, 998, 999, 1_000],
    );
    act(() => renderer.unmount());
  });

  it('useOrderNotifications follows the signed-in account; useConnectionState and useMarketData are live', async () => {
    const orders = mount(tickwire, () => useOrderNotifications());
    const state = mount(tickwire, () => useConnectionState());
    const market = mount(tickwire, () => useMarketData('BTCUSDT'));
    assert.equal(state.values.at(-1), 'connected');
    await eventually(() => tickwire.position('orders.acc1') !== undefined, 'subscribed to the account');
    platform.bus.publish('fills.acc1', {
      type: 'order_fill_notification',
      clientOrderId: 'c1',
      price: '1.5',
    });
    platform.bus.publish('orders.acc1', { type: 'order_update', clientOrderId: 'c1', state: 'FILLED' });
    await eventually(
      () => (orders.values.at(-1)?.fills.length ?? 0) > 0 && orders.values.at(-1)!.orders.c1 !== undefined,
      'fill and order rendered',
    );
    assert.equal(orders.values.at(-1)!.fills.at(-1)!.price, '1.5');
    await eventually(() => market.values.at(-1)?.trade?.symbol === 'BTCUSDT', 'a live trade rendered');
    for (const mounted of [orders, state, market]) act(() => mounted.renderer.unmount());
  });
});
