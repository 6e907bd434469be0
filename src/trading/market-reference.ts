import { units } from './amounts.ts';
import type { SignedRest } from './signed-rest.ts';

/** A symbol's trading rules, from exchangeInfo's filters (units of 10^-8). */
export interface SymbolRules {
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: bigint;
  stepSize: bigint;
  minQuantity: bigint;
  minNotional: bigint;
}

interface ExchangeInfo {
  symbols: {
    symbol: string;
    baseAsset: string;
    quoteAsset: string;
    filters: {
      filterType: string;
      tickSize?: string;
      stepSize?: string;
      minQty?: string;
      minNotional?: string;
    }[];
  }[];
}

/** How often last prices are polled: the collar and the bots' stop losses read prices this old. */
const PRICE_POLL_MS = 1_000;

/**
 * What an account knows of its symbols' markets, from the exchange it trades on: each symbol's
 * rules (exchangeInfo, once) and its last price (ticker/price, polled every second, and moved by
 * the account's own fills meanwhile). The pre-trade collar, a market order's value, the bots'
 * stop losses and unrealized P&L read it. Reading the exchange itself, not the node's feed, keeps
 * an account on a remote exchange right whatever feed the node runs.
 */
export class MarketReference {
  private readonly rules = new Map<string, SymbolRules>();
  private readonly prices = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;
  pollFailures = 0;

  constructor(
    private readonly rest: SignedRest,
    readonly symbols: readonly string[],
  ) {}

  /** Loads the rules and first prices; throws when the exchange does not list a symbol. */
  async start(): Promise<void> {
    const info = await this.rest.public<ExchangeInfo>('/api/v3/exchangeInfo', {
      symbols: JSON.stringify(this.symbols),
    });
    for (const entry of info.symbols) {
      const filter = (type: string) => entry.filters.find((f) => f.filterType === type);
      this.rules.set(entry.symbol, {
        symbol: entry.symbol,
        baseAsset: entry.baseAsset,
        quoteAsset: entry.quoteAsset,
        tickSize: units(filter('PRICE_FILTER')?.tickSize ?? '0.00000001'),
        stepSize: units(filter('LOT_SIZE')?.stepSize ?? '0.00000001'),
        minQuantity: units(filter('LOT_SIZE')?.minQty ?? '0'),
        minNotional: units(filter('NOTIONAL')?.minNotional ?? filter('MIN_NOTIONAL')?.minNotional ?? '0'),
      });
    }
    const missing = this.symbols.filter((symbol) => !this.rules.has(symbol));
    if (missing.length > 0) throw new Error(`the exchange does not list ${missing.join(', ')}`);
    await this.poll();
    this.timer = setInterval(() => void this.poll(), PRICE_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  rulesOf(symbol: string): SymbolRules | undefined {
    return this.rules.get(symbol);
  }

  lastPrice(symbol: string): bigint | undefined {
    return this.prices.get(symbol);
  }

  /** A fill of the account's own: the freshest price there is. */
  observe(symbol: string, price: bigint): void {
    this.prices.set(symbol, price);
  }

  private async poll(): Promise<void> {
    try {
      const rows = await this.rest.public<{ symbol: string; price: string }[]>('/api/v3/ticker/price', {
        symbols: JSON.stringify(this.symbols),
      });
      for (const row of rows) this.prices.set(row.symbol, units(row.price));
    } catch {
      // The next poll tries again; the collar reads the last known price meanwhile.
      this.pollFailures++;
    }
  }
}

/** `value` rounded down to a multiple of `step` (a quantity to the lot size, a bid to the tick). */
export function floorTo(value: bigint, step: bigint): bigint {
  return step <= 0n ? value : (value / step) * step;
}

/** `value` rounded up to a multiple of `step` (an ask to the tick). */
export function ceilTo(value: bigint, step: bigint): bigint {
  return step <= 0n ? value : ((value + step - 1n) / step) * step;
}
