import type { Alert, AlertList, HostSnapshot, LatencyReport } from '../monitor/views.ts';
import type { Candle, DepthView, KlinesView, SymbolEntry, TickerRow } from '../platform/views.ts';
import type {
  AccountFill,
  BotView,
  KillSwitchState,
  NewBotRequest,
  NewOrderRequest,
  OrderView,
  PositionView,
} from '../trading/views.ts';

export interface TickwireApiOptions {
  /** The node's HTTP base, e.g. `http://127.0.0.1:8001` (in a browser on the node's page: `location.origin`). */
  url: string;
  /** An API key, sent as `X-API-Key`. */
  apiKey?: string;
  /** A JWT, or a function that returns a current one (called before each request), sent as a Bearer token. */
  token?: string | (() => string | Promise<string>);
  /** Abort a request after this long, ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A refusal of the REST API, with the server's stable code (docs/ERRORS.md lists every one, e.g.
 * `MAX_ORDER_NOTIONAL`, `UNKNOWN_BOT`, `FORBIDDEN`), or the client's own: `NETWORK` (no answer:
 * refused, reset or timed out) and `BAD_RESPONSE` (an answer that is not the API's JSON).
 */
export class TickwireApiError extends Error {
  override readonly name = 'TickwireApiError';
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status; 0 when no answer came. */
    readonly status: number,
    /** The whole error body (a refused order also carries `order`). */
    readonly body?: unknown,
  ) {
    // Some server messages already start with their code.
    super(message.startsWith(`${code}: `) ? message : `${code}: ${message}`);
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * The node's REST API with types: the caller's orders, fills, positions and bots; market snapshots
 * for a first paint; latency, alerts and the host; and, for admins, the kill switch and the
 * connection management API. Every refusal rejects with a TickwireApiError. Uses the global
 * `fetch` (browsers, Node 18+).
 */
export class TickwireApi {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: TickwireApiOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  // Orders, fills and positions of the caller's account (docs/TRADING.md, "Orders API").

  async placeOrder(order: NewOrderRequest): Promise<OrderView> {
    return (await this.request<{ order: OrderView }>('POST', '/api/v1/orders', undefined, order)).order;
  }

  /** Cancels by client order id or exchange order id. */
  async cancelOrder(id: string | number): Promise<OrderView> {
    return (await this.request<{ order: OrderView }>('DELETE', `/api/v1/orders/${segment(id)}`)).order;
  }

  async orders(filter: { symbol?: string; open?: boolean } = {}): Promise<OrderView[]> {
    return (await this.request<{ orders: OrderView[] }>('GET', '/api/v1/orders', filter)).orders;
  }

  async fills(filter: { symbol?: string } = {}): Promise<AccountFill[]> {
    return (await this.request<{ fills: AccountFill[] }>('GET', '/api/v1/fills', filter)).fills;
  }

  async positions(): Promise<PositionView[]> {
    return (await this.request<{ positions: PositionView[] }>('GET', '/api/v1/positions')).positions;
  }

  // DCA bots (docs/TRADING.md, "DCA bots").

  async bots(): Promise<BotView[]> {
    return (await this.request<{ bots: BotView[] }>('GET', '/api/v1/bots')).bots;
  }

  /** One bot, with its orders. */
  async bot(botId: string): Promise<BotView> {
    return (await this.request<{ bot: BotView }>('GET', `/api/v1/bots/${segment(botId)}`)).bot;
  }

  async createBot(settings: NewBotRequest): Promise<BotView> {
    return (await this.request<{ bot: BotView }>('POST', '/api/v1/bots', undefined, settings)).bot;
  }

  startBot(botId: string): Promise<BotView> {
    return this.botAction(botId, 'start');
  }

  pauseBot(botId: string): Promise<BotView> {
    return this.botAction(botId, 'pause');
  }

  /** Stops after the orders are cancelled; `closePosition` also sells (buys back) what the cycle holds. */
  stopBot(botId: string, options: { closePosition?: boolean } = {}): Promise<BotView> {
    return this.botAction(botId, 'stop', options);
  }

  /** Deletes a bot that is not running (409 BOT_RUNNING otherwise). */
  async deleteBot(botId: string): Promise<void> {
    await this.request('DELETE', `/api/v1/bots/${segment(botId)}`);
  }

  // Market snapshots, for a first paint before the stream takes over.

  async symbols(): Promise<SymbolEntry[]> {
    return (await this.request<{ symbols: SymbolEntry[] }>('GET', '/api/v1/symbols')).symbols;
  }

  async ticker(): Promise<TickerRow[]> {
    return (await this.request<{ symbols: TickerRow[] }>('GET', '/api/v1/ticker')).symbols;
  }

  /** The feed's book of a symbol, `limit` levels a side (default 20, at most 100). */
  depth(symbol: string, limit?: number): Promise<DepthView> {
    return this.request<DepthView>('GET', '/api/v1/depth', { symbol, limit });
  }

  /** Candles from the venue, oldest first (interval default 1m; limit default 300, at most 1,000). */
  async klines(symbol: string, options: { interval?: string; limit?: number } = {}): Promise<Candle[]> {
    return (await this.request<KlinesView>('GET', '/api/v1/klines', { symbol, ...options })).candles;
  }

  // Monitoring (docs/MONITORING.md).

  latency(): Promise<LatencyReport> {
    return this.request<LatencyReport>('GET', '/api/v1/latency');
  }

  alerts(): Promise<AlertList> {
    return this.request<AlertList>('GET', '/api/v1/alerts');
  }

  /** (admin) Acknowledges an alert; `silenceMs` also silences its rule's webhook for that long. */
  async acknowledgeAlert(alertId: string, silenceMs?: number): Promise<Alert> {
    const body = silenceMs === undefined ? {} : { silenceMs };
    return (
      await this.request<{ alert: Alert }>('POST', `/api/v1/alerts/${segment(alertId)}/ack`, undefined, body)
    ).alert;
  }

  /** The newest host and process sample. */
  host(): Promise<HostSnapshot> {
    return this.request<HostSnapshot>('GET', '/api/v1/monitor');
  }

  /** The node's health with each component's status (answered with 503 too: that is a report, not a failure). */
  health(): Promise<HealthReport> {
    return this.request<HealthReport>('GET', '/health', undefined, undefined, [503]);
  }

  /** Pipeline, bus and gateway figures (docs/MONITORING.md lists them; a diagnostic shape). */
  stats(): Promise<Record<string, unknown>> {
    return this.request('GET', '/api/v1/stats');
  }

  /** The feed's connections, streams and books (docs/FEEDS.md; a diagnostic shape). */
  feeds(): Promise<Record<string, unknown>> {
    return this.request('GET', '/api/v1/feeds');
  }

  // Administration: the kill switch (docs/TRADING.md) and connections (docs/PROTOCOL.md, "Management API").

  killSwitch(): Promise<KillSwitchState> {
    return this.request<KillSwitchState>('GET', '/api/v1/trading/kill-switch');
  }

  /** Engages or releases the kill switch of one account, or of all without `account`. */
  setKillSwitch(change: { account?: string; engaged: boolean }): Promise<KillSwitchState> {
    return this.request<KillSwitchState>('POST', '/api/v1/trading/kill-switch', undefined, change);
  }

  async connections(): Promise<ConnectionSummary[]> {
    return (await this.request<{ connections: ConnectionSummary[] }>('GET', '/api/v1/websocket/connections'))
      .connections;
  }

  async closeConnection(connectionId: string): Promise<void> {
    await this.request('DELETE', `/api/v1/websocket/connections/${segment(connectionId)}`);
  }

  /** Subscribers per topic, and each connection's subscriptions. */
  subscriptions(): Promise<{ topics: Record<string, number>; connections: Record<string, string[]> }> {
    return this.request('GET', '/api/v1/websocket/subscriptions');
  }

  /** Subscribes a connection from the server side. */
  async subscribeConnection(request: {
    connection: string;
    topics: string[];
    filter?: unknown;
    format?: 'json' | 'binary';
  }): Promise<void> {
    await this.request('POST', '/api/v1/websocket/subscriptions', undefined, request);
  }

  /** Publishes `data` on `topic` on every node sharing the bus. */
  async broadcast(message: { topic: string; data: unknown; priority?: string }): Promise<void> {
    await this.request('POST', '/api/v1/websocket/broadcast', undefined, message);
  }

  private async botAction(botId: string, action: string, body: unknown = undefined): Promise<BotView> {
    return (
      await this.request<{ bot: BotView }>(
        'POST',
        `/api/v1/bots/${segment(botId)}/${action}`,
        undefined,
        body,
      )
    ).bot;
  }

  private async request<T>(
    method: string,
    path: string,
    query?: Query,
    body?: unknown,
    /** Statuses besides 2xx whose body is the answer. */
    answers: readonly number[] = [],
  ): Promise<T> {
    const url = new URL(this.base + path);
    for (const [name, value] of Object.entries(query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const { apiKey, token } = this.options;
    if (apiKey !== undefined) headers['x-api-key'] = apiKey;
    if (token !== undefined)
      headers.authorization = `Bearer ${typeof token === 'function' ? await token() : token}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new TickwireApiError('NETWORK', `${method} ${path}: ${(error as Error).message}`, 0);
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      throw new TickwireApiError(
        'BAD_RESPONSE',
        `${method} ${path} answered ${response.status} without JSON`,
        response.status,
      );
    }
    if (response.ok || answers.includes(response.status)) return parsed as T;
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    throw new TickwireApiError(
      typeof error?.code === 'string' ? error.code : `HTTP_${response.status}`,
      typeof error?.message === 'string' ? error.message : `${method} ${path} answered ${response.status}`,
      response.status,
      parsed,
    );
  }
}

/** `GET /health`: the node's status and each component's (docs/MONITORING.md, "Health"). */
export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  components: Record<string, { status: string; reason?: string }>;
  uptimeSeconds: number;
  [field: string]: unknown;
}

/** A connection as the management API lists it (docs/PROTOCOL.md, "Management API"). */
export interface ConnectionSummary {
  id: string;
  /** Null for an anonymous connection. */
  account: string | null;
  address: string;
  subscriptions: string[];
  bufferedBytes: number;
  /** Messages queued per priority lane. */
  lanes: Record<string, number>;
  messagesIn: number;
  messagesOut: number;
  /** ISO 8601. */
  connectedAt: string;
}

/** An id inside a path. */
function segment(id: string | number): string {
  return encodeURIComponent(String(id));
}
