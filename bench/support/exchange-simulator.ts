/**
 * The `exchange` benchmark's simulator process: `tickwire sim` as a user starts it (default market
 * and rate), with two accounts (Ed25519 for the WebSocket API, HMAC for REST) and the rate limits
 * lifted, alone in its process so that its CPU is measured apart from the client.
 */
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import {
  ED25519_API_KEY,
  type ExchangeSimulatorArgs,
  type ExchangeSimulatorOps,
  type ExchangeSimulatorReady,
  HMAC_API_KEY,
  HMAC_SECRET,
} from './exchange-protocol.ts';
import { serveRequests } from './ipc.ts';
import { MeasuredWindow } from './measured-window.ts';

const MAX_LIFETIME_MS = 10 * 60_000;
const args = JSON.parse(process.argv[2] ?? '{}') as ExchangeSimulatorArgs;
const balances = { USDT: '1000000000', BTC: '100000' };

const simulator = await startExchangeSimulator({
  requestWeightPerMinute: 1_000_000_000,
  ordersPer10Seconds: 1_000_000_000,
  accounts: [
    { apiKey: ED25519_API_KEY, ed25519PublicKey: args.ed25519PublicKey, balances },
    { apiKey: HMAC_API_KEY, secretKey: HMAC_SECRET, balances },
  ],
});

const measured = new MeasuredWindow(() => simulator.stats());

serveRequests<ExchangeSimulatorOps>(
  {
    begin: () => {
      measured.begin();
      return { ok: true };
    },
    end: () => {
      const { elapsedMs, cpuMs, before, after } = measured.end();
      return {
        elapsedMs,
        cpuMs,
        events: after.events - before.events,
        ordersPlaced: after.trading.ordersPlaced - before.trading.ordersPlaced,
        fills: after.trading.fills - before.trading.fills,
      };
    },
  },
  { url: simulator.url, wsUrl: simulator.wsUrl } satisfies ExchangeSimulatorReady,
  MAX_LIFETIME_MS,
);
