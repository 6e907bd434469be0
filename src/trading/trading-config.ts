import { z } from 'zod';
import { units } from './amounts.ts';
import { decimalText, symbolName } from './schemas.ts';
import type { PreTradeLimits } from './pre-trade-checks.ts';

/** One trading account: Tickwire's account name (the gateway principal's) and its exchange keys. */
export const tradingAccountSchema = z
  .object({
    /** The account of the API keys and tokens that may trade it; its private topics are named by it. */
    account: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'account names are 1-64 characters A-Z, a-z, 0-9, _ and -'),
    apiKey: z.string().min(1),
    apiSecret: z.string().min(1),
    /** The exchange's REST and stream bases; both absent: the node's embedded simulator. */
    restUrl: z.url({ protocol: /^https?$/ }).optional(),
    wsUrl: z.url({ protocol: /^wss?$/ }).optional(),
    /**
     * The exchange's WebSocket API (`wss://ws-api.binance.com:443/ws-api/v3`): orders go there,
     * faster than REST. Absent: REST, except on the embedded simulator (its own is used).
     */
    wsApiUrl: z.url({ protocol: /^wss?$/ }).optional(),
    symbols: z.array(symbolName).min(1).max(100),
    /**
     * On a simulator (embedded or `tickwire sim`): create the account there with these balances
     * when it does not exist yet (POST /sim/accounts).
     */
    simBalances: z
      .record(z.string().regex(/^[A-Z0-9]{1,20}$/, 'asset names are A-Z and 0-9'), decimalText)
      .optional(),
  })
  .strict()
  .refine((account) => (account.restUrl === undefined) === (account.wsUrl === undefined), {
    message: 'give both restUrl and wsUrl, or neither (the embedded simulator)',
  });
export type TradingAccountConfig = z.output<typeof tradingAccountSchema>;

/** The pre-trade limits (docs/TRADING.md, "Pre-trade checks"), per account. */
export const preTradeLimitsSchema = z
  .object({
    maxOrderQuantity: decimalText.default('1000'),
    maxOrderNotional: decimalText.default('1000000'),
    priceCollarPercent: z.number().gt(0).max(100).default(5),
    maxOpenOrders: z.number().int().min(1).max(100_000).default(200),
    ordersPerSecond: z.number().int().min(1).max(100_000).default(50),
  })
  .strict();

/** The config file's `trading` key (README, "Configuration"). */
export const tradingConfigSchema = z
  .object({
    accounts: z
      .array(tradingAccountSchema)
      .default([])
      .refine(
        (accounts) => new Set(accounts.map((a) => a.account)).size === accounts.length,
        'account names must not repeat',
      ),
    limits: preTradeLimitsSchema.prefault({}),
  })
  .strict();
export type TradingConfig = z.output<typeof tradingConfigSchema>;

export function preTradeLimits(limits: TradingConfig['limits']): PreTradeLimits {
  return {
    maxOrderQuantity: units(limits.maxOrderQuantity),
    maxOrderNotional: units(limits.maxOrderNotional),
    priceCollarPercent: limits.priceCollarPercent,
    maxOpenOrders: limits.maxOpenOrders,
    ordersPerSecond: limits.ordersPerSecond,
  };
}
