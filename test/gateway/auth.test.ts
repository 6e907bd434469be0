import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type ErrorCode, isTickwireError } from '../../src/errors.ts';
import {
  type AuthConfigInput,
  authConfigSchema,
  createAuthenticator,
  credentialFromHandshake,
} from '../../src/gateway/auth.ts';
import { MAX_TOKEN_LENGTH } from '../../src/gateway/auth-jwt.ts';

// Keys are made here, per run; no private key is checked in.
const HS_SECRET = 'test-secret-that-is-at-least-32-bytes-long';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const API_KEY = 'tw_live_0123456789abcdef';
const ADMIN_KEY = 'tw_admin_fedcba9876543210';

const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

type Header = Record<string, unknown>;
type Claims = Record<string, unknown>;

function hs256(claims: Claims, secret: string | Buffer = HS_SECRET, header: Header = {}): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function rs256(claims: Claims, privateKey: KeyObject = rsa.privateKey, header: Header = {}): string {
  const input = `${b64({ alg: 'RS256', typ: 'JWT', ...header })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/** Valid claims for acc1, expiring in an hour. */
const claims = (extra: Claims = {}): Claims => ({ sub: 'acc1', exp: now() + 3600, ...extra });

const both = createAuthenticator({
  apiKeys: [
    { key: API_KEY, account: 'acc1', topics: ['monitor.*'] },
    { key: ADMIN_KEY, account: 'ops', admin: true },
  ],
  jwt: { hs256Secret: HS_SECRET, rs256PublicKey: RSA_PUBLIC_PEM },
});
const hsOnly = createAuthenticator({ jwt: { hs256Secret: HS_SECRET } });
const rsOnly = createAuthenticator({ jwt: { rs256PublicKey: RSA_PUBLIC_PEM } });

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, messagePart?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isTickwireError(error, code), `expected ${code}, got ${String(error)}`);
    if (messagePart !== undefined) assert.match(error.message, new RegExp(escapeRegExp(messagePart)));
    return true;
  });
}

function throwsCode(run: () => unknown, code: ErrorCode, messagePart?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(isTickwireError(error, code), `expected ${code}, got ${String(error)}`);
    if (messagePart !== undefined) assert.match(error.message, new RegExp(escapeRegExp(messagePart)));
    return true;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('authenticate: no credential and API keys', () => {
  it('makes a connection without a credential anonymous, with market data only', async () => {
    const principal = await both.authenticate({});
    assert.deepEqual(principal, {
      account: null,
      admin: false,
      allow: ['md.>', 'bars.>', 'features.>'],
      via: 'anonymous',
    });
    assert.equal(principal, both.anonymous);
  });

  it('uses the configured anonymous topics', async () => {
    const none = createAuthenticator({ anonymous: { topics: [] } });
    assert.deepEqual((await none.authenticate({})).allow, []);
    const more = createAuthenticator({ anonymous: { topics: ['md.>', 'monitor.*'] } });
    assert.deepEqual((await more.authenticate({})).allow, ['md.>', 'monitor.*']);
  });

  it('maps a configured key to its account, with its extra topics', async () => {
    const principal = await both.authenticate({ apiKey: API_KEY });
    assert.deepEqual(principal, {
      account: 'acc1',
      admin: false,
      allow: [
        'md.>',
        'bars.>',
        'features.>',
        'orders.acc1',
        'fills.acc1',
        'bots.acc1.>',
        'analytics.acc1',
        'monitor.*',
      ],
      via: 'api-key',
    });
  });

  it('maps an admin key to an admin principal', async () => {
    const principal = await both.authenticate({ apiKey: ADMIN_KEY });
    assert.equal(principal.account, 'ops');
    assert.equal(principal.admin, true);
  });

  it('rejects unknown keys, near misses and empty keys without echoing them', async () => {
    for (const apiKey of [
      'tw_live_0123456789abcdeX',
      API_KEY.slice(0, -1),
      `${API_KEY}0`,
      ` ${API_KEY}`,
      API_KEY.toUpperCase(),
    ]) {
      await assert.rejects(both.authenticate({ apiKey }), (error: unknown) => {
        assert.ok(isTickwireError(error, 'AUTH_INVALID'));
        assert.ok(!error.message.includes(apiKey.trim()), error.message);
        return true;
      });
    }
    await rejectsWith(both.authenticate({ apiKey: '' }), 'AUTH_INVALID', 'empty');
    await rejectsWith(createAuthenticator().authenticate({ apiKey: API_KEY }), 'AUTH_INVALID');
  });

  it('rejects a token and a key given together', async () => {
    await rejectsWith(
      both.authenticate({ apiKey: API_KEY, token: hs256(claims()) }),
      'AUTH_INVALID',
      'exactly one',
    );
  });
});

describe('authenticate: JWT', () => {
  it('accepts an HS256 token and reads sub, admin and topics', async () => {
    const principal = await hsOnly.authenticate({ token: hs256(claims({ topics: ['alerts.*'] })) });
    assert.deepEqual(principal, {
      account: 'acc1',
      admin: false,
      allow: [
        'md.>',
        'bars.>',
        'features.>',
        'orders.acc1',
        'fills.acc1',
        'bots.acc1.>',
        'analytics.acc1',
        'alerts.*',
      ],
      via: 'jwt',
    });
    const admin = await hsOnly.authenticate({ token: hs256(claims({ sub: 'ops', admin: true })) });
    assert.equal(admin.admin, true);
    assert.deepEqual(admin.allow, ['>']);
  });

  it('accepts an RS256 token', async () => {
    const principal = await rsOnly.authenticate({ token: rs256(claims({ sub: 'acc-2' })) });
    assert.equal(principal.account, 'acc-2');
    assert.equal(principal.via, 'jwt');
  });

  it('checks each algorithm with its own key when both are configured', async () => {
    assert.equal((await both.authenticate({ token: hs256(claims()) })).account, 'acc1');
    assert.equal((await both.authenticate({ token: rs256(claims()) })).account, 'acc1');
  });

  it('never uses the RSA public key as an HMAC secret (alg confusion)', async () => {
    // The attack: sign HS256 with the public key, which the attacker knows.
    for (const secret of [RSA_PUBLIC_PEM, Buffer.from(RSA_PUBLIC_PEM)]) {
      const forged = hs256(claims({ admin: true }), secret);
      await rejectsWith(
        rsOnly.authenticate({ token: forged }),
        'AUTH_INVALID',
        'alg "HS256" is not accepted',
      );
      await rejectsWith(both.authenticate({ token: forged }), 'AUTH_INVALID', 'signature');
    }
  });

  it('rejects alg none and algorithms that are not configured', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    await rejectsWith(both.authenticate({ token: unsigned }), 'AUTH_INVALID', 'alg "none"');
    const noneCased = `${b64({ alg: 'None' })}.${b64(claims())}.`;
    await rejectsWith(both.authenticate({ token: noneCased }), 'AUTH_INVALID', 'alg "None"');
    const hs512Input = `${b64({ alg: 'HS512' })}.${b64(claims())}`;
    const hs512 = `${hs512Input}.${createHmac('sha512', HS_SECRET).update(hs512Input).digest('base64url')}`;
    await rejectsWith(both.authenticate({ token: hs512 }), 'AUTH_INVALID', 'alg "HS512"');
    await rejectsWith(hsOnly.authenticate({ token: rs256(claims()) }), 'AUTH_INVALID', 'alg "RS256"');
    await rejectsWith(
      both.authenticate({ token: `${b64({ typ: 'JWT' })}.${b64(claims())}.x` }),
      'AUTH_INVALID',
    );
  });

  it('rejects bad signatures: wrong secret, wrong RSA key, tampered claims', async () => {
    await rejectsWith(
      both.authenticate({ token: hs256(claims(), `${HS_SECRET}!`) }),
      'AUTH_INVALID',
      'signature',
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await rejectsWith(
      both.authenticate({ token: rs256(claims(), other.privateKey) }),
      'AUTH_INVALID',
      'signature',
    );
    const [header, , signature] = hs256(claims()).split('.');
    const tampered = `${header}.${b64(claims({ admin: true }))}.${signature}`;
    await rejectsWith(both.authenticate({ token: tampered }), 'AUTH_INVALID', 'signature');
  });

  it('rejects any change to the signed part of a token (fast-check)', async () => {
    const token = hs256(claims());
    const signedLength = token.lastIndexOf('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: signedLength - 1 }),
        fc.constantFrom(...alphabet),
        async (index, replacement) => {
          fc.pre(token[index] !== replacement);
          const mutated = token.slice(0, index) + replacement + token.slice(index + 1);
          await rejectsWith(both.authenticate({ token: mutated }), 'AUTH_INVALID');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects garbage with AUTH_INVALID, never with another kind of error (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1 }),
          fc.array(fc.base64String(), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.')),
          fc
            .tuple(fc.jsonValue(), fc.jsonValue())
            .map(([header, payload]) => `${b64(header)}.${b64(payload)}.${b64('sig')}`),
        ),
        async (token) => {
          await rejectsWith(both.authenticate({ token }), 'AUTH_INVALID');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects malformed tokens and oversized ones', async () => {
    for (const token of ['abc', 'a.b', 'a.b.c.d', '..', `${b64({ alg: 'HS256' })}`, '!!!.???.###']) {
      await rejectsWith(both.authenticate({ token }), 'AUTH_INVALID');
    }
    await rejectsWith(both.authenticate({ token: '' }), 'AUTH_INVALID', 'empty');
    const huge = hs256(claims({ topics: Array.from({ length: 1000 }, (_, i) => `md.trade.SIM.S${i}`) }));
    assert.ok(huge.length > MAX_TOKEN_LENGTH);
    await rejectsWith(both.authenticate({ token: huge }), 'AUTH_INVALID', `limit is ${MAX_TOKEN_LENGTH}`);
  });

  it('rejects a crit header it does not understand', async () => {
    const token = hs256(claims(), HS_SECRET, { crit: ['x-custom'], 'x-custom': 1 });
    await rejectsWith(both.authenticate({ token }), 'AUTH_INVALID');
  });

  it('requires exp, and rejects a token expired beyond the leeway', async () => {
    const { exp: _, ...noExp } = claims();
    await rejectsWith(both.authenticate({ token: hs256(noExp) }), 'AUTH_INVALID', '"exp"');
    await rejectsWith(both.authenticate({ token: hs256(claims({ exp: 'soon' })) }), 'AUTH_INVALID', '"exp"');
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ exp: now() - 60 })) }),
      'AUTH_EXPIRED',
      'leeway 30 s',
    );
    await rejectsWith(both.authenticate({ token: rs256(claims({ exp: now() - 3600 })) }), 'AUTH_EXPIRED');
  });

  it('accepts a token expired within the leeway, and the leeway is configurable', async () => {
    // Margins of 10+ s on each side of the leeway, so a slow machine cannot flip the outcome.
    assert.equal((await both.authenticate({ token: hs256(claims({ exp: now() - 15 })) })).account, 'acc1');
    const strict = createAuthenticator({ jwt: { hs256Secret: HS_SECRET, leewaySeconds: 0 } });
    await rejectsWith(
      strict.authenticate({ token: hs256(claims({ exp: now() - 15 })) }),
      'AUTH_EXPIRED',
      'leeway 0 s',
    );
    const lax = createAuthenticator({ jwt: { hs256Secret: HS_SECRET, leewaySeconds: 120 } });
    assert.equal((await lax.authenticate({ token: hs256(claims({ exp: now() - 60 })) })).account, 'acc1');
  });

  it('rejects a token used before its nbf, beyond the leeway', async () => {
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ nbf: now() + 60 })) }),
      'AUTH_NOT_YET_VALID',
      'not valid before',
    );
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ nbf: 1e20 })) }),
      'AUTH_NOT_YET_VALID',
      'nbf 100000000000000000000',
    );
    assert.equal((await both.authenticate({ token: hs256(claims({ nbf: now() + 15 })) })).account, 'acc1');
    assert.equal((await both.authenticate({ token: hs256(claims({ nbf: now() - 60 })) })).account, 'acc1');
  });

  it('checks iss and aud only when configured', async () => {
    const checked = createAuthenticator({
      jwt: { hs256Secret: HS_SECRET, issuer: 'https://login.example', audience: 'tickwire' },
    });
    const good = claims({ iss: 'https://login.example', aud: 'tickwire' });
    assert.equal((await checked.authenticate({ token: hs256(good) })).account, 'acc1');
    const audList = hs256({ ...good, aud: ['other', 'tickwire'] });
    assert.equal((await checked.authenticate({ token: audList })).account, 'acc1');
    await rejectsWith(
      checked.authenticate({ token: hs256({ ...good, iss: 'evil' }) }),
      'AUTH_INVALID',
      '"iss" "evil"',
    );
    await rejectsWith(
      checked.authenticate({ token: hs256({ ...good, aud: 'other' }) }),
      'AUTH_INVALID',
      '"aud" "other"',
    );
    const { iss: _, ...noIss } = good;
    await rejectsWith(checked.authenticate({ token: hs256(noIss) }), 'AUTH_INVALID', '"iss"');
    // Unconfigured: whatever the token says is ignored.
    assert.equal((await hsOnly.authenticate({ token: hs256({ ...good, iss: 'evil' }) })).account, 'acc1');
  });

  it('requires sub to be one topic segment', async () => {
    const { sub: _, ...noSub } = claims();
    await rejectsWith(both.authenticate({ token: hs256(noSub) }), 'AUTH_INVALID', '"sub"');
    for (const sub of ['acc.1', 'acc 1', '*', '>', '', 42, null]) {
      await rejectsWith(both.authenticate({ token: hs256(claims({ sub })) }), 'AUTH_INVALID', '"sub"');
    }
  });

  it('validates the admin and topics claims', async () => {
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ admin: 'true' })) }),
      'AUTH_INVALID',
      '"admin"',
    );
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ topics: 'md.>' })) }),
      'AUTH_INVALID',
      '"topics"',
    );
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ topics: ['md.>', 'orders.>.x'] })) }),
      'AUTH_INVALID',
      '"topics"[1] "orders.>.x"',
    );
    await rejectsWith(
      both.authenticate({ token: hs256(claims({ topics: [7] })) }),
      'AUTH_INVALID',
      '"topics"[0]',
    );
  });

  it('answers AUTH_UNAVAILABLE for a token when no JWT key is configured', async () => {
    const keysOnly = createAuthenticator({ apiKeys: [{ key: API_KEY, account: 'acc1' }] });
    await rejectsWith(keysOnly.authenticate({ token: hs256(claims()) }), 'AUTH_UNAVAILABLE');
    await rejectsWith(keysOnly.authenticate({ token: 'not even a jwt' }), 'AUTH_UNAVAILABLE');
  });
});

describe('auth configuration', () => {
  it('defaults to no keys, no JWT and market data for anonymous connections', () => {
    assert.deepEqual(authConfigSchema.parse({}), {
      apiKeys: [],
      jwt: { leewaySeconds: 30 },
      anonymous: { topics: ['md.>', 'bars.>', 'features.>'] },
    });
  });

  it('accepts its own output again', async () => {
    const config = authConfigSchema.parse({ apiKeys: [{ key: API_KEY, account: 'acc1' }] });
    assert.equal((await createAuthenticator(config).authenticate({ apiKey: API_KEY })).account, 'acc1');
  });

  const bad: [string, AuthConfigInput, string][] = [
    [
      'a short HS256 secret',
      { jwt: { hs256Secret: 'x'.repeat(31) } },
      'jwt.hs256Secret: must be at least 32 bytes',
    ],
    [
      'a private key as the RS256 key',
      { jwt: { rs256PublicKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } },
      'jwt.rs256PublicKey: holds a private key',
    ],
    [
      'garbage as the RS256 key',
      { jwt: { rs256PublicKey: 'not a pem' } },
      'jwt.rs256PublicKey: is not a PEM public key',
    ],
    [
      'an EC key as the RS256 key',
      {
        jwt: {
          rs256PublicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .publicKey.export({ type: 'spki', format: 'pem' })
            .toString(),
        },
      },
      'is a ec key, not an RSA key',
    ],
    [
      'a 1024-bit RSA key',
      {
        jwt: {
          rs256PublicKey: generateKeyPairSync('rsa', { modulusLength: 1024 })
            .publicKey.export({ type: 'spki', format: 'pem' })
            .toString(),
        },
      },
      'is a 1024-bit RSA key',
    ],
    ['a negative leeway', { jwt: { hs256Secret: HS_SECRET, leewaySeconds: -1 } }, 'jwt.leewaySeconds'],
    [
      'a short API key',
      { apiKeys: [{ key: 'short', account: 'acc1' }] },
      'apiKeys[0].key: must be at least 16',
    ],
    [
      'a repeated API key',
      {
        apiKeys: [
          { key: API_KEY, account: 'acc1' },
          { key: API_KEY, account: 'acc2' },
        ],
      },
      'apiKeys[1].key: repeats the key of apiKeys[0]',
    ],
    [
      'an account with a dot',
      { apiKeys: [{ key: API_KEY, account: 'a.b' }] },
      'apiKeys[0].account: account "a.b"',
    ],
    [
      'a bad key pattern',
      { apiKeys: [{ key: API_KEY, account: 'a', topics: ['md..x'] }] },
      'apiKeys[0].topics[0]',
    ],
    ['a bad anonymous pattern', { anonymous: { topics: ['>.md'] } }, 'anonymous.topics[0]: pattern ">.md"'],
    ['an unknown field', { jwt: { secret: HS_SECRET } } as AuthConfigInput, 'jwt'],
  ];
  for (const [what, config, message] of bad) {
    it(`refuses ${what} with BAD_CONFIG`, () => {
      throwsCode(() => createAuthenticator(config), 'BAD_CONFIG', message);
    });
  }

  it('never puts a secret in a config error', () => {
    const secret = 'tw_secret_key_do_not_log_1234';
    const config = {
      apiKeys: [
        { key: secret, account: 'a' },
        { key: secret, account: 'b' },
      ],
      jwt: { hs256Secret: 'short-secret' },
    };
    assert.throws(
      () => createAuthenticator(config),
      (error: unknown) =>
        isTickwireError(error, 'BAD_CONFIG') &&
        !error.message.includes(secret) &&
        !error.message.includes('short-secret'),
    );
  });
});

describe('credentialFromHandshake', () => {
  const request = (headers: Record<string, string | string[]>, url = '/ws') => ({ headers, url });

  it('reads each of the four forms', () => {
    assert.deepEqual(credentialFromHandshake(request({ authorization: 'Bearer abc.def.ghi' })), {
      token: 'abc.def.ghi',
    });
    assert.deepEqual(credentialFromHandshake(request({ authorization: 'bearer  abc' })), { token: 'abc' });
    assert.deepEqual(credentialFromHandshake(request({ 'x-api-key': API_KEY })), { apiKey: API_KEY });
    assert.deepEqual(credentialFromHandshake(request({}, '/ws?token=a.b.c')), { token: 'a.b.c' });
    assert.deepEqual(credentialFromHandshake(request({}, `/ws?api_key=${encodeURIComponent('k+y/=')}`)), {
      apiKey: 'k+y/=',
    });
  });

  it('returns no credential when there is none', () => {
    assert.deepEqual(credentialFromHandshake(request({ 'user-agent': 'x' }, '/ws?symbols=BTCUSDT')), {});
    assert.deepEqual(credentialFromHandshake({ headers: {}, url: undefined }), {});
  });

  it('refuses more than one credential rather than picking one', () => {
    throwsCode(
      () => credentialFromHandshake(request({ authorization: 'Bearer t', 'x-api-key': API_KEY })),
      'AUTH_INVALID',
      'the Authorization header and the X-API-Key header',
    );
    throwsCode(
      () => credentialFromHandshake(request({}, '/ws?token=a&token=b')),
      'AUTH_INVALID',
      'more than one',
    );
    throwsCode(
      () => credentialFromHandshake(request({ 'x-api-key': API_KEY }, '/ws?api_key=x')),
      'AUTH_INVALID',
      'more than one',
    );
    throwsCode(() => credentialFromHandshake(request({ 'x-api-key': [API_KEY, API_KEY] })), 'AUTH_INVALID');
  });

  it('refuses other schemes and empty credentials without echoing them', () => {
    assert.throws(
      () => credentialFromHandshake(request({ authorization: 'Basic dXNlcjpwYXNz' })),
      (error: unknown) =>
        isTickwireError(error, 'AUTH_INVALID') &&
        error.message.includes('"Basic"') &&
        !error.message.includes('dXNlcjpwYXNz'),
    );
    throwsCode(
      () => credentialFromHandshake(request({ authorization: 'Bearer' })),
      'AUTH_INVALID',
      'Bearer <token>',
    );
    throwsCode(() => credentialFromHandshake(request({ authorization: 'Bearer a b' })), 'AUTH_INVALID');
    assert.throws(
      () => credentialFromHandshake(request({ authorization: API_KEY })),
      (error: unknown) => isTickwireError(error, 'AUTH_INVALID') && !error.message.includes(API_KEY),
    );
    throwsCode(() => credentialFromHandshake(request({}, '/ws?token=')), 'AUTH_INVALID', '?token= is empty');
    throwsCode(() => credentialFromHandshake(request({ 'x-api-key': '' })), 'AUTH_INVALID', 'empty');
  });
});
