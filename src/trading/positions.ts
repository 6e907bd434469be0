import { multiply } from './amounts.ts';
import type { TradeFill } from './order-tracker.ts';

/**
 * One account's position in one symbol, from its fills, by average cost. Amounts are units of
 * 10^-8. A fill moves `baseQuantity` by what the account received or gave of the base asset and
 * `cashFlow` by what it received or paid of the quote asset, each after a commission charged in
 * that asset, exactly as the exchange's balances move; a commission in a third asset is kept in
 * `otherFees` and not in the P&L. Realized P&L is booked when a fill reduces the position; what
 * is open is worth `unrealized(mark)`; realized + unrealized = cashFlow + baseQuantity × mark.
 */
export class Position {
  baseQuantity = 0n;
  cashFlow = 0n;
  /** Quote spent on the open position (negative for a short: quote received). */
  costBasis = 0n;
  realized = 0n;
  readonly otherFees = new Map<string, bigint>();

  constructor(
    readonly baseAsset: string,
    readonly quoteAsset: string,
  ) {}

  apply(side: 'BUY' | 'SELL', fill: TradeFill): void {
    const buying = side === 'BUY';
    let deltaBase = buying ? fill.quantity : -fill.quantity;
    let deltaCash = buying ? -fill.quote : fill.quote;
    if (fill.commissionAsset === this.baseAsset) deltaBase -= fill.commission;
    else if (fill.commissionAsset === this.quoteAsset) deltaCash -= fill.commission;
    else if (fill.commission > 0n)
      this.otherFees.set(
        fill.commissionAsset,
        (this.otherFees.get(fill.commissionAsset) ?? 0n) + fill.commission,
      );
    this.cashFlow += deltaCash;
    this.trade(deltaBase, deltaCash);
  }

  /** Open P&L at `mark` (units per whole base unit). */
  unrealized(mark: bigint): bigint {
    return multiply(mark, this.baseQuantity) - this.costBasis;
  }

  /** Average entry price of the open position (units), 0 when flat. */
  get averagePrice(): bigint {
    if (this.baseQuantity === 0n) return 0n;
    return (this.costBasis * 100_000_000n) / this.baseQuantity;
  }

  private trade(deltaBase: bigint, deltaCash: bigint): void {
    if (deltaBase === 0n) {
      this.realized += deltaCash;
      return;
    }
    const q = this.baseQuantity;
    if (q === 0n || q > 0n === deltaBase > 0n) {
      this.baseQuantity += deltaBase;
      this.costBasis -= deltaCash;
      return;
    }
    // Reducing (and maybe flipping): the closed part books P&L against its share of the cost.
    const closing = (deltaBase > 0n ? 1n : -1n) * min(abs(deltaBase), abs(q));
    const proceeds = (deltaCash * closing) / deltaBase;
    const released = (this.costBasis * -closing) / q;
    this.realized += proceeds - released;
    this.costBasis -= released;
    this.baseQuantity += closing;
    const openBase = deltaBase - closing;
    if (openBase !== 0n) {
      // The rest opens a position the other way (the closed part released all of the cost).
      this.baseQuantity += openBase;
      this.costBasis = -(deltaCash - proceeds);
    }
  }
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
