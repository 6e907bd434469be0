import { TickwireApi, TickwireApiError } from '../client/index.ts';

/**
 * The load test's trading flow (`--trading`): market orders on the account at a steady rate,
 * buying and selling in turn so the position stays flat, and a DCA bot with tight steps, so that
 * fills, order events and bot events flow to the account's clients while the market data does.
 * Everything goes through the orders API, as a trader's would.
 */

const BOT_SETTINGS = {
  baseOrderQuantity: '0.001',
  safetyOrderQuantity: '0.001',
  maxSafetyOrders: 2,
  priceDeviationPercent: 0.01,
  takeProfitPercent: 0.01,
} as const;
const ORDER_QUANTITY = '0.001';

export interface TradingFlowFigures {
  ordersPlaced: number;
  /** Refusals by code (pre-trade checks, exchange rejections…). */
  ordersRefused: Record<string, number>;
  botId?: string;
}

export class TradingFlow {
  readonly figures: TradingFlowFigures = { ordersPlaced: 0, ordersRefused: {} };
  private readonly api: TickwireApi;
  private timer: ReturnType<typeof setInterval> | undefined;
  private side: 'BUY' | 'SELL' = 'BUY';

  constructor(
    base: URL,
    apiKey: string,
    private readonly symbol: string,
    private readonly ordersPerSecond: number,
  ) {
    this.api = new TickwireApi({ url: base.origin, apiKey });
  }

  /** Starts the bot and the orders; rejects when the account cannot trade (the reason in the error). */
  async start(): Promise<void> {
    const bot = await this.api.createBot({ symbol: this.symbol, ...BOT_SETTINGS });
    this.figures.botId = bot.botId;
    await this.api.startBot(bot.botId);
    this.timer = setInterval(() => void this.placeOne(), 1_000 / this.ordersPerSecond);
  }

  /** Stops the orders and the bot (closing its position) and deletes the bot. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const botId = this.figures.botId;
    if (botId === undefined) return;
    await this.api.stopBot(botId, { closePosition: true }).catch(() => undefined);
    for (let i = 0; i < 50; i++) {
      const status = await this.api.bot(botId).then(
        (bot) => bot.status,
        () => 'gone',
      );
      if (status !== 'stopping' && status !== 'running' && status !== 'paused') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.api.deleteBot(botId).catch(() => undefined);
  }

  private async placeOne(): Promise<void> {
    const side = this.side;
    this.side = side === 'BUY' ? 'SELL' : 'BUY';
    try {
      await this.api.placeOrder({ symbol: this.symbol, side, type: 'MARKET', quantity: ORDER_QUANTITY });
      this.figures.ordersPlaced++;
    } catch (error) {
      const code = error instanceof TickwireApiError ? error.code : 'NETWORK';
      this.figures.ordersRefused[code] = (this.figures.ordersRefused[code] ?? 0) + 1;
    }
  }
}
