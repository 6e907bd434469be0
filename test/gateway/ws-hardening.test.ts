import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { Socket as WsSocket } from 'node:net';
import { ACC1_KEY, ADMIN_KEY, startGateway, TestClient } from './harness.ts';

/**
 * What an attacker tried, over real sockets: half-sent request heads, a deeply nested body, a
 * credential in a REST URL, `__proto__` as a topic, invalid UTF-8, and a flood whose replies
 * must still arrive before the close.
 */

/** A raw TCP connection that records everything the server sends and when it closes. */
function rawConnection(
  port: number,
  localAddress = '127.0.0.1',
): {
  socket: Socket;
  received: () => string;
  closed: Promise<void>;
} {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, received: () => text, closed };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

const HALF_HEAD = 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n';

describe('gateway hardening', () => {
  it('counts connections still sending their head against the per-address limit, and closes them after the header timeout', async () => {
    const node = await startGateway({ maxConnectionsPerAddress: 3, headerTimeoutMs: 400 });
    try {
      const port = portOf(node.url);
      const pending = Array.from({ length: 3 }, () => rawConnection(port));
      for (const connection of pending) connection.socket.write(HALF_HEAD);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The fourth from the same address is refused at once, before it has sent anything.
      const refused = rawConnection(port);
      await refused.closed;
      assert.match(refused.received(), /^HTTP\/1\.1 429 /);
      assert.match(refused.received(), /TOO_MANY_CONNECTIONS_FROM_ADDRESS/);
      assert.equal(node.gateway.counters.rejected_upgrade.TOO_MANY_CONNECTIONS_FROM_ADDRESS, 1);
      // Another address is not affected.
      const other = await TestClient.connect(`${node.url}/ws`, { localAddress: '127.0.0.2' });
      other.close();
      // The half-sent heads are answered 408 and closed within the header timeout (plus a check interval).
      await Promise.all(pending.map((connection) => connection.closed));
      for (const connection of pending) assert.match(connection.received(), /^HTTP\/1\.1 408 /);
      // Their slots are free again.
      const client = await TestClient.connect(`${node.url}/ws`);
      assert.equal(client.json[0]!.type, 'welcome');
      client.close();
    } finally {
      await node.stop();
    }
  });

  it('answers a deeply nested REST body with 400, not a stack overflow', async () => {
    const node = await startGateway();
    try {
      const depth = 20_000;
      const response = await fetch(`${node.http}/api/v1/websocket/broadcast`, {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: `{"topic":"alerts.performance","data":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'BAD_REQUEST');
      assert.match(body.error.message, /nests deeper than 64/);
      // The same depth 64 is accepted.
      const ok = await fetch(`${node.http}/api/v1/websocket/broadcast`, {
        method: 'POST',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        body: `{"topic":"alerts.performance","data":${'['.repeat(63)}${']'.repeat(63)}}`,
      });
      assert.equal(ok.status, 200);
    } finally {
      await node.stop();
    }
  });

  it('refuses a deeply nested WebSocket request with BAD_REQUEST and its id', async () => {
    const node = await startGateway();
    try {
      const client = await TestClient.connect(`${node.url}/ws`);
      client.send(
        `{"op":"subscribe","id":5,"topics":["md.>"],"filter":${'['.repeat(500)}${']'.repeat(500)}}`,
      );
      const reply = await client.reply(5);
      assert.equal(reply.code, 'BAD_REQUEST');
      assert.equal((await client.request({ op: 'ping', id: 6 })).type, 'pong');
    } finally {
      await node.stop();
    }
  });

  it('refuses the management API credential in the URL', async () => {
    const node = await startGateway();
    try {
      const response = await fetch(`${node.http}/api/v1/websocket/connections?api_key=${ADMIN_KEY}`);
      assert.equal(response.status, 400);
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'CREDENTIAL_IN_QUERY');
      const token = await fetch(`${node.http}/api/v1/websocket/connections?token=abc`, {
        headers: { 'x-api-key': ADMIN_KEY },
      });
      assert.equal(token.status, 400);
      const headerOnly = await fetch(`${node.http}/api/v1/websocket/connections`, {
        headers: { 'x-api-key': ADMIN_KEY },
      });
      assert.equal(headerOnly.status, 200);
    } finally {
      await node.stop();
    }
  });

  it('refuses `__proto__` in since like any other topic no requested topic matches', async () => {
    const node = await startGateway();
    try {
      const client = await TestClient.connect(`${node.url}/ws`, { headers: { 'x-api-key': ACC1_KEY } });
      client.send(
        '{"op":"subscribe","id":3,"topics":["fills.acc1"],"since":{"__proto__":{"epoch":"e","offset":0}}}',
      );
      const reply = await client.reply(3);
      assert.equal(reply.type, 'error');
      assert.equal(reply.code, 'BAD_REQUEST');
      assert.match(String(reply.message), /__proto__/);
    } finally {
      await node.stop();
    }
  });

  it('closes a text frame of invalid UTF-8 with 1007', async () => {
    const node = await startGateway();
    try {
      const client = await TestClient.connect(`${node.url}/ws`);
      client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      assert.equal((await client.closed).code, 1007);
    } finally {
      await node.stop();
    }
  });

  it('echoes the id of a rate-limited request, and writes queued replies before closing a flood with 4004', async () => {
    const node = await startGateway({ inboundRatePerSecond: 1, inboundBurst: 1, floodLimit: 3 });
    try {
      const client = await TestClient.connect(`${node.url}/ws`);
      // One write, so that the server reads every request, and queues every reply, in one turn.
      const socket = (client.ws as unknown as { _socket: WsSocket })._socket;
      socket.cork();
      for (let id = 1; id <= 6; id++) client.send({ op: 'ping', id });
      socket.uncork();
      const { code } = await client.closed;
      assert.equal(code, 4004);
      const replies = client.json.filter((json) => json.id !== undefined);
      assert.deepEqual(
        replies.map((json) => [json.id, json.type === 'error' ? json.code : json.type]),
        [
          [1, 'pong'],
          [2, 'RATE_LIMITED'],
          [3, 'RATE_LIMITED'],
          [4, 'RATE_LIMITED'],
        ],
      );
    } finally {
      await node.stop();
    }
  });
});
