/**
 * Every balance on the simulated exchange, and the only way one changes. Amounts are bigint units
 * of 10^-8 (matching/amounts.ts). Money enters only by `deposit` (starting balances, the admin's
 * deposits), leaves only by `withdraw`, and otherwise only moves between ledger accounts, so per
 * asset the sum over all of them always equals what was deposited less what was withdrawn: the property tests check exactly that. Two house accounts take the
 * other side of what is not between users: the simulated market (counterparty of every fill
 * against its liquidity; its balances go negative as it sells) and the fees collected.
 */

export const MARKET_ACCOUNT = 0;
export const FEES_ACCOUNT = -1;

export interface Balance {
  free: bigint;
  locked: bigint;
}

export class Ledger {
  private readonly accounts = new Map<number, Map<string, Balance>>();
  private readonly deposited = new Map<string, bigint>();

  deposit(account: number, asset: string, amount: bigint): void {
    if (amount < 0n) throw new RangeError('a deposit is not negative');
    this.entry(account, asset).free += amount;
    this.deposited.set(asset, (this.deposited.get(asset) ?? 0n) + amount);
  }

  /** Money leaving the exchange (a withdrawal): false (and nothing moved) when free is short. */
  withdraw(account: number, asset: string, amount: bigint): boolean {
    if (amount < 0n) throw new RangeError('a withdrawal is not negative');
    const balance = this.entry(account, asset);
    if (balance.free < amount) return false;
    balance.free -= amount;
    this.deposited.set(asset, (this.deposited.get(asset) ?? 0n) - amount);
    return true;
  }

  /** The account's balance of `asset` (zeros when it never held any). */
  balance(account: number, asset: string): Readonly<Balance> {
    return this.accounts.get(account)?.get(asset) ?? ZERO;
  }

  /** Every asset the account has held, in the order it first held them. */
  balances(account: number): ReadonlyMap<string, Readonly<Balance>> {
    return this.accounts.get(account) ?? EMPTY;
  }

  /** Moves `amount` from free to locked; false (and nothing moved) when free is short. */
  lock(account: number, asset: string, amount: bigint): boolean {
    const balance = this.entry(account, asset);
    if (balance.free < amount) return false;
    balance.free -= amount;
    balance.locked += amount;
    return true;
  }

  unlock(account: number, asset: string, amount: bigint): void {
    const balance = this.entry(account, asset);
    if (balance.locked < amount) throw new RangeError(`unlocking more ${asset} than is locked`);
    balance.locked -= amount;
    balance.free += amount;
  }

  /**
   * Moves `amount` of `asset` from `from` (its locked part when `fromLocked`, else its free part)
   * to `to`'s free part. A user account never goes below zero (that would be a matching bug); the
   * market's may.
   */
  transfer(from: number, asset: string, amount: bigint, fromLocked: boolean, to: number): void {
    if (amount === 0n) return;
    const source = this.entry(from, asset);
    if (fromLocked) {
      if (source.locked < amount) throw new RangeError(`transfer of more locked ${asset} than is locked`);
      source.locked -= amount;
    } else {
      if (from !== MARKET_ACCOUNT && source.free < amount)
        throw new RangeError(`transfer of more free ${asset} than account ${from} has`);
      source.free -= amount;
    }
    this.entry(to, asset).free += amount;
  }

  /** Free plus locked of `asset` over every ledger account, houses included. */
  total(asset: string): bigint {
    let sum = 0n;
    for (const balances of this.accounts.values()) {
      const balance = balances.get(asset);
      if (balance !== undefined) sum += balance.free + balance.locked;
    }
    return sum;
  }

  depositedOf(asset: string): bigint {
    return this.deposited.get(asset) ?? 0n;
  }

  assets(): string[] {
    return [...this.deposited.keys()];
  }

  private entry(account: number, asset: string): Balance {
    let balances = this.accounts.get(account);
    if (balances === undefined) {
      balances = new Map();
      this.accounts.set(account, balances);
    }
    let balance = balances.get(asset);
    if (balance === undefined) {
      balance = { free: 0n, locked: 0n };
      balances.set(asset, balance);
    }
    return balance;
  }
}

const ZERO: Readonly<Balance> = Object.freeze({ free: 0n, locked: 0n });
const EMPTY: ReadonlyMap<string, Balance> = new Map();
