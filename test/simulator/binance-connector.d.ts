/** The parts of Binance's official Node connector (`@binance/connector`, untyped) the compatibility test uses. */
declare module '@binance/connector' {
  interface Options {
    baseURL?: string;
    wsURL?: string;
    logger?: Console;
    privateKey?: string;
    privateKeyAlgo?: 'RSA' | 'ED25519';
    callbacks?: {
      open?: (client: never) => void;
      message?: (data: string) => void;
      close?: () => void;
    };
  }
  interface Response<T> {
    data: T;
    headers: Record<string, string>;
  }
  type Params = Record<string, string | number | boolean>;
  type Json = Record<string, unknown>;

  export class Spot {
    constructor(apiKey?: string, apiSecret?: string, options?: Options);
    exchangeInfo(options?: Params): Promise<Response<Json>>;
    depth(symbol: string, options?: Params): Promise<Response<Json>>;
    trades(symbol: string, options?: Params): Promise<Response<Json[]>>;
    klines(symbol: string, interval: string, options?: Params): Promise<Response<unknown[][]>>;
    ticker24hr(symbol?: string, symbols?: string[], type?: string): Promise<Response<Json>>;
    account(options?: Params): Promise<Response<Json>>;
    newOrder(symbol: string, side: string, type: string, options?: Params): Promise<Response<Json>>;
    getOrder(symbol: string, options?: Params): Promise<Response<Json>>;
    openOrders(options?: Params): Promise<Response<Json[]>>;
    cancelOrder(symbol: string, options?: Params): Promise<Response<Json>>;
    myTrades(symbol: string, options?: Params): Promise<Response<Json[]>>;
    createListenKey(): Promise<Response<{ listenKey: string }>>;
  }

  export class WebsocketStream {
    constructor(options?: Options);
    trade(symbol: string): void;
    userData(listenKey: string): void;
    isConnected(): boolean;
    disconnect(): void;
  }

  export class WebsocketAPI {
    constructor(apiKey?: string, apiSecret?: string, options?: Options);
    newOrder(symbol: string, side: string, type: string, options?: Params): void;
    account(options?: Params): void;
    disconnect(): void;
  }
}
