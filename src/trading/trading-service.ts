import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { MessageBus } from '../bus/index.ts';
import { PreTradeChecks } from './pre-trade-checks.ts';
import { PostgresStore } from './storage/postgres-store.ts';
import { SqliteStore } from './storage/sqlite-store.ts';
import type { TradingStore } from './storage/trading-store.ts';
import { preTradeLimits, type TradingAccountConfig, type TradingConfig } from './trading-config.ts';
import { type ExchangeUrls, TradingDesk } from './trading-desk.ts';

export interface TradingServiceOptions {
  config: TradingConfig;
  /** `data/tickwire.db` (SQLite) or `postgres://…` (docs/TRADING.md, "Storage"). */
  db: string;
  bus: MessageBus;
  log: Logger;
  /** The node's embedded simulator, when it runs one: accounts without URLs trade there. */
  embedded?: ExchangeUrls | undefined;
}

/** Balances of the demo account `npm start` creates on the embedded simulator. */
const DEMO_BALANCES = { USDT: '100000', BTC: '1', ETH: '10' };
/** A desk whose exchange could not be reached at start tries again this often. */
const START_RETRY_MS = 5_000;

/**
 * Opens the store `db` names: PostgreSQL for a postgres:// URL (in the schema its `schema`
 * parameter names, `tickwire` by default), else a SQLite file.
 */
export async function openTradingStore(db: string): Promise<TradingStore> {
  if (!/^postgres(ql)?:\/\//.test(db)) return new SqliteStore(db);
  const url = new URL(db);
  const schema = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  return PostgresStore.open(url.toString(), schema);
}

/**
 * A node's trading: the store, the pre-trade checks shared by its accounts (their kill switches),
 * and a desk per configured account. With no account configured and an embedded simulator, a
 * `demo` account is made there, with a fresh Tickwire API key (`demoApiKey`) that `npm start`
 * prints, so trading can be tried at once.
 */
export class TradingService {
  readonly checks: PreTradeChecks;
  private readonly desks = new Map<string, TradingDesk>();
  private readonly retries = new Set<NodeJS.Timeout>();
  /** The demo account's Tickwire API key, when one was made. */
  readonly demoApiKey: string | undefined;
  private stopped = false;

  private constructor(
    private readonly store: TradingStore,
    private readonly options: TradingServiceOptions,
  ) {
    this.checks = new PreTradeChecks(preTradeLimits(options.config.limits));
    let accounts = options.config.accounts;
    if (accounts.length === 0 && options.embedded !== undefined) {
      this.demoApiKey = randomBytes(16).toString('hex');
      accounts = [
        {
          account: 'demo',
          apiKey: randomBytes(32).toString('hex'),
          apiSecret: randomBytes(32).toString('hex'),
          symbols: ['BTCUSDT', 'ETHUSDT'],
          simBalances: DEMO_BALANCES,
        },
      ];
    }
    for (const account of accounts) {
      if (account.restUrl === undefined && options.embedded === undefined)
        throw new Error(
          `trading account ${account.account} has no restUrl/wsUrl and this node runs no simulator`,
        );
      this.desks.set(account.account, this.newDesk(account));
    }
  }

  private newDesk(account: TradingAccountConfig): TradingDesk {
    const embedded = this.options.embedded!;
    // The embedded simulator's WebSocket API is always there; another exchange's when configured.
    const urls =
      account.restUrl !== undefined
        ? { restUrl: account.restUrl, wsUrl: account.wsUrl!, wsApiUrl: account.wsApiUrl }
        : { ...embedded, wsApiUrl: `${embedded.wsUrl}/ws-api/v3` };
    return new TradingDesk(account, urls, this.store, this.checks, this.options.bus);
  }

  static async start(options: TradingServiceOptions): Promise<TradingService> {
    const store = await openTradingStore(options.db);
    const service = new TradingService(store, options);
    for (const desk of service.desks.values()) await service.startDesk(desk);
    return service;
  }

  /** Each account's exchange connection state (connecting, reconciling, live, stopped) and its bots' statuses. */
  health(): { account: string; state: string; bots: { botId: string; status: string }[] }[] {
    return this.accounts().map((desk) => ({
      account: desk.config.account,
      state: desk.connection.stats.state,
      bots: desk.bots.list().map((bot) => ({ botId: bot.botId, status: bot.state.status })),
    }));
  }

  desk(account: string): TradingDesk | undefined {
    return this.desks.get(account);
  }

  accounts(): TradingDesk[] {
    return [...this.desks.values()];
  }

  /**
   * Engages or releases the kill switch of one account, or of all: engaged, new orders are refused
   * (KILL_SWITCH) and the accounts' open orders are canceled; bots then stop in error.
   */
  async setKillSwitch(account: string | undefined, engaged: boolean): Promise<void> {
    this.checks.setKillSwitch(account, engaged);
    if (!engaged) return;
    for (const desk of this.desks.values()) {
      if (account !== undefined && desk.config.account !== account) continue;
      for (const order of desk.account.book.orders())
        if (order.isOpen && order.orderId !== undefined)
          await desk.entry.cancel(order).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    for (const desk of this.desks.values()) await desk.stop();
    await this.store.close();
  }

  private async startDesk(desk: TradingDesk): Promise<void> {
    const config = desk.config;
    const log = this.options.log.child({ account: config.account });
    try {
      const embedded = config.restUrl === undefined;
      // The embedded simulator starts empty on every run: what the store kept of the last run's
      // exchange (its order and trade ids restart) would collide with this one's.
      if (embedded) await this.store.forgetAccount(config.account);
      if (config.simBalances !== undefined) await createSimAccount(config, desk.connectionUrl);
      await desk.start();
      log.info({ symbols: config.symbols, exchange: desk.connectionUrl }, 'trading account connected');
    } catch (error) {
      if (this.stopped) return;
      log.error({ err: error }, `trading account could not start; retrying in ${START_RETRY_MS} ms`);
      await desk.stop().catch(() => undefined);
      // A fresh desk (a stopped connection does not start again), connecting until it does.
      const fresh = this.newDesk(config);
      this.desks.set(config.account, fresh);
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.startDesk(fresh);
      }, START_RETRY_MS);
      this.retries.add(timer);
    }
  }
}

/**
 * Creates the account on a simulator (its REST base) with its keys and balances; an account that
 * exists already (a remote simulator still running from before) is kept as it is.
 */
async function createSimAccount(config: TradingAccountConfig, restUrl: string): Promise<void> {
  const response = await fetch(`${restUrl}/sim/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: config.account,
      apiKey: config.apiKey,
      secretKey: config.apiSecret,
      balances: config.simBalances,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { msg?: string };
  if (body.msg?.includes('exists') === true) return;
  throw new Error(`creating the account on the simulator failed: ${response.status} ${body.msg ?? ''}`);
}
