import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { AccountRegistry, SimAccount } from '../accounts/accounts.ts';
import { type Json, TradingOperations } from '../api/trading-operations.ts';
import type { SimulatedExchange } from '../exchange.ts';
import type { Params } from '../matching/order-params.ts';
import { ExchangeRejection, rejections } from '../matching/rejection.ts';
import { checkTimestamp } from '../rest/signed-request.ts';
import type { UserDataSink } from '../user-data/user-data-streams.ts';
import { parseWsApiRequest, type WsApiRequest } from './ws-api-request.ts';

type Operation = (account: SimAccount, params: Params) => Json;

/** Request weights of the WebSocket API's methods (Binance's; 1 where not listed). */
const WS_API_WEIGHTS: Readonly<Record<string, number>> = {
  'session.logon': 2,
  'order.status': 4,
  'openOrders.status': 6,
  'orderList.status': 4,
  'openOrderLists.status': 6,
  allOrders: 20,
  myTrades: 20,
  'account.status': 20,
  'userDataStream.subscribe': 2,
};

/**
 * One connection to the WebSocket API (`/ws-api/v3`): requests `{"id","method","params"}`,
 * answered `{"id","status":200,"result"}` or `{"id","status":4xx,"error":{"code","msg"}}`.
 * A request is signed on its own (apiKey, timestamp, signature over its parameters sorted by name),
 * or the connection logs on once with `session.logon` (an Ed25519 key, as on Binance) and its
 * requests need neither. `userDataStream.subscribe` sends the account's events on this connection
 * as `{"subscriptionId":0,"event":{…}}`.
 */
export class WsApiConnection implements UserDataSink {
  /** The WebSocket API's events are in milliseconds here (its `timeUnit` is not simulated). */
  readonly timeUnit = 'MILLISECOND';
  private account: SimAccount | undefined;
  private authorizedSince = 0;
  private subscribed = false;
  private readonly connectedSince = Date.now();
  private readonly operations: Record<string, Operation>;

  constructor(
    private readonly ws: WebSocket,
    private readonly exchange: SimulatedExchange,
    private readonly accounts: AccountRegistry,
    private readonly remoteAddress: string,
  ) {
    const trading = new TradingOperations(exchange);
    const bind = (operation: Operation): Operation => operation.bind(trading);
    this.operations = {
      'order.place': bind(trading.placeOrder),
      'order.test': bind(trading.testOrder),
      'order.cancel': bind(trading.cancelOrder),
      'order.cancelReplace': bind(trading.cancelReplace),
      'orderList.place.oco': bind(trading.placeOco),
      'orderList.cancel': bind(trading.cancelOrderList),
      'orderList.status': bind(trading.orderListStatus),
      'openOrderLists.status': bind(trading.openOrderLists),
      'order.status': bind(trading.orderStatus),
      'openOrders.status': bind(trading.openOrders),
      'openOrders.cancelAll': bind(trading.cancelOpenOrders),
      allOrders: bind(trading.allOrders),
      myTrades: bind(trading.myTrades),
      'account.status': bind(trading.accountStatus),
    };
    // The answers to the requests of one read go out in one write: cork on the first, uncork after.
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      this.handle(isBinary ? '' : text(data));
    });
    ws.on('close', () => exchange.userData.detach(this));
  }

  deliver(payload: string): void {
    this.ws.send(`{"subscriptionId":0,"event":${payload}}`);
  }

  private handle(message: string): void {
    const parsed = parseWsApiRequest(message);
    if (!parsed.ok)
      return this.reply(null, 400, { error: { code: parsed.error.code, msg: parsed.error.msg } });
    const request = parsed.request;
    const limits = this.exchange.limits;
    const now = Date.now();
    try {
      limits.chargeWeight(this.remoteAddress, WS_API_WEIGHTS[request.method] ?? 1, now);
      const result = this.run(request);
      this.reply(request.id, 200, { result, rateLimits: this.rateLimits(now) });
    } catch (caught) {
      // A fault of ours answers as REST's 500 does, rather than taking the process down.
      const error =
        caught instanceof ExchangeRejection
          ? caught
          : new ExchangeRejection(-1000, rejections.unknown().msg, 500);
      const body: Record<string, unknown> = { code: error.code, msg: error.msg };
      if (error.data !== undefined) body.data = error.data;
      this.reply(request.id, error.status, { error: body, rateLimits: this.rateLimits(now) });
    }
  }

  /** What every answer reports of the limits, as Binance's `rateLimits`. */
  private rateLimits(now: number): Record<string, unknown>[] {
    const limits = this.exchange.limits;
    const reported: Record<string, unknown>[] = [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: limits.settings.requestWeightPerMinute,
        count: limits.usedWeight(this.remoteAddress, now),
      },
    ];
    if (this.account !== undefined)
      reported.push({
        rateLimitType: 'ORDERS',
        interval: 'SECOND',
        intervalNum: 10,
        limit: limits.settings.ordersPer10Seconds,
        count: limits.usedOrders(this.account.id, now),
      });
    return reported;
  }

  private run(request: WsApiRequest): unknown {
    const now = Date.now();
    switch (request.method) {
      case 'ping':
        return {};
      case 'time':
        return { serverTime: now };
      case 'session.logon': {
        const account = this.authenticate(request, now);
        if (account.keyType !== 'ED25519')
          throw new ExchangeRejection(-4056, 'HMAC_SHA256 API key is not supported.');
        this.account = account;
        this.authorizedSince = now;
        return this.sessionStatus(now);
      }
      case 'session.status':
        return this.sessionStatus(now);
      case 'session.logout':
        this.account = undefined;
        if (this.subscribed) this.unsubscribe();
        return this.sessionStatus(now);
      case 'userDataStream.subscribe': {
        if (this.account === undefined) throw rejections.notLoggedOn();
        if (!this.subscribed) this.exchange.userData.subscribe(this.account.id, this);
        this.subscribed = true;
        return { subscriptionId: 0 };
      }
      case 'userDataStream.unsubscribe':
        this.unsubscribe();
        return {};
    }
    const operation = this.operations[request.method];
    if (operation === undefined) throw rejections.unknownMethod(request.method);
    // A logged-on session's requests need no signature; any other must carry one.
    const account =
      this.account !== undefined && !request.params.has('signature')
        ? this.account
        : this.authenticate(request, now);
    if (this.account !== undefined) checkTimestamp(request.params, now);
    return operation(account, request.params);
  }

  /** A request's own signature: apiKey, timestamp, and the signature of its sorted parameters. */
  private authenticate(request: WsApiRequest, now: number): SimAccount {
    const apiKey = request.params.get('apiKey');
    if (apiKey === undefined) throw rejections.mandatory('apiKey');
    const account = this.accounts.byApiKey(apiKey);
    if (account === undefined) throw rejections.rejectedApiKey();
    checkTimestamp(request.params, now);
    const signature = request.params.get('signature');
    if (signature === undefined) throw rejections.mandatory('signature');
    if (!account.verify(request.payload, signature)) throw rejections.badSignature();
    return account;
  }

  private sessionStatus(now: number): Record<string, unknown> {
    return {
      apiKey: this.account?.apiKey ?? null,
      authorizedSince: this.account === undefined ? null : this.authorizedSince,
      connectedSince: this.connectedSince,
      returnRateLimits: false,
      serverTime: now,
      userDataStream: this.subscribed,
    };
  }

  private unsubscribe(): void {
    this.exchange.userData.detach(this);
    this.subscribed = false;
  }

  private reply(id: unknown, status: number, body: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ id, status, ...body }));
  }
}

function text(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
