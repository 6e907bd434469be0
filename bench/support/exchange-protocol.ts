/** What the `exchange` benchmark and its simulator process agree on. */

export const BENCH_SYMBOL = 'BTCUSDT';
/** 0.001 BTC per order: about 97 USDT, above the NOTIONAL minimum. */
export const ORDER_QUANTITY = '0.00100';
export const ED25519_API_KEY = 'benchEd25519Key0123456789';
export const HMAC_API_KEY = 'benchHmacKey0123456789';
export const HMAC_SECRET = 'benchHmacSecret0123456789';

export interface ExchangeSimulatorArgs {
  /** PEM of the Ed25519 public key the WebSocket API logs on with. */
  ed25519PublicKey: string;
}

export type ExchangeSimulatorReady = { url: string; wsUrl: string };

export type ExchangeSimulatorOps = {
  /** Marks the start of a measured window. */
  begin: { request: Record<string, never>; reply: { ok: true } };
  /** The simulator's CPU time and work since `begin`. */
  end: {
    request: Record<string, never>;
    reply: { elapsedMs: number; cpuMs: number; events: number; ordersPlaced: number; fills: number };
  };
};
