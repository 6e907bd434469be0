import type { OrderFillNotification } from '../../trading/views.ts';
import { type LedgerFill, MANUAL_BOT, QUANTITY_UNITS, type SymbolAssets } from './account-ledger.ts';
import { knownQuoteSplit } from '../../wire/index.ts';

/**
 * Reading `fills.<account>` payloads (OrderFillNotification) for the analytics engine, and the
 * rule that tells a symbol's base and quote assets apart (docs/ANALYTICS.md, "Assets and fees").
 */

/** A non-negative decimal string as the exchange writes amounts: `0.00100000`, `67123.5`. */
const DECIMAL = /^\d{1,20}(\.\d{1,8})?$/;

/** What a commission asset is to a symbol: the quote asset, the base asset, or another (BNB). */
export type CommissionKind = 'quote' | 'base' | 'other';

/**
 * The commission asset's role in the symbol, from the name alone: a symbol ends with its quote
 * asset and starts with its base asset (`ETHBTC`: BTC is the quote, ETH the base), so an asset
 * the name ends with is the quote asset, one it starts with is the base asset, anything else is a
 * third asset.
 */
export function commissionKind(symbol: string, asset: string): CommissionKind {
  if (asset.length === 0 || asset.length >= symbol.length) return 'other';
  if (symbol.endsWith(asset)) return 'quote';
  if (symbol.startsWith(asset)) return 'base';
  return 'other';
}

/**
 * A symbol's assets as a fill shows them: a commission in the quote or base asset names that
 * asset and so the other (definite); otherwise the name is split at a known quote asset
 * (KNOWN_QUOTE_ASSETS), or left unknown (null).
 */
export function assetsFromFill(
  symbol: string,
  commissionAsset: string,
): SymbolAssets & { definite: boolean } {
  const kind = commissionKind(symbol, commissionAsset);
  if (kind === 'quote')
    return {
      baseAsset: symbol.slice(0, -commissionAsset.length),
      quoteAsset: commissionAsset,
      definite: true,
    };
  if (kind === 'base')
    return { baseAsset: commissionAsset, quoteAsset: symbol.slice(commissionAsset.length), definite: true };
  // Every commission in another asset (BNB): the name, by the known quote assets.
  const known = knownQuoteSplit(symbol);
  return known === undefined
    ? { baseAsset: null, quoteAsset: null, definite: false }
    : { baseAsset: known.base, quoteAsset: known.quote, definite: false };
}

/**
 * A fill payload parsed for the ledger, or why it is refused. `account` is the topic's: a payload
 * naming another account is refused (it would otherwise book one account's fill on another's).
 * Amounts must be decimal strings of at most 8 decimals; price, quantity and quote positive.
 */
export function parseFill(payload: unknown, account: string): LedgerFill | string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'not an object';
  const fill = payload as Partial<Record<keyof OrderFillNotification, unknown>>;
  if (fill.type !== 'order_fill_notification') return 'type is not order_fill_notification';
  if (fill.account !== account) return `account is not ${account}, the topic's`;
  const symbol = fill.symbol;
  if (typeof symbol !== 'string' || symbol.length === 0) return 'symbol is not a name';
  if (fill.side !== 'BUY' && fill.side !== 'SELL') return 'side is not BUY or SELL';
  const bot = fill.botId === undefined ? MANUAL_BOT : fill.botId;
  if (typeof bot !== 'string' || bot.length === 0) return 'botId is not a name';
  const time = fill.transactionTime;
  if (typeof time !== 'number' || !Number.isFinite(time)) return 'transactionTime is not a number';
  const price = amount(fill.price);
  const quantity = amount(fill.quantity);
  const quote = amount(fill.quote);
  const commission = amount(fill.commission);
  if (!(price > 0 && quantity > 0 && quote > 0)) return 'price, quantity and quote must be positive decimals';
  if (!(commission >= 0)) return 'commission is not a decimal';
  const asset = fill.commissionAsset;
  if (typeof asset !== 'string' || (asset.length === 0 && commission > 0))
    return 'commissionAsset is not an asset';
  const units = Math.round(quantity * QUANTITY_UNITS);
  if (!Number.isSafeInteger(units)) return 'quantity is too large';
  const kind = commissionKind(symbol, asset);
  return {
    account,
    symbol,
    bot,
    buy: fill.side === 'BUY',
    units,
    price,
    quote,
    commissionAsset: asset,
    fee: kind === 'quote' ? commission : kind === 'base' ? commission * price : 0,
    otherAsset: kind === 'other' ? asset : '',
    otherFee: kind === 'other' ? commission : 0,
    time,
  };
}

/** A decimal string's value, NaN when it is not one. */
function amount(value: unknown): number {
  return typeof value === 'string' && DECIMAL.test(value) ? Number(value) : NaN;
}
