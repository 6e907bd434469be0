import WebSocket from 'ws';
import { units } from './amounts.ts';
import {
  type ExchangeStatus,
  type ExecutionUpdate,
  fillUpdate,
  type OrderFacts,
  parseExecutionReport,
  stateUpdate,
} from './execution-report.ts';
import { ExchangeError, SignedRest } from './signed-rest.ts';

export interface ExchangeConnectionOptions {
  /** REST base (`https://api.binance.com`, the testnet's, or a simulator's `http://127.0.0.1:9100`). */
  restUrl: string;
  /** WebSocket streams base (`wss://stream.binance.com:9443`, or the simulator's `ws://…`). */
  wsUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Symbols whose trades are fetched after a gap. */
  symbols: readonly string[];
  /** How often the listenKey is kept alive (Binance: every 30 minutes, valid for 60). */
  keepAliveMs?: number;
  /** Reconnection delays: capped exponential with full jitter. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
}

export const CONNECTION_STATES = ['connecting', 'reconciling', 'live', 'stopped'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];

export interface ExchangeConnectionHandlers {
  /** An order update: from the stream as it comes, or from reconciliation after a gap. */
  update(update: ExecutionUpdate): void;
  /** The highest trade id already known for a symbol (reconciliation fetches what follows). */
  lastTradeId(symbol: string): number | undefined;
  state?(state: ConnectionState, reason?: string): void;
  /**
   * Orders written as sent by an earlier process but never acknowledged: reconciliation asks the
   * exchange about each, and calls `lost` for those it does not know (they never reached it).
   */
  orphans?(): { symbol: string; clientOrderId: string }[];
  lost?(clientOrderId: string): void;
}

/** Binance's "Order does not exist." */
const UNKNOWN_ORDER = -2013;

export interface ExchangeConnectionStats {
  state: ConnectionState;
  connects: number;
  reconciliations: number;
  /** Reports on the stream that could not be read (counted, skipped). */
  malformed: number;
  /** Updates produced by reconciliation (trades and order states fetched over REST). */
  reconciledUpdates: number;
}

const DEFAULTS = { keepAliveMs: 30 * 60_000, reconnectMinMs: 100, reconnectMaxMs: 5_000 };
/** Binance's largest `limit` of myTrades. */
const TRADES_PAGE = 1_000;

interface TradeRow {
  id: number;
  orderId: number;
  price: string;
  qty: string;
  quoteQty: string;
  commission: string;
  commissionAsset: string;
  time: number;
  isBuyer: boolean;
  isMaker: boolean;
}

interface OrderRow {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  origQty: string;
  price: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: ExchangeStatus;
  type: string;
  side: 'BUY' | 'SELL';
  updateTime: number;
}

/**
 * One account's connection to a Binance Spot exchange (Binance, its testnet, or the simulator):
 * the user-data stream on a listenKey, kept alive, and reopened after any gap (the socket
 * dropped, the key expired or was refused) with capped, jittered backoff. After each (re)open it
 * reconciles over REST: the trades since the last one known, per symbol, and the state of every
 * order they belong to and of the open orders, as ExecutionUpdates. The stream is open before
 * reconciliation starts, so nothing falls between the two; what both deliver, the consumer's
 * idempotent apply (AccountBook) takes once.
 */
export class ExchangeConnection {
  private readonly rest: SignedRest;
  private readonly settings: Required<Omit<ExchangeConnectionOptions, 'apiKey' | 'apiSecret'>>;
  private ws: WebSocket | undefined;
  private listenKey: string | undefined;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;
  readonly stats: ExchangeConnectionStats = {
    state: 'connecting',
    connects: 0,
    reconciliations: 0,
    malformed: 0,
    reconciledUpdates: 0,
  };

  constructor(
    options: ExchangeConnectionOptions,
    private readonly handlers: ExchangeConnectionHandlers,
  ) {
    const { apiKey, apiSecret, ...rest } = options;
    this.settings = { ...DEFAULTS, ...rest };
    this.rest = new SignedRest(options.restUrl, apiKey, apiSecret);
  }

  /** Opens the stream and reconciles; resolves once live (rejects if the first attempt fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.keepAliveTimer);
    clearTimeout(this.reconnectTimer);
    this.ws?.terminate();
    this.setState('stopped');
    const key = this.listenKey;
    this.listenKey = undefined;
    if (key !== undefined)
      await this.rest.keyed('DELETE', '/api/v3/userDataStream', { listenKey: key }).catch(() => undefined);
  }

  private async connect(): Promise<void> {
    this.setState('connecting');
    clearInterval(this.keepAliveTimer);
    const { listenKey } = await this.rest.keyed<{ listenKey: string }>('POST', '/api/v3/userDataStream');
    this.listenKey = listenKey;
    // Where the gap starts, read before the new stream opens: a fill the new stream brings during
    // reconciliation must not move the start past the trades the gap hid.
    const known = new Map(this.settings.symbols.map((symbol) => [symbol, this.handlers.lastTradeId(symbol)]));
    await this.open(listenKey);
    // stop() may have come while this connect was in flight.
    if (this.stopped) {
      this.ws?.terminate();
      return;
    }
    this.stats.connects++;
    this.keepAliveTimer = setInterval(() => void this.keepAlive(), this.settings.keepAliveMs);
    this.setState('reconciling');
    await this.reconcile(known);
    this.stats.reconciliations++;
    this.attempt = 0;
    this.setState('live');
  }

  private open(listenKey: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // Event times in microseconds, where the exchange gives them (execution-report.ts).
      const ws = new WebSocket(`${this.settings.wsUrl}/ws/${listenKey}?timeUnit=MICROSECOND`, {
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.once('open', () => resolve());
      // A socket that never opened is the caller's failure to handle, not a gap to reconnect from.
      ws.once('error', (error) => {
        if (this.ws === ws) this.ws = undefined;
        reject(error);
      });
      ws.on('message', (data: WebSocket.RawData) => this.onMessage(data.toString()));
      ws.on('close', () => {
        if (this.ws === ws) this.gap('the user-data socket closed');
      });
    });
  }

  private onMessage(text: string): void {
    let message: { e?: unknown };
    try {
      message = JSON.parse(text) as { e?: unknown };
    } catch {
      this.stats.malformed++;
      return;
    }
    if (message.e === 'listenKeyExpired') {
      this.gap('the listenKey expired');
      return;
    }
    if (message.e !== 'executionReport') return;
    let update: ExecutionUpdate;
    try {
      update = parseExecutionReport(message);
    } catch {
      this.stats.malformed++;
      return;
    }
    this.handlers.update(update);
  }

  private async keepAlive(): Promise<void> {
    const key = this.listenKey;
    if (key === undefined) return;
    try {
      await this.rest.keyed('PUT', '/api/v3/userDataStream', { listenKey: key });
    } catch (error) {
      // The exchange no longer knows the key (-1125): events may have been lost.
      if (error instanceof ExchangeError) this.gap('the listenKey was refused');
    }
  }

  /** Reconnects and reconciles, as after a gap (the account lost what it had not stored). */
  resync(reason: string): void {
    this.gap(reason);
  }

  /** Something may have been missed: drop the socket and reconnect, then reconcile. */
  private gap(reason: string): void {
    if (this.stopped || this.reconnectTimer !== undefined) return;
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
    this.setState('connecting', reason);
    const ceiling = Math.min(
      this.settings.reconnectMaxMs,
      this.settings.reconnectMinMs * 2 ** this.attempt++,
    );
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: unknown) =>
        this.gap(error instanceof Error ? error.message : String(error)),
      );
    }, Math.random() * ceiling);
  }

  /** The trades since the last one known and the state of their orders and of open orders. */
  private async reconcile(known: ReadonlyMap<string, number | undefined>): Promise<void> {
    const orderIds = new Map<string, Set<number>>();
    for (const symbol of this.settings.symbols) {
      const trades = await this.tradesSince(symbol, known.get(symbol));
      const ids = new Set<number>();
      for (const trade of trades) ids.add(trade.orderId);
      const open = await this.rest.signed<OrderRow[]>('GET', '/api/v3/openOrders', { symbol });
      for (const order of open) ids.add(order.orderId);
      orderIds.set(symbol, ids);
      const orders = new Map<number, OrderRow>(open.map((order) => [order.orderId, order]));
      for (const orderId of ids) {
        const order =
          orders.get(orderId) ??
          (await this.rest.signed<OrderRow>('GET', '/api/v3/order', { symbol, orderId }));
        orders.set(orderId, order);
      }
      for (const trade of trades) this.emit(tradeUpdate(trade, orders.get(trade.orderId)!));
      for (const order of orders.values()) this.emit(orderUpdate(order));
    }
    for (const orphan of this.handlers.orphans?.() ?? []) {
      try {
        const order = await this.rest.signed<OrderRow>('GET', '/api/v3/order', {
          symbol: orphan.symbol,
          origClientOrderId: orphan.clientOrderId,
        });
        this.emit(orderUpdate(order));
      } catch (error) {
        if (!(error instanceof ExchangeError) || error.code !== UNKNOWN_ORDER) throw error;
        this.handlers.lost?.(orphan.clientOrderId);
      }
    }
  }

  /**
   * The account's trades on a symbol after `last` (all the exchange keeps when undefined), in
   * pages of Binance's largest limit.
   */
  private async tradesSince(symbol: string, last: number | undefined): Promise<TradeRow[]> {
    const trades: TradeRow[] = [];
    for (let fromId = last === undefined ? undefined : last + 1; ;) {
      const page = await this.rest.signed<TradeRow[]>('GET', '/api/v3/myTrades', {
        symbol,
        ...(fromId === undefined ? {} : { fromId }),
        limit: TRADES_PAGE,
      });
      trades.push(...page);
      // Without fromId the exchange answers the latest page: there is nothing older to ask for.
      if (page.length < TRADES_PAGE || fromId === undefined) return trades;
      fromId = page[page.length - 1]!.id + 1;
    }
  }

  private emit(update: ExecutionUpdate): void {
    this.stats.reconciledUpdates++;
    this.handlers.update(update);
  }

  private setState(state: ConnectionState, reason?: string): void {
    this.stats.state = state;
    this.handlers.state?.(state, reason);
  }
}

/** What an order row says of its order. */
function facts(order: OrderRow): OrderFacts {
  return {
    symbol: order.symbol,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    side: order.side,
    orderType: order.type,
    quantity: units(order.origQty),
    price: units(order.price),
  };
}

/** A trade fetched over REST, as an update carrying its fill. */
function tradeUpdate(trade: TradeRow, order: OrderRow): ExecutionUpdate {
  const fill = {
    tradeId: trade.id,
    price: units(trade.price),
    quantity: units(trade.qty),
    quote: units(trade.quoteQty),
    commission: units(trade.commission),
    commissionAsset: trade.commissionAsset,
    maker: trade.isMaker,
  };
  return fillUpdate(facts(order), fill, trade.time);
}

/** An order's state fetched over REST. */
function orderUpdate(order: OrderRow): ExecutionUpdate {
  return stateUpdate(
    facts(order),
    order.status,
    units(order.executedQty),
    units(order.cummulativeQuoteQty),
    order.updateTime,
  );
}
