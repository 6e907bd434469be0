import { randomBytes } from 'node:crypto';
import { botsTopic, type MessageBus } from '../../bus/index.ts';
import { wallClockMs } from '../../wire/index.ts';
import { decimal, multiply } from '../amounts.ts';
import type { MarketReference } from '../market-reference.ts';
import { newClientOrderId, type OrderEntry } from '../order-entry.ts';
import type { OrderSnapshot } from '../order-tracker.ts';
import { orderView } from '../trading-publisher.ts';
import type { TradingStore } from '../storage/trading-store.ts';
import type { AccountBook } from '../account-book.ts';
import { type DcaConfig, dcaConfigSchema } from './dca-config.ts';
import { type BotContext, type BotState, DcaBot, initialState } from './dca-bot.ts';
import type { BotCycleEvent, BotStatusEvent, BotStatusFields, BotView } from '../views.ts';

/** How often running bots look at the clock and the price (cooldowns, stop losses). */
const WATCH_MS = 250;

/** A refusal of a bot operation, with the orders API's error code. */
export class BotError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'UNKNOWN_BOT' | 'BOT_RUNNING' | 'UNKNOWN_SYMBOL',
    message: string,
  ) {
    super(message);
  }
}

/**
 * One account's bots: created from a validated config, stored, restored at start, nudged by
 * every change of their orders (after the store has it) and by a watch timer, and published to
 * `bots.<account>.<botId>` (the gateway's high lane): `bot_status_update` when a bot's status
 * changes, `bot_cycle_update` when its cycle moves.
 */
export class BotHost {
  private readonly bots = new Map<string, DcaBot>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly account: string,
    private readonly store: TradingStore,
    private readonly book: AccountBook,
    private readonly entry: OrderEntry,
    private readonly market: MarketReference,
    private readonly bus: MessageBus,
  ) {}

  /** Loads the account's bots from the store (after the account's orders were restored). */
  async restore(): Promise<void> {
    for (const row of await this.store.bots(this.account)) {
      const config = dcaConfigSchema.parse(JSON.parse(row.config));
      const state = { ...initialState(), ...(JSON.parse(row.state) as Partial<BotState>) };
      this.bots.set(
        row.botId,
        new DcaBot(this.account, row.botId, config, state, row.createdAt, this.context),
      );
    }
  }

  /** Starts the watch and lets every running bot catch up with what happened while it was away. */
  start(): void {
    this.timer = setInterval(() => {
      for (const bot of this.bots.values()) if (bot.state.status === 'running') void bot.nudge();
    }, WATCH_MS);
    this.timer.unref();
    for (const bot of this.bots.values()) void bot.nudge();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** An order of a bot moved (stored already): its bot takes its next step. */
  orderChanged(order: OrderSnapshot, eventTime: number): void {
    const botId = order.origin.botId;
    if (botId !== undefined) void this.bots.get(botId)?.nudge(eventTime);
  }

  async create(input: unknown): Promise<DcaBot> {
    const config: DcaConfig = dcaConfigSchema.parse(input);
    if (this.market.rulesOf(config.symbol) === undefined)
      throw new BotError(400, 'UNKNOWN_SYMBOL', `account ${this.account} does not trade ${config.symbol}`);
    const botId = `b${randomBytes(5).toString('hex')}`;
    const bot = new DcaBot(this.account, botId, config, initialState(), Date.now(), this.context);
    this.bots.set(botId, bot);
    await this.context.save(bot);
    this.context.statusChanged(bot, wallClockMs());
    return bot;
  }

  list(): DcaBot[] {
    return [...this.bots.values()];
  }

  get(botId: string): DcaBot {
    const bot = this.bots.get(botId);
    if (bot === undefined)
      throw new BotError(404, 'UNKNOWN_BOT', `no bot ${botId} in account ${this.account}`);
    return bot;
  }

  /** Deletes a bot that is not trading (created, stopped or in error); its orders stay in the history. */
  async delete(botId: string): Promise<void> {
    const bot = this.get(botId);
    if (!['created', 'stopped', 'error'].includes(bot.state.status))
      throw new BotError(409, 'BOT_RUNNING', `bot ${botId} is ${bot.state.status}: stop it first`);
    await this.store.deleteBot(this.account, botId);
    this.bots.delete(botId);
  }

  /** A bot as the REST API shows it: config, state, its orders and the cycle's P&L. */
  view(bot: DcaBot, withOrders: boolean): BotView {
    const position = bot.position();
    const mark = this.market.lastPrice(bot.config.symbol);
    const long = bot.config.side === 'BUY';
    const value = mark === undefined ? undefined : multiply(mark, position.quantity);
    // Open position at the mark, against what it cost (long) or brought in (short).
    const unrealized =
      value === undefined || bot.state.phase === 'idle'
        ? 0n
        : long
          ? value + position.exitedQuote - position.enteredQuote - position.quoteFees
          : position.enteredQuote - position.exitedQuote - value - position.quoteFees;
    return {
      botId: bot.botId,
      account: this.account,
      createdAt: bot.createdAt,
      config: bot.config,
      ...statusFields(bot),
      currentCycle: {
        phase: bot.state.phase,
        positionQuantity: decimal(position.quantity),
        averageEntry: decimal(position.averageEntry),
        safetyOrdersFilled: position.safetyOrdersFilled,
        unrealizedPnl: decimal(unrealized),
      },
      cycles: bot.state.cycles,
      ...(withOrders
        ? {
            orders: this.book
              .orders()
              .filter((order) => order.origin.botId === bot.botId)
              .map(orderView),
          }
        : {}),
    };
  }

  private readonly context: BotContext = {
    submit: (order, origin) => this.entry.submit(order, origin),
    cancel: (order) => this.entry.cancel(order),
    order: (clientOrderId) => this.book.byClientOrderId(clientOrderId),
    rules: (symbol) => this.market.rulesOf(symbol),
    lastPrice: (symbol) => this.market.lastPrice(symbol),
    newClientOrderId,
    save: (bot) =>
      this.store.saveBot({
        account: this.account,
        botId: bot.botId,
        config: JSON.stringify(bot.config),
        status: bot.state.status,
        state: JSON.stringify(bot.state),
        createdAt: bot.createdAt,
        updatedAt: Date.now(),
      }),
    statusChanged: (bot, eventTime) =>
      this.bus.publish(botsTopic(this.account, bot.botId), {
        type: 'bot_status_update',
        botId: bot.botId,
        account: this.account,
        symbol: bot.config.symbol,
        ...statusFields(bot),
        eventTime,
      } satisfies BotStatusEvent),
    cycleChanged: (bot, eventTime) => {
      const position = bot.position();
      const last = bot.state.phase === 'idle' ? bot.state.cycles.at(-1) : undefined;
      this.bus.publish(botsTopic(this.account, bot.botId), {
        type: 'bot_cycle_update',
        botId: bot.botId,
        account: this.account,
        symbol: bot.config.symbol,
        cycle: bot.state.cycle,
        phase: bot.state.phase,
        positionQuantity: decimal(position.quantity),
        averageEntry: decimal(position.averageEntry),
        safetyOrdersFilled: position.safetyOrdersFilled,
        ...(last === undefined ? {} : { outcome: last.outcome, pnl: last.pnl }),
        realizedPnl: bot.state.realizedPnl,
        eventTime,
      } satisfies BotCycleEvent);
    },
  };
}

function statusFields(bot: DcaBot): BotStatusFields {
  return {
    status: bot.state.status,
    ...(bot.state.error === undefined ? {} : { error: bot.state.error }),
    cycle: bot.state.cycle,
    completedCycles: bot.state.completedCycles,
    realizedPnl: bot.state.realizedPnl,
  };
}
