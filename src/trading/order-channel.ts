import type { SignedRest } from './signed-rest.ts';
import type { WsApiOrders } from './ws-api-orders.ts';

/**
 * Where an account's orders and cancels go: the exchange's WebSocket API when the account has its
 * URL (the simulator's always does), else its REST API. Both take Binance's parameters and refuse
 * with an ExchangeError; the WebSocket API throws NotSentError when it could not send at all.
 */
export interface OrderChannel {
  place(params: Record<string, string>): Promise<unknown>;
  cancel(params: Record<string, string>): Promise<unknown>;
  close(): void;
}

export function restOrderChannel(rest: SignedRest): OrderChannel {
  return {
    place: (params) => rest.signed('POST', '/api/v3/order', params),
    cancel: (params) => rest.signed('DELETE', '/api/v3/order', params),
    close: () => undefined,
  };
}

export function wsApiOrderChannel(api: WsApiOrders): OrderChannel {
  return {
    place: (params) => api.request('order.place', params),
    cancel: (params) => api.request('order.cancel', params),
    close: () => api.close(),
  };
}
