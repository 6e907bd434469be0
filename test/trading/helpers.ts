import { units } from '../../src/trading/index.ts';
import type { SignedClient } from '../simulator/signed-client.ts';

/** A decimal as the exchange writes it. */
export const dec = (value: number): string => value.toFixed(8);

/**
 * An executionReport as Binance sends it (order 7, `mine`, a 1 BTC BUY LIMIT, NEW), with the
 * fields a test varies.
 */
export function executionReport(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    e: 'executionReport',
    E: 1,
    s: 'BTCUSDT',
    c: 'mine',
    S: 'BUY',
    o: 'LIMIT',
    f: 'GTC',
    q: '1.00000000',
    p: '100.00000000',
    P: '0.00000000',
    F: '0.00000000',
    g: -1,
    C: '',
    x: 'NEW',
    X: 'NEW',
    r: 'NONE',
    i: 7,
    l: dec(0),
    z: dec(0),
    L: dec(0),
    n: '0',
    N: null,
    T: 1,
    t: -1,
    I: 1,
    w: true,
    m: false,
    M: false,
    O: 1,
    Z: dec(0),
    Y: dec(0),
    Q: dec(0),
    W: 1,
    V: 'NONE',
    ...fields,
  };
}

/** The account's BTC and USDT on the simulator, free plus locked, in units of 10^-8. */
export async function btcAndUsdt(client: SignedClient): Promise<{ btc: bigint; usdt: bigint }> {
  const account = (await client.signed('GET', '/api/v3/account')).body as {
    balances: { asset: string; free: string; locked: string }[];
  };
  const of = (asset: string) => {
    const balance = account.balances.find((entry) => entry.asset === asset)!;
    return units(balance.free) + units(balance.locked);
  };
  return { btc: of('BTC'), usdt: of('USDT') };
}
