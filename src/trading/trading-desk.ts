import type { MessageBus } from '../bus/index.ts';
import { BotHost } from './bots/bot-host.ts';
import { ExchangeConnection } from './exchange-connection.ts';
import { MarketReference } from './market-reference.ts';
import { type OrderChannel, restOrderChannel, wsApiOrderChannel } from './order-channel.ts';
import { OrderEntry } from './order-entry.ts';
import { WsApiOrders } from './ws-api-orders.ts';
import type { PreTradeChecks } from './pre-trade-checks.ts';
import { SignedRest } from './signed-rest.ts';
import type { TradingStore } from './storage/trading-store.ts';
import { TradingAccount } from './trading-account.ts';
import type { TradingAccountConfig } from './trading-config.ts';
import { TradingPublisher } from './trading-publisher.ts';

/** Where an account trades: its config's URLs, or the node's embedded simulator. */
export interface ExchangeUrls {
  restUrl: string;
  wsUrl: string;
  /** The WebSocket API, for orders; absent: orders over REST. */
  wsApiUrl?: string | undefined;
}

/**
 * One account's trading, assembled: the durable account (book + store), its exchange connection
 * feeding it, the submit path (pre-trade checks, store, exchange), the market reference and the
 * bots; every stored change goes to the publisher (the owner's private topics) and to the bots.
 */
export class TradingDesk {
  readonly account: TradingAccount;
  readonly entry: OrderEntry;
  readonly market: MarketReference;
  readonly bots: BotHost;
  readonly connection: ExchangeConnection;
  /** The exchange's REST base. */
  readonly connectionUrl: string;
  private readonly orders: OrderChannel;

  constructor(
    readonly config: TradingAccountConfig,
    urls: ExchangeUrls,
    store: TradingStore,
    checks: PreTradeChecks,
    bus: MessageBus,
  ) {
    this.connectionUrl = urls.restUrl;
    const rest = new SignedRest(urls.restUrl, config.apiKey, config.apiSecret);
    this.market = new MarketReference(rest, config.symbols);
    const publisher = new TradingPublisher(bus, config.account);
    this.account = new TradingAccount(
      config.account,
      store,
      (symbol) => {
        const rules = this.market.rulesOf(symbol);
        return rules ?? { baseAsset: '?', quoteAsset: '?' };
      },
      {
        fill: (order, fill, eventTime) => {
          publisher.fill(order, fill, eventTime);
          this.market.observe(order.symbol, fill.price);
          this.bots.orderChanged(order, eventTime);
        },
        order: (order, eventTime, source) => {
          publisher.order(order, eventTime, source);
          this.bots.orderChanged(order, eventTime);
        },
        // What the store did not take is fetched again from the exchange.
        storeFailed: () => this.connection.resync('a write to the trading store failed'),
      },
    );
    this.orders =
      urls.wsApiUrl === undefined
        ? restOrderChannel(rest)
        : wsApiOrderChannel(new WsApiOrders(urls.wsApiUrl, config.apiKey, config.apiSecret));
    this.entry = new OrderEntry(this.account, this.orders, checks, this.market);
    this.bots = new BotHost(config.account, store, this.account.book, this.entry, this.market, bus);
    this.connection = new ExchangeConnection(
      {
        restUrl: urls.restUrl,
        wsUrl: urls.wsUrl,
        apiKey: config.apiKey,
        apiSecret: config.apiSecret,
        symbols: config.symbols,
      },
      {
        update: (update) => void this.account.ingest(update),
        lastTradeId: (symbol) => this.account.lastTradeId(symbol),
        orphans: () =>
          this.account.book
            .pending()
            .filter((order) => !this.entry.inFlight.has(order.clientOrderId))
            .map((order) => ({ symbol: order.symbol, clientOrderId: order.clientOrderId })),
        lost: (clientOrderId) =>
          void this.account.refused(clientOrderId, 'the order never reached the exchange'),
        state: (state) => {
          // Back from a gap: bots look again at orders that may have moved meanwhile.
          if (state === 'live') for (const bot of this.bots.list()) void bot.nudge();
        },
      },
    );
  }

  /**
   * Rules and prices first (the book's positions need the assets), then the stored state, then
   * the stream and its reconciliation, then the bots.
   */
  async start(): Promise<void> {
    await this.market.start();
    await this.account.restore();
    await this.bots.restore();
    await this.connection.start();
    this.bots.start();
  }

  async stop(): Promise<void> {
    this.bots.stop();
    this.market.stop();
    this.orders.close();
    await this.connection.stop();
    await this.account.settled();
  }
}
