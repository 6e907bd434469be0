/**
 * The trading benchmark's owner: the clients of account acc1 (each subscribed to the account's
 * orders, fills and bots, and to its market-data symbols like every other client, parsing every
 * frame) and the order flow, through Tickwire's REST API, at ordinary priority. Latency is from each
 * event's own time (`eventTime`: the exchange's `E`, in microseconds) to its receipt here.
 */
import { Agent, request } from 'node:http';
import { SignedRest, WsApiOrders } from '../../src/trading/index.ts';
import { symbolsOfClient, tradeTopic, wallClockMs } from './fanout-protocol.ts';
import { WsReader } from './fanout-ws-reader.ts';
import { serveRequests } from './ipc.ts';
import { FLOW_QUANTITY, OWNER, OWNER_API_KEY, OWNER_EXCHANGE, type OwnerOps } from './trading-protocol.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
/** Bots whose cycles turn over in seconds on the simulator's market. */
const BOT = {
  baseOrderQuantity: FLOW_QUANTITY,
  safetyOrderQuantity: FLOW_QUANTITY,
  maxSafetyOrders: 2,
  priceDeviationPercent: 0.01,
  takeProfitPercent: 0.01,
};
const TOPICS = [`orders.${OWNER}`, `fills.${OWNER}`, `bots.${OWNER}.>`];

interface TradingEvent {
  type: string;
  eventTime: number;
  clientOrderId?: string;
  state?: string;
}

let byType: Record<string, number[]> = {};
let fillsSeen = 0;
let baseUrl = '';
/** Orders whose acknowledgement (order_status_update NEW) the submit run waits for. */
const waitingForAck = new Map<string, (receivedMs: number) => void>();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One keep-alive connection to the node's REST API, as a trading client keeps one (fetch costs ~0.5 ms more per call here). */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const call = request(
      baseUrl + path,
      {
        method,
        agent,
        headers: {
          'x-api-key': OWNER_API_KEY,
          ...(text === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>),
        );
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(text);
  });
}

serveRequests<OwnerOps>(
  {
    async connect({ port, count, first }) {
      baseUrl = `http://127.0.0.1:${port}`;
      await Promise.all(
        Array.from({ length: count }, (_, index) =>
          WsReader.subscribed({
            port,
            path: '/ws',
            headers: { 'x-api-key': OWNER_API_KEY },
            topics: [...TOPICS, ...symbolsOfClient(first + index).map(tradeTopic)],
            onFrame: (buffer, start, end) => {
              const now = wallClockMs();
              const message = JSON.parse(buffer.toString('utf8', start, end)) as {
                topic?: string;
                data?: unknown;
              };
              if (message.topic === undefined || message.topic.startsWith('md.')) return;
              const event = message.data as TradingEvent;
              (byType[event.type] ??= []).push((now - event.eventTime) * 1000);
              if (index !== 0) return;
              if (event.type === 'order_fill_notification') fillsSeen++;
              if (event.type === 'order_status_update' && event.state === 'NEW' && event.clientOrderId)
                waitingForAck.get(event.clientOrderId)?.(now);
            },
            onClose: (reason) => {
              throw new Error(`an owner client was closed: ${reason}`);
            },
          }),
        ),
      );
      return { connected: count };
    },

    async flow({ durationMs, intervalMs }) {
      const bots: string[] = [];
      for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
        const created = (await api('POST', '/api/v1/bots', { ...BOT, symbol })) as { bot: { botId: string } };
        bots.push(created.bot.botId);
      }
      byType = {};
      for (const bot of bots) await api('POST', `/api/v1/bots/${bot}/start`);
      let orders = 0;
      let rejected = 0;
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        const next = performance.now() + intervalMs;
        const answer = await api('POST', '/api/v1/orders', {
          symbol: 'BTCUSDT',
          side: orders % 2 === 0 ? 'BUY' : 'SELL',
          type: 'MARKET',
          quantity: FLOW_QUANTITY,
        });
        orders++;
        if (answer.error !== undefined) rejected++;
        await sleep(Math.max(0, next - performance.now()));
      }
      for (const bot of bots) await api('POST', `/api/v1/bots/${bot}/stop`, { closePosition: true });
      // The last events still on their way.
      await sleep(1_000);
      return { byType, orders, rejected };
    },

    async submit({ count, exchangeUrl, exchangeWsUrl }) {
      const exchange = new SignedRest(exchangeUrl, OWNER_EXCHANGE.apiKey, OWNER_EXCHANGE.apiSecret);
      const direct = new WsApiOrders(
        `${exchangeWsUrl}/ws-api/v3`,
        OWNER_EXCHANGE.apiKey,
        OWNER_EXCHANGE.apiSecret,
      );
      const { price } = await exchange.public<{ price: string }>('/api/v3/ticker/price', {
        symbol: 'BTCUSDT',
      });
      // A bid 2% under the market: it rests (and stays inside the 5% collar).
      const bid = (Number(price) * 0.98).toFixed(2);
      const toAckUs: number[] = [];
      const exchangeUs: number[] = [];
      for (let i = 0; i < count; i++) {
        const clientOrderId = `bench-${process.pid}-${i}`;
        const acknowledged = new Promise<number>((resolve) => waitingForAck.set(clientOrderId, resolve));
        const sent = wallClockMs();
        const answer = await api('POST', '/api/v1/orders', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          quantity: FLOW_QUANTITY,
          price: bid,
          clientOrderId,
        });
        if (answer.error !== undefined) throw new Error(`order refused: ${JSON.stringify(answer.error)}`);
        toAckUs.push(((await acknowledged) - sent) * 1000);
        waitingForAck.delete(clientOrderId);
        await api('DELETE', `/api/v1/orders/${clientOrderId}`);

        // The baseline: the same order straight to the exchange's WebSocket API (as Tickwire sends
        // it), to its answer.
        const directId = `direct-${process.pid}-${i}`;
        const directSent = wallClockMs();
        await direct.request('order.place', {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: FLOW_QUANTITY,
          price: bid,
          newClientOrderId: directId,
          newOrderRespType: 'ACK',
        });
        exchangeUs.push((wallClockMs() - directSent) * 1000);
        await direct.request('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: directId });
      }
      direct.close();
      return { toAckUs, exchangeUs };
    },

    async fills({ fills, timeoutMs }) {
      const end = performance.now() + timeoutMs;
      while (fillsSeen < fills && performance.now() < end) await sleep(10);
      const received = fillsSeen;
      fillsSeen = 0;
      return { received };
    },
  },
  {},
  MAX_LIFETIME_MS,
);
