import { AccountRegistry, type AccountSpec } from './accounts/accounts.ts';
import { type RateLimitSettings, RateLimits } from './api/rate-limits.ts';
import { Ledger } from './accounts/ledger.ts';
import { splitAssets } from './rest/exchange-info.ts';
import { MatchingEngine } from './matching/matching-engine.ts';
import type { SymbolSpec } from './matching/symbol-rules.ts';
import type { ExchangeMarket } from './streams/exchange-market.ts';
import { UserDataStreams } from './user-data/user-data-streams.ts';

/**
 * The trading side of the simulator on top of its market: the ledger, the accounts, the matching
 * engine (hooked into the market so resting orders hear its trades) and the user-data streams.
 */
export class SimulatedExchange {
  readonly ledger = new Ledger();
  readonly accounts = new AccountRegistry(this.ledger);
  readonly symbols: readonly SymbolSpec[];
  readonly userData: UserDataStreams;
  readonly engine: MatchingEngine;
  readonly limits: RateLimits;

  constructor(
    readonly market: ExchangeMarket,
    accounts: readonly AccountSpec[],
    settings: RateLimitSettings & { listenKeyValidityMs: number },
    now: number,
  ) {
    this.limits = new RateLimits(settings);
    this.symbols = market.symbols.map((symbol) => ({
      symbol: symbol.symbol,
      ...renameAssets(splitAssets(symbol.symbol)),
      priceScale: symbol.priceScale,
      sizeScale: symbol.sizeScale,
    }));
    this.userData = new UserDataStreams(this.symbols, this.ledger, settings.listenKeyValidityMs);
    this.engine = new MatchingEngine(
      market,
      this.symbols,
      this.ledger,
      (accountId) => this.accounts.get(accountId)?.rates ?? { maker: 0n, taker: 0n },
      this.userData,
    );
    market.orderHooks = this.engine;
    for (const spec of accounts) this.accounts.create(spec, now);
  }
}

function renameAssets({ base, quote }: { base: string; quote: string }): {
  baseAsset: string;
  quoteAsset: string;
} {
  return { baseAsset: base, quoteAsset: quote };
}
