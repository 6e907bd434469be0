import { wallClockMs } from '../../wire/index.ts';
import { decimal, divide, multiply, units } from '../amounts.ts';
import type { SymbolRules } from '../market-reference.ts';
import { floorTo } from '../market-reference.ts';
import type { NewOrder } from '../order-entry.ts';
import type { OrderOrigin, TrackedOrder } from '../order-tracker.ts';
import { PreTradeError } from '../pre-trade-checks.ts';
import type { DcaConfig } from './dca-config.ts';
import { safetyLevels, stopLossHit, takeProfitPrice } from './dca-plan.ts';
import type { BotStatus, CycleOutcome, CyclePhase, CycleSummary, OrderPurpose } from '../views.ts';

/** A bot's running state: what the store keeps, what a restart carries on from. */
export interface BotState {
  status: BotStatus;
  error: string | undefined;
  cycle: number;
  phase: CyclePhase;
  cycleStartedAt: number;
  cooldownUntil: number;
  /** Client order ids of the current cycle's orders, by role. */
  base: string | undefined;
  safety: string[];
  takeProfit: string | undefined;
  /** Take profits replaced by a larger one during the cycle: their partial fills still count. */
  replacedTakeProfits: string[];
  exit: string | undefined;
  /** Safety orders filled as last published: a new one is told before the take profit moves. */
  reportedSafetyFilled: number;
  /** Close the position when a stop completes. */
  closeOnStop: boolean;
  completedCycles: number;
  /** The last cycles (at most KEPT_CYCLES; older ones are in the orders table). */
  cycles: CycleSummary[];
  realizedPnl: string;
}

/** Cycles kept in a bot's state (older ones are in the orders table). */
const KEPT_CYCLES = 100;

/** What a bot does through its account: the account's submit path, book and market. */
export interface BotContext {
  submit(order: NewOrder, origin: OrderOrigin): Promise<TrackedOrder>;
  cancel(order: TrackedOrder): Promise<TrackedOrder>;
  order(clientOrderId: string): TrackedOrder | undefined;
  rules(symbol: string): SymbolRules | undefined;
  lastPrice(symbol: string): bigint | undefined;
  newClientOrderId(): string;
  /** Writes the bot (config and state); resolves once stored. */
  save(bot: DcaBot): Promise<void>;
  /** Publishes after save: a status change, or a cycle's progress. */
  statusChanged(bot: DcaBot, eventTime: number): void;
  cycleChanged(bot: DcaBot, eventTime: number): void;
}

export function initialState(): BotState {
  return {
    status: 'created',
    error: undefined,
    cycle: 0,
    phase: 'idle',
    cycleStartedAt: 0,
    cooldownUntil: 0,
    base: undefined,
    safety: [],
    takeProfit: undefined,
    replacedTakeProfits: [],
    reportedSafetyFilled: 0,
    exit: undefined,
    closeOnStop: false,
    completedCycles: 0,
    cycles: [],
    realizedPnl: '0.00000000',
  };
}

/** A cycle's position, from its orders' fills (what the exchange did, not what was planned). */
export interface CyclePosition {
  /** Base held now: entered − exited − base-asset fees. */
  quantity: bigint;
  entered: bigint;
  enteredQuote: bigint;
  exitedQuote: bigint;
  quoteFees: bigint;
  averageEntry: bigint;
  safetyOrdersFilled: number;
}

/**
 * A DCA / martingale bot (docs/TRADING.md, "Bots"). Its decisions are made from its orders' states
 * in the account's book, never from the events that moved them: `advance` looks at where the cycle
 * is and does the next step, so a repeated or reordered report, or a restart in mid-cycle (the book
 * rebuilt from the store and reconciled with the exchange), leads to the same next step. Each step
 * records the client id of an order in the state and saves it before sending the order, so a bot
 * killed between the two re-sends that same id, which the exchange refuses to take twice.
 */
export class DcaBot {
  private running: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;

  constructor(
    readonly account: string,
    readonly botId: string,
    readonly config: DcaConfig,
    readonly state: BotState,
    readonly createdAt: number,
    private readonly context: BotContext,
  ) {}

  private get long(): boolean {
    return this.config.side === 'BUY';
  }

  /** Starts or resumes. */
  start(eventTime = wallClockMs()): Promise<void> {
    return this.setStatus(['created', 'paused', 'stopped', 'error'], 'running', eventTime);
  }

  /** Keeps the resting orders and stops acting until resumed. */
  pause(eventTime = wallClockMs()): Promise<void> {
    return this.setStatus(['running'], 'paused', eventTime);
  }

  /** Cancels the cycle's resting orders and, when asked, closes its position at market. */
  async stop(closePosition: boolean, eventTime = wallClockMs()): Promise<void> {
    if (this.state.status === 'stopped' || this.state.status === 'stopping') return;
    this.state.closeOnStop = closePosition;
    await this.setStatus(['created', 'running', 'paused', 'error'], 'stopping', eventTime);
  }

  /** Something may have changed (an order of the bot, the clock, the price): take the next step. */
  nudge(eventTime = wallClockMs()): Promise<void> {
    if (this.busy) {
      this.again = true;
      return this.running;
    }
    this.busy = true;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.advance(eventTime);
        } catch (error) {
          await this.fail(error, eventTime);
        }
      } while (this.again);
      this.busy = false;
    })();
    return this.running;
  }

  /** The current cycle's position, from its orders' fills. */
  position(): CyclePosition {
    const rules = this.context.rules(this.config.symbol);
    let entered = 0n;
    let enteredQuote = 0n;
    let exited = 0n;
    let exitedQuote = 0n;
    let baseFees = 0n;
    let quoteFees = 0n;
    let safetyOrdersFilled = 0;
    const entries = [this.state.base, ...this.state.safety];
    const exits = [this.state.takeProfit, this.state.exit, ...this.state.replacedTakeProfits];
    const add = (id: string | undefined, entry: boolean) => {
      const order = id === undefined ? undefined : this.context.order(id);
      if (order === undefined) return;
      for (const fill of order.fills.values()) {
        if (entry) {
          entered += fill.quantity;
          enteredQuote += fill.quote;
        } else {
          exited += fill.quantity;
          exitedQuote += fill.quote;
        }
        if (fill.commissionAsset === rules?.baseAsset) baseFees += fill.commission;
        else if (fill.commissionAsset === rules?.quoteAsset) quoteFees += fill.commission;
      }
    };
    for (const id of entries) add(id, true);
    for (const id of exits) add(id, false);
    for (const id of this.state.safety) if (this.context.order(id)?.state === 'FILLED') safetyOrdersFilled++;
    // A long holds what it bought less what it sold and the fees taken in base; a short the reverse.
    const quantity = this.long ? entered - exited - baseFees : entered - exited + baseFees;
    return {
      quantity,
      entered,
      enteredQuote,
      exitedQuote,
      quoteFees,
      averageEntry: divide(enteredQuote, entered),
      safetyOrdersFilled,
    };
  }

  private async advance(eventTime: number): Promise<void> {
    const state = this.state;
    if (state.status === 'stopping') return this.advanceStop(eventTime);
    if (state.status !== 'running') return;
    const now = Date.now();
    switch (state.phase) {
      case 'idle': {
        if (this.config.maxCycles !== undefined && state.completedCycles >= this.config.maxCycles) {
          this.state.status = 'stopped';
          return this.saveAndTell('status', eventTime);
        }
        if (now < state.cooldownUntil) return;
        state.cycle++;
        state.cycleStartedAt = now;
        state.base = this.context.newClientOrderId();
        state.safety = [];
        state.takeProfit = undefined;
        state.exit = undefined;
        state.replacedTakeProfits = [];
        state.reportedSafetyFilled = 0;
        state.phase = 'entering';
        await this.saveAndTell('cycle', eventTime);
        await this.place(state.base, 'base_order', { type: 'MARKET', quantity: this.baseQuantity() });
        return;
      }
      case 'entering': {
        const base = this.context.order(state.base!);
        if (base === undefined) return this.resend(state.base!, 'base_order');
        if (base.state === 'FILLED') return this.enterAveraging(eventTime);
        if (!base.isOpen) {
          // Refused or expired without a fill: the cycle cannot start.
          return this.fail(
            new Error(`the base order ended ${base.state}: ${base.rejectReason ?? ''}`),
            eventTime,
          );
        }
        return;
      }
      case 'averaging':
        return this.advanceAveraging(eventTime);
      case 'closing': {
        const exit = this.context.order(state.exit!);
        if (exit === undefined) return this.resend(state.exit!, 'stop_loss');
        if (!exit.isOpen) return this.endCycle('stop_loss', eventTime);
        return;
      }
    }
  }

  private async enterAveraging(eventTime: number): Promise<void> {
    const state = this.state;
    const position = this.position();
    const rules = this.rules();
    const levels = safetyLevels(this.config, position.averageEntry, rules);
    state.safety = levels.map(() => this.context.newClientOrderId());
    state.phase = 'averaging';
    await this.saveAndTell('cycle', eventTime);
    for (const [i, level] of levels.entries()) {
      await this.place(state.safety[i]!, 'safety_order', {
        type: 'LIMIT',
        quantity: level.quantity,
        price: level.price,
      });
    }
    await this.replaceTakeProfit(eventTime);
  }

  private async advanceAveraging(eventTime: number): Promise<void> {
    const state = this.state;
    const position = this.position();
    const takeProfit = state.takeProfit === undefined ? undefined : this.context.order(state.takeProfit);
    if (
      takeProfit?.state === 'FILLED' ||
      (position.quantity <= this.dust() && takeProfit !== undefined && !takeProfit.isOpen)
    ) {
      // Told first, then the safety orders left are canceled (before the next cycle starts).
      const open = [...state.safety];
      await this.endCycle('take_profit', eventTime);
      return this.cancelOpen(open);
    }
    if (position.safetyOrdersFilled !== state.reportedSafetyFilled) {
      state.reportedSafetyFilled = position.safetyOrdersFilled;
      await this.saveAndTell('cycle', eventTime);
    }
    const mark = this.context.lastPrice(this.config.symbol);
    if (mark !== undefined && stopLossHit(this.config, position.averageEntry, mark)) {
      return this.exitAtMarket('stop_loss', eventTime);
    }
    // The take profit must cover the whole position at its current average: re-place it when a
    // safety order has added to the position since it was placed (or it is missing).
    const wanted = this.exitQuantity(position);
    const resting = takeProfit === undefined ? 0n : takeProfit.quantity - takeProfit.filledQuantity;
    if (
      takeProfit === undefined ||
      (takeProfit.isOpen && resting < wanted) ||
      (!takeProfit.isOpen && wanted > this.dust())
    )
      await this.replaceTakeProfit(eventTime);
  }

  private async replaceTakeProfit(eventTime: number): Promise<void> {
    const state = this.state;
    const old = state.takeProfit === undefined ? undefined : this.context.order(state.takeProfit);
    if (old?.isOpen) await this.context.cancel(old);
    if (old !== undefined) {
      state.replacedTakeProfits.push(old.clientOrderId);
      state.takeProfit = undefined;
    }
    const position = this.position();
    const quantity = this.exitQuantity(position);
    if (quantity <= 0n) return;
    state.takeProfit = this.context.newClientOrderId();
    await this.saveAndTell('cycle', eventTime);
    await this.place(state.takeProfit, 'take_profit', {
      type: 'LIMIT',
      quantity,
      price: takeProfitPrice(this.config, position.averageEntry, this.rules()),
    });
  }

  private async exitAtMarket(outcome: 'stop_loss' | 'stopped', eventTime: number): Promise<void> {
    const state = this.state;
    await this.cancelOpen([...state.safety, ...(state.takeProfit ? [state.takeProfit] : [])]);
    const quantity = this.exitQuantity(this.position());
    if (quantity <= 0n) return this.endCycle(outcome, eventTime);
    state.exit = this.context.newClientOrderId();
    state.phase = 'closing';
    await this.saveAndTell('cycle', eventTime);
    await this.place(state.exit, outcome === 'stop_loss' ? 'stop_loss' : 'manual', {
      type: 'MARKET',
      quantity,
    });
  }

  private async advanceStop(eventTime: number): Promise<void> {
    const state = this.state;
    if (state.phase === 'closing') {
      const exit = this.context.order(state.exit!);
      if (exit?.isOpen) return;
      return this.finishStop(eventTime);
    }
    if (state.phase !== 'idle' && state.closeOnStop) {
      await this.exitAtMarket('stopped', eventTime);
      if ((state.phase as CyclePhase) === 'closing') return;
    } else {
      await this.cancelOpen([
        ...(state.base ? [state.base] : []),
        ...state.safety,
        ...(state.takeProfit ? [state.takeProfit] : []),
      ]);
    }
    return this.finishStop(eventTime);
  }

  private async finishStop(eventTime: number): Promise<void> {
    if (this.state.phase !== 'idle' && this.state.closeOnStop) await this.endCycle('stopped', eventTime);
    this.state.status = 'stopped';
    await this.saveAndTell('status', eventTime);
  }

  private async endCycle(outcome: CycleOutcome, eventTime: number): Promise<void> {
    const state = this.state;
    const position = this.position();
    const exitPrice = this.context.lastPrice(this.config.symbol) ?? position.averageEntry;
    // Leftover base (below the lot step) is valued at the last price.
    const leftover = multiply(exitPrice, position.quantity);
    const pnl = this.long
      ? position.exitedQuote - position.enteredQuote - position.quoteFees + leftover
      : position.enteredQuote - position.exitedQuote - position.quoteFees - leftover;
    state.cycles.push({
      cycle: state.cycle,
      startedAt: state.cycleStartedAt,
      endedAt: Date.now(),
      outcome,
      safetyOrdersFilled: position.safetyOrdersFilled,
      pnl: decimal(pnl),
    });
    if (state.cycles.length > KEPT_CYCLES) state.cycles.shift();
    state.completedCycles++;
    state.realizedPnl = decimal(units(state.realizedPnl) + pnl);
    state.phase = 'idle';
    state.cooldownUntil = Date.now() + this.config.cooldownMs;
    await this.saveAndTell('cycle', eventTime);
    if (this.config.cooldownMs === 0) this.again = true;
  }

  /** Cancels the orders still open, all at once (one round trip, not one per order). */
  private async cancelOpen(ids: readonly string[]): Promise<void> {
    const open = ids
      .map((id) => this.context.order(id))
      .filter((order) => order !== undefined && order.isOpen && order.state !== 'PENDING_NEW');
    await Promise.all(open.map((order) => this.context.cancel(order!)));
  }

  /** An order the state names but the book does not have: the process died before sending it. */
  private async resend(clientOrderId: string, purpose: OrderPurpose): Promise<void> {
    if (purpose === 'base_order')
      await this.place(clientOrderId, purpose, { type: 'MARKET', quantity: this.baseQuantity() });
    else
      await this.place(clientOrderId, purpose, {
        type: 'MARKET',
        quantity: this.exitQuantity(this.position()),
      });
  }

  private async place(
    clientOrderId: string,
    purpose: OrderPurpose,
    order: { type: 'LIMIT' | 'MARKET'; quantity: bigint; price?: bigint },
  ): Promise<void> {
    const entry = purpose === 'base_order' || purpose === 'safety_order';
    const side = entry === this.long ? 'BUY' : 'SELL';
    await this.context.submit(
      { symbol: this.config.symbol, side, clientOrderId, ...order },
      { purpose, botId: this.botId },
    );
  }

  private exitQuantity(position: CyclePosition): bigint {
    const held = position.quantity < 0n ? -position.quantity : position.quantity;
    return floorTo(held, this.rules().stepSize);
  }

  /** Less than one lot step: what cannot be sold. */
  private dust(): bigint {
    return this.rules().stepSize - 1n;
  }

  private baseQuantity(): bigint {
    return floorTo(units(this.config.baseOrderQuantity), this.rules().stepSize);
  }

  private rules(): SymbolRules {
    const rules = this.context.rules(this.config.symbol);
    if (rules === undefined) throw new Error(`the account does not trade ${this.config.symbol}`);
    return rules;
  }

  /** A status change asked from outside: after the step in progress, then a step in the new status. */
  private async setStatus(from: readonly BotStatus[], to: BotStatus, eventTime: number): Promise<void> {
    await this.running;
    if (!from.includes(this.state.status)) return;
    this.state.status = to;
    if (to === 'running') this.state.error = undefined;
    await this.saveAndTell('status', eventTime);
    await this.nudge(eventTime);
  }

  private async fail(error: unknown, eventTime: number): Promise<void> {
    this.state.status = 'error';
    this.state.error =
      error instanceof PreTradeError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    await this.saveAndTell('status', eventTime);
  }

  private async saveAndTell(what: 'status' | 'cycle', eventTime: number): Promise<void> {
    await this.context.save(this);
    if (what === 'status') this.context.statusChanged(this, eventTime);
    else this.context.cycleChanged(this, eventTime);
  }
}
