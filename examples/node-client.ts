/**
 * The client SDK on Node: live BTCUSDT trades (no login needed), and, with an API key, the
 * account's positions (REST) and fills (live, exactly once across reconnects). Start a node
 * (`npm start`, which prints the demo account's key), then:
 *
 *   node --import tsx examples/node-client.ts                  # market data only
 *   TICKWIRE_API_KEY=<key> node --import tsx examples/node-client.ts
 *
 * It runs for 30 seconds. On Node 22 and later the global WebSocket would do; Node 20 needs `ws`.
 */
import WebSocket from 'ws';
import { TickwireApi, TickwireClient, type WebSocketConstructor } from '../src/client/index.ts';

const apiKey = process.env.TICKWIRE_API_KEY;
const url = process.env.TICKWIRE_URL ?? 'ws://127.0.0.1:8001/ws';
const client = new TickwireClient({
  url,
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

await client.connect();
console.log('server time', await client.ping());

const account = client.account; // the key's account, known once connected
if (apiKey !== undefined && account !== null) {
  // The REST API of the same node: ws://host/ws → http://host.
  const api = new TickwireApi({ url: url.replace(/^ws/, 'http').replace(/\/ws$/, ''), apiKey });
  for (const position of await api.positions())
    console.log(`position ${position.symbol} ${position.quantity} @ ${position.averagePrice}`);
  // The key's own account; another account's topics are refused (FORBIDDEN).
  client.subscribe(`fills.${account}`, ({ data, position, recovered }) =>
    console.log(`fill ${data.symbol} ${data.side} ${data.quantity} @ ${data.price}`, { position, recovered }),
  );
}
setTimeout(() => client.close(), 30_000);
