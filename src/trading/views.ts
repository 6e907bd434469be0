/**
 * The trading API's vocabulary and shapes: what the orders and bots REST API answers and what the
 * `orders.<account>`, `fills.<account>` and `bots.<account>.<botId>` topics carry (docs/TRADING.md).
 * The server builds its answers and events as these types and the client SDK re-exports them, so
 * the two cannot drift. No imports: the SDK's browser build compiles this file. Amounts are the
 * exchange's decimal strings; times are ms since the epoch.
 */

/**
 * An order's states in Tickwire: the exchange's, plus the pending states of a request in flight
 * (sent, not yet acknowledged; cancel sent, not yet confirmed).
 */
export const ORDER_STATES = [
  'PENDING_NEW',
  'NEW',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
  'FILLED',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/**
 * What an order is for: placed by hand (the orders API, or outside Tickwire) or by a bot, in one
 * of a DCA cycle's roles. Fill notifications carry it as `orderType`.
 */
export const ORDER_PURPOSES = ['manual', 'base_order', 'safety_order', 'take_profit', 'stop_loss'] as const;
export type OrderPurpose = (typeof ORDER_PURPOSES)[number];

export type OrderSide = 'BUY' | 'SELL';

/** `POST /api/v1/orders`. */
export interface NewOrderRequest {
  symbol: string;
  side: OrderSide;
  type: 'LIMIT' | 'MARKET';
  quantity: string;
  /** A LIMIT order's price; a MARKET order takes none. */
  price?: string;
  timeInForce?: 'GTC' | 'IOC' | 'FOK';
  /** 1-36 characters A-Z, a-z, 0-9, _ and -; one is made up when absent. */
  clientOrderId?: string;
}

/**
 * An order as the orders API and its events show it: `orderType` is what the order is for, `kind`
 * the exchange's order type (LIMIT, MARKET).
 */
export interface OrderView {
  symbol: string;
  /** The exchange's id; null until the exchange acknowledged the order. */
  orderId: number | null;
  clientOrderId: string;
  side: OrderSide;
  kind: string;
  orderType: OrderPurpose;
  botId?: string;
  state: OrderState;
  quantity: string;
  /** A limit order's price. */
  price?: string;
  filledQuantity: string;
  averagePrice: string;
  rejectReason?: string;
}

/** A fill's own figures, as the orders API and fill notifications show them. */
export interface FillFigures {
  tradeId: number;
  price: string;
  quantity: string;
  quote: string;
  commission: string;
  commissionAsset: string;
  maker: boolean;
}

/** One fill of the account's, as `GET /api/v1/fills` lists it. */
export interface AccountFill extends FillFigures {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  side: OrderSide;
  /** The exchange's transaction time. */
  time: number;
}

/** A position in one symbol, as `GET /api/v1/positions` lists it; P&L in the quote asset. */
export interface PositionView {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  quantity: string;
  averagePrice: string;
  cashFlow: string;
  realizedPnl: string;
  /** The last trade price; null until one is known (and then the unrealized P&L too). */
  markPrice: string | null;
  unrealizedPnl: string | null;
  /** Fees paid in assets other than the quote asset (BNB, …), by asset. */
  otherFees: Record<string, string>;
}

/** `GET` and `POST /api/v1/trading/kill-switch` (admin). */
export interface KillSwitchState {
  global: boolean;
  accounts: string[];
}

export const BOT_STATUSES = ['created', 'running', 'paused', 'stopping', 'stopped', 'error'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];
/**
 * Where a cycle is: waiting to start (after a cooldown), its base order in flight, averaging (safety
 * orders and take profit resting), closing (a market exit in flight), or done.
 */
export type CyclePhase = 'idle' | 'entering' | 'averaging' | 'closing';
export type CycleOutcome = 'take_profit' | 'stop_loss' | 'stopped';

export interface CycleSummary {
  cycle: number;
  startedAt: number;
  endedAt: number;
  outcome: CycleOutcome;
  safetyOrdersFilled: number;
  /** Quote asset: exit proceeds − entry cost − quote-asset fees + leftover base at the exit price. */
  pnl: string;
}

/** A DCA bot's settings, defaults filled in (docs/TRADING.md, "DCA bots", says what each does). */
export interface BotSettings {
  symbol: string;
  side: OrderSide;
  baseOrderQuantity: string;
  safetyOrderQuantity: string;
  maxSafetyOrders: number;
  priceDeviationPercent: number;
  stepScale: number;
  volumeScale: number;
  takeProfitPercent: number;
  stopLossPercent?: number | undefined;
  cooldownMs: number;
  maxCycles?: number | undefined;
}

/** `POST /api/v1/bots`: the settings, with defaults for all but these three. */
export type NewBotRequest = Partial<BotSettings> &
  Pick<BotSettings, 'symbol' | 'baseOrderQuantity' | 'safetyOrderQuantity'>;

/** What a bot's status events and its view share. */
export interface BotStatusFields {
  status: BotStatus;
  /** Why the bot stopped in status `error`: the refused order's code and message. */
  error?: string;
  cycle: number;
  completedCycles: number;
  realizedPnl: string;
}

/** A bot as the bots API shows it; `orders` (its orders, of every cycle) in the one-bot answers. */
export interface BotView extends BotStatusFields {
  botId: string;
  account: string;
  createdAt: number;
  config: BotSettings;
  currentCycle: {
    phase: CyclePhase;
    positionQuantity: string;
    averageEntry: string;
    safetyOrdersFilled: number;
    unrealizedPnl: string;
  };
  /** The last cycles (at most a hundred). */
  cycles: CycleSummary[];
  orders?: OrderView[];
}

/** A fill on `fills.<account>` (the critical lane). */
export interface OrderFillNotification extends FillFigures {
  type: 'order_fill_notification';
  account: string;
  symbol: string;
  /** The exchange's order id (-1 in the rare fill of an order it never acknowledged to us). */
  orderId: number;
  clientOrderId: string;
  side: OrderSide;
  orderType: OrderPurpose;
  botId?: string;
  /** The order's totals after this fill. */
  filledQuantity: string;
  averagePrice: string;
  state: OrderState;
  /** The exchange's event time (`E`), from which latency targets are measured. */
  eventTime: number;
  transactionTime: number;
}

/**
 * An order's state change on `orders.<account>` (the high lane): `order_status_update` for what the
 * exchange reported, `order_update` for Tickwire's own requests (sent, cancel pending, refused).
 */
export interface OrderEvent extends OrderView {
  type: 'order_status_update' | 'order_update';
  account: string;
  eventTime: number;
}

/** A bot's status change on `bots.<account>.<botId>`. */
export interface BotStatusEvent extends BotStatusFields {
  type: 'bot_status_update';
  botId: string;
  account: string;
  symbol: string;
  eventTime: number;
}

/** A bot's cycle moving on (entered, averaged, closed) on `bots.<account>.<botId>`. */
export interface BotCycleEvent {
  type: 'bot_cycle_update';
  botId: string;
  account: string;
  symbol: string;
  cycle: number;
  phase: CyclePhase;
  positionQuantity: string;
  averageEntry: string;
  safetyOrdersFilled: number;
  /** When a cycle has just ended. */
  outcome?: CycleOutcome;
  pnl?: string;
  realizedPnl: string;
  eventTime: number;
}

export type BotEvent = BotStatusEvent | BotCycleEvent;
