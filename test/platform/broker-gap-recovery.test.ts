import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createBus } from '../../src/bus/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startPlatform } from '../../src/platform/index.ts';
import { TestClient } from '../gateway/harness.ts';
import { BROKER_KINDS, ownBrokerSuiteOptions, startBrokerServer } from '../support/broker-servers.ts';
import { waitFor } from '../bus/broker-helpers.ts';

const TOPIC = 'alerts.resource';
type Position = { epoch: string; offset: number };

/**
 * Centrifugo's positioning: messages a broker loses between a publisher and this node leave a
 * hole in the node's history, and a client reconnecting from before the hole is told
 * `recovered: false` instead of being handed a history with a hole in it.
 */
for (const kind of BROKER_KINDS) {
  describe(`recovery across messages lost on the ${kind} broker`, ownBrokerSuiteOptions(kind), () => {
    it('tells a reconnecting client it cannot recover across the hole', async () => {
      const server = await startBrokerServer(kind);
      const prefix = `gap${randomBytes(4).toString('hex')}`;
      const config = loadConfig({
        flags: {
          port: '0',
          bus: server.url,
          busPrefix: prefix,
          feed: 'none',
          anonymousTopics: 'md.>,alerts.>',
          logLevel: 'silent',
        },
      });
      const platform = await startPlatform(config, pino({ level: 'silent' }));
      const publisher = createBus(server.url, { prefix, maxPendingPublishes: 5 });
      const wsUrl = `${platform.url.replace('http', 'ws')}/ws`;
      try {
        await waitFor(() => publisher.health().state === 'connected', 15_000);
        const first = await TestClient.connect(wsUrl);
        await first.request({ op: 'subscribe', id: 1, topics: [TOPIC] });
        // Until the node's broker subscription is in place, publishes do not reach it: repeat.
        let seen: Position | undefined;
        for (let n = 0; seen === undefined && n < 100; n++) {
          publisher.publish(TOPIC, { n });
          await new Promise((resolve) => setTimeout(resolve, 100));
          const last = first.data(TOPIC).at(-1);
          if (last !== undefined) seen = { epoch: last.epoch as string, offset: last.offset as number };
        }
        assert.ok(seen, 'the node received the publisher messages');
        first.ws.terminate();
        await first.closed;

        await server.kill();
        await waitFor(() => publisher.health().state === 'degraded', 15_000);
        for (let n = 0; n < 20; n++) publisher.publish(TOPIC, { lost: n });
        await server.restart();
        await waitFor(
          () => publisher.health().state === 'connected' && platform.bus.health().state === 'connected',
          15_000,
        );
        // The next message that arrives shows the node the hole in the publisher's sequence.
        for (let n = 0; (platform.bus.health().gaps ?? 0) === 0 && n < 100; n++) {
          publisher.publish(TOPIC, { after: n });
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        assert.ok((platform.bus.health().gaps ?? 0) >= 1, 'the node saw the gap');

        const second = await TestClient.connect(wsUrl);
        const reply = await second.request({
          op: 'subscribe',
          id: 1,
          topics: [TOPIC],
          since: { [TOPIC]: seen },
        });
        const recovery = (reply.recovery as Record<string, { recovered: boolean; reason: string }>)[TOPIC]!;
        assert.equal(recovery.recovered, false);
        assert.equal(recovery.reason, 'too_old');
        second.close();
      } finally {
        await publisher.close();
        await platform.stop();
        await server.stop();
      }
    });
  });
}
