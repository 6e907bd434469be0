import { createServer } from 'node:http';
import { Server } from 'socket.io';
import msgpackParser from 'socket.io-msgpack-parser';
import { type FanoutServer, stopServer, TickSource } from './fanout-baselines.ts';
import { SYMBOL_COUNT, tradeTopic } from './fanout-protocol.ts';
import { listenOnLoopback } from './gateway-process.ts';

/**
 * Socket.IO 4 as its users write a fan-out: a room per topic, a `subscribe` event that joins the
 * client to its topics' rooms (answered with `subscribed`), and `io.to(topic).emit('md', message)`
 * per message, which encodes the packet once for the whole room. Its default settings otherwise
 * (no per-message deflate, 25 s pings), with WebSocket as the only transport because the clients
 * speak only that (no HTTP long-polling upgrade dance); `msgpack`: its msgpack parser
 * (binary frames) instead of JSON.
 */
export async function startSocketIoServer(parser: 'default' | 'msgpack'): Promise<FanoutServer> {
  const source = new TickSource();
  const topics = Array.from({ length: SYMBOL_COUNT }, (_, i) => tradeTopic(i));
  const known = new Set(topics);
  const server = createServer();
  const io = new Server(server, {
    transports: ['websocket'],
    ...(parser === 'msgpack' ? { parser: msgpackParser } : {}),
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', ({ topics: wanted }: { topics: string[] }) => {
      const accepted = wanted.filter((topic) => known.has(topic));
      void socket.join(accepted);
      socket.emit('subscribed', { topics: accepted });
    });
  });
  const port = await listenOnLoopback(server);
  return {
    port,
    path: '/socket.io/',
    publish(symbolIndex, dueMs) {
      io.to(topics[symbolIndex]!).emit('md', source.message(symbolIndex, dueMs));
    },
    conflated: () => 0,
    closed: () => 0,
    stop: async () => {
      io.disconnectSockets(true);
      await stopServer(server);
    },
  };
}
