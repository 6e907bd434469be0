import {
  createHmac,
  createPublicKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { z } from 'zod';
import { parseUnits } from '../matching/amounts.ts';
import type { CommissionRates } from '../matching/matching-engine.ts';
import type { Ledger } from './ledger.ts';

/** Binance's default spot commission, 0.1% for maker and taker, in units of 10^-8. */
const DEFAULT_COMMISSION = '0.001';

const decimalText = z.string().regex(/^\d{1,20}(\.\d{1,8})?$/, 'must be a decimal with at most 8 decimals');

/**
 * An account to create (POST /sim/accounts, or the simulator's `accounts` option): its API key and
 * either an HMAC secret or an Ed25519 public key (PEM), as Binance's two key types; what is not
 * given is generated (an HMAC secret is returned once, on creation).
 */
export const accountSpecSchema = z
  .object({
    name: z.string().min(1).max(64).optional(),
    apiKey: z
      .string()
      .regex(/^[A-Za-z0-9]{16,128}$/, 'must be 16-128 letters and digits')
      .optional(),
    secretKey: z.string().min(16).max(128).optional(),
    ed25519PublicKey: z
      .string()
      .includes('BEGIN PUBLIC KEY', { message: 'must be a PEM public key' })
      .optional(),
    balances: z
      .record(z.string().regex(/^[A-Z0-9]{1,20}$/, 'asset names are A-Z and 0-9'), decimalText)
      .default({}),
    makerCommission: decimalText.default(DEFAULT_COMMISSION),
    takerCommission: decimalText.default(DEFAULT_COMMISSION),
  })
  .strict()
  .refine((spec) => spec.secretKey === undefined || spec.ed25519PublicKey === undefined, {
    message: 'give secretKey (HMAC) or ed25519PublicKey, not both',
  });
export type AccountSpec = z.input<typeof accountSpecSchema>;

export interface SimAccount {
  readonly id: number;
  readonly name: string;
  readonly apiKey: string;
  readonly keyType: 'HMAC_SHA256' | 'ED25519';
  readonly rates: CommissionRates;
  readonly createdAt: number;
  /** Checks a request's signature over `payload` (Binance's totalParams). */
  verify(payload: string, signature: string): boolean;
}

/** The simulator's accounts: created with keys and starting balances, found by API key. */
export class AccountRegistry {
  private readonly byKey = new Map<string, SimAccount>();
  private readonly byId = new Map<number, SimAccount>();
  private nextId = 1;

  constructor(private readonly ledger: Ledger) {}

  /** Creates an account (throws a ZodError for a bad spec, an Error for a taken key); returns it and its HMAC secret when generated. */
  create(input: unknown, now: number): { account: SimAccount; secretKey: string | undefined } {
    const spec = accountSpecSchema.parse(input);
    const apiKey = spec.apiKey ?? randomBytes(32).toString('hex');
    if (this.byKey.has(apiKey)) throw new Error('an account with this apiKey exists');
    const id = this.nextId++;
    let secretKey: string | undefined;
    let check: (payload: string, signature: string) => boolean;
    if (spec.ed25519PublicKey !== undefined) {
      const key = createPublicKey(spec.ed25519PublicKey);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('ed25519PublicKey is not an Ed25519 key');
      check = (payload, signature) => verifyEd25519(key, payload, signature);
    } else {
      secretKey = spec.secretKey ?? randomBytes(32).toString('hex');
      const secret = secretKey;
      check = (payload, signature) => verifyHmac(secret, payload, signature);
    }
    const account: SimAccount = {
      id,
      name: spec.name ?? `account${id}`,
      apiKey,
      keyType: spec.ed25519PublicKey === undefined ? 'HMAC_SHA256' : 'ED25519',
      rates: { maker: rate(spec.makerCommission), taker: rate(spec.takerCommission) },
      createdAt: now,
      verify: check,
    };
    for (const [asset, amount] of Object.entries(spec.balances)) this.ledger.deposit(id, asset, rate(amount));
    this.byKey.set(apiKey, account);
    this.byId.set(id, account);
    return { account, secretKey: spec.secretKey === undefined ? secretKey : undefined };
  }

  byApiKey(apiKey: string): SimAccount | undefined {
    return this.byKey.get(apiKey);
  }

  get(id: number): SimAccount | undefined {
    return this.byId.get(id);
  }

  list(): SimAccount[] {
    return [...this.byId.values()];
  }
}

function rate(text: string): bigint {
  const units = parseUnits(text);
  if (typeof units !== 'bigint') throw new Error(`not an amount: ${text}`);
  return units;
}

/** HMAC-SHA256 of the payload, hex (Binance accepts either case). */
function verifyHmac(secret: string, payload: string, signature: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(payload).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/** Ed25519 signature of the payload, base64. */
function verifyEd25519(key: KeyObject, payload: string, signature: string): boolean {
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(payload), key, bytes);
}
