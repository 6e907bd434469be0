/**
 * The client SDK on Node: live BTCUSDT trades (no login needed), and, with an API key, the
 * account's fills, exactly once across reconnects. Start a node (`npm start`), then:
 *
 *   node --import tsx examples/node-client.ts                 # market data only
 *   TICKWIRE_API_KEY=<key> TICKWIRE_ACCOUNT=<its account> node --import tsx examples/node-client.ts
 *
 * It runs for 30 seconds. On Node 22 and later the global WebSocket would do; Node 20 needs `ws`.
 */
import WebSocket from 'ws';
import { TickwireClient, type WebSocketConstructor } from '../src/client/index.ts';

const apiKey = process.env.TICKWIRE_API_KEY;
const client = new TickwireClient({
  url: process.env.TICKWIRE_URL ?? 'ws://127.0.0.1:8001/ws',
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  ...(apiKey === undefined ? {} : { apiKey }),
});

client.events.on('state', ({ state, retryInMs }) =>
  console.log(`connection: ${state}${retryInMs === undefined ? '' : ` (retry in ${retryInMs} ms)`}`),
);
client.events.on('resync', ({ topic, reason }) =>
  console.log(`${topic}: missed messages (${reason}), reload it`),
);
client.events.on('error', (error) => console.error(error.message));

client.subscribe('md.trade.SIM.BTCUSDT', ({ data }) => console.log(`trade ${data.symbol}`, data));

const account = process.env.TICKWIRE_ACCOUNT;
if (apiKey !== undefined && account !== undefined) {
  // The key's own account; another account's topics are refused (FORBIDDEN).
  client.subscribe(`fills.${account}`, ({ data, position, recovered }) =>
    console.log(`fill ${data.symbol} ${data.side} ${data.quantity} @ ${data.price}`, { position, recovered }),
  );
}

await client.connect();
console.log('server time', await client.ping());
setTimeout(() => client.close(), 30_000);
