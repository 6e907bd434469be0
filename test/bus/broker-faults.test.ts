import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createBus, type MessageBus, type Payload } from '../../src/bus/index.ts';
import { isTickwireError } from '../../src/errors.ts';
import {
  BROKER_KINDS,
  type BrokerServer,
  freePort,
  ownBrokerSuiteOptions,
  startBrokerServer,
} from '../support/broker-servers.ts';
import { BROKER_WAIT_MS, brokerStats, openBus, randomPrefix, synced, waitFor } from './broker-helpers.ts';

/**
 * The broker going away and coming back, for real: every test starts its own server process and
 * kills it (SIGKILL) and restarts it on the same port. Nothing here waits for a fixed time; each
 * step waits, bounded, for the state it needs.
 */
for (const kind of BROKER_KINDS) {
  describe(`${kind} bus when the broker fails`, ownBrokerSuiteOptions(kind), () => {
    const servers: BrokerServer[] = [];
    const buses: MessageBus[] = [];
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.close()));
      await Promise.all(servers.splice(0).map((server) => server.stop()));
    });

    it('broker down at start: created at once, local delivery works, connects when the broker appears', async () => {
      const port = await freePort();
      const url = `${kind}://127.0.0.1:${port}`;
      const prefix = randomPrefix();
      const a = createBus(url, { prefix });
      buses.push(a);
      assert.ok(['connecting', 'degraded'].includes(a.health().state), a.health().state);
      await waitFor(() => a.health().state === 'degraded', BROKER_WAIT_MS);
      assert.ok(a.health().lastError !== undefined, 'the failed attempt is reported');

      const local: Payload[] = [];
      a.subscribe('fills.*', (payload) => local.push(payload));
      a.publish('fills.acc-1', 'while down');
      assert.deepEqual(local, ['while down'], 'local delivery does not wait for the broker');
      assert.equal(a.health().pendingPublishes, 1);

      servers.push(await startBrokerServer(kind, port));
      await waitFor(() => a.health().state === 'connected', BROKER_WAIT_MS);
      assert.equal(a.health().pendingPublishes, 0, 'the buffered publish was sent on connect');
      assert.equal(a.health().messagesOut, 1);
      assert.equal(a.health().reconnects, 0, 'the first connection is not a reconnect');

      // The subscription made while down was applied on connect: a remote message arrives.
      const b = await openBus(url, { prefix });
      buses.push(b);
      await synced(a);
      b.publish('fills.acc-2', 'from b');
      await waitFor(() => local.length === 2, BROKER_WAIT_MS);
      assert.deepEqual(local, ['while down', 'from b']);
    });

    it('broker killed: local traffic flows, the buffer is bounded, and everything is restored on restart', async () => {
      const server = await startBrokerServer(kind);
      servers.push(server);
      const prefix = randomPrefix();
      const gapsSeen: [string, number][] = [];
      const maxPendingPublishes = 50;
      const [a, b] = await Promise.all([
        openBus(server.url, { prefix, maxPendingPublishes }),
        openBus(server.url, { prefix, onGap: (topic, missed) => gapsSeen.push([topic, missed]) }),
      ]);
      buses.push(a, b);
      const atA: Payload[] = [];
      const atB: Payload[] = [];
      a.subscribe('md.trade.SIM.BTCUSDT', (payload) => atA.push(payload));
      b.subscribe('md.trade.SIM.*', (payload) => atB.push(payload));
      await synced(a, b);
      a.publish('md.trade.SIM.BTCUSDT', 'before');
      await waitFor(() => atB.length === 1, BROKER_WAIT_MS);

      await server.kill();
      await waitFor(() => a.health().state === 'degraded' && b.health().state === 'degraded', BROKER_WAIT_MS);
      const burst = maxPendingPublishes + 150;
      for (let i = 0; i < burst; i++) a.publish('md.trade.SIM.BTCUSDT', i);
      assert.equal(atA.length, 1 + burst, 'local delivery goes on without the broker');
      const down = a.health();
      assert.equal(
        down.pendingPublishes,
        maxPendingPublishes,
        'the buffer holds at most maxPendingPublishes',
      );
      assert.equal(
        down.droppedPublishes,
        burst - maxPendingPublishes,
        'the oldest beyond it are dropped and counted',
      );

      await server.restart();
      await waitFor(
        () => a.health().state === 'connected' && b.health().state === 'connected',
        BROKER_WAIT_MS,
      );
      assert.ok(a.health().reconnects >= 1 && b.health().reconnects >= 1, 'reconnects are counted');
      assert.equal(a.health().pendingPublishes, 0);

      a.publish('md.trade.SIM.BTCUSDT', 'after');
      await waitFor(() => atB.at(-1) === 'after', BROKER_WAIT_MS);
      // At least the dropped publishes are missing at b; the buffered ones may have reached the
      // broker before b had subscribed again, and then they are missing too.
      const missed = b.health().missed;
      assert.ok(missed >= burst - maxPendingPublishes, `b counted ${missed} missed`);
      assert.ok(b.health().gaps >= 1);
      assert.equal(
        gapsSeen.reduce((sum, [, n]) => sum + n, 0),
        missed,
        'onGap was told every missed message',
      );
      assert.ok(gapsSeen.every(([topic]) => topic === 'md.trade.SIM.BTCUSDT'));
      const received = atB.filter((payload): payload is number => typeof payload === 'number');
      assert.deepEqual(
        received,
        [...received].sort((x, y) => x - y),
        'what arrived, arrived in order',
      );
      assert.equal(brokerStats(b).duplicates, 0);
    });

    it('a request while the broker is down waits for it, then times out saying why', async () => {
      const port = await freePort();
      const a = createBus(`${kind}://127.0.0.1:${port}`, { prefix: randomPrefix() });
      buses.push(a);
      await assert.rejects(
        a.request('bots.status', null, { timeoutMs: 300 }),
        (error) => isTickwireError(error, 'REQUEST_TIMEOUT') && /not reachable/.test(error.message),
      );
      assert.equal(a.stats().pendingRequests, 0);
      assert.equal(a.health().messagesOut, 0);
    });
  });
}
