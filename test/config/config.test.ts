import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CONFIG_KEYS,
  configDefault,
  configSchema,
  FILE_ONLY_KEYS,
  loadConfig,
} from '../../src/config/index.ts';
import { ENGINE_CONFIG_HELP, ENGINE_CONFIG_SHAPE } from '../../src/engines/index.ts';
import { isTickwireError } from '../../src/errors.ts';

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tickwire-config-')), 'tickwire.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isTickwireError(error, 'BAD_CONFIG'), `expected BAD_CONFIG, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('has embedded defaults for every key', () => {
    const config = loadConfig();
    assert.deepEqual(
      {
        host: config.host,
        port: config.port,
        bus: config.bus,
        feed: config.feed,
        symbols: config.symbols,
        workers: config.workers,
        logLevel: config.logLevel,
      },
      {
        host: '127.0.0.1',
        port: 8001,
        bus: 'memory',
        feed: 'sim',
        symbols: 100,
        workers: undefined,
        logLevel: 'info',
      },
    );
    assert.equal(config.profile, 'throughput', "the profile's settings apply unless a key overrides them");
    assert.deepEqual(config.feedStreams, ['trade', 'bookTicker', 'depth']);
    assert.deepEqual(config.recoverableTopics, ['orders.>', 'fills.>', 'bots.>', 'alerts.>']);
    assert.deepEqual(config.anonymousTopics, ['md.>', 'bars.>', 'features.>']);
    assert.deepEqual(config.auth.apiKeys, []);
    assert.equal(config.adminKey, undefined);
  });

  it('reads lists from a flag as comma-separated values and from the file as arrays', () => {
    assert.deepEqual(
      loadConfig({ flags: { allowedOrigins: 'http://a.test, http://b.test' } }).allowedOrigins,
      ['http://a.test', 'http://b.test'],
    );
    assert.deepEqual(
      loadConfig({ file: configFile({ anonymousTopics: ['md.>', 'monitor.*'] }) }).anonymousTopics,
      ['md.>', 'monitor.*'],
    );
  });

  it('checks relations between keys', () => {
    assert.match(
      rejection(() => loadConfig({ flags: { pingIntervalMs: '5000', idleTimeoutMs: '4000' } })),
      /idleTimeoutMs \(from --idle-timeout-ms\): got "4000": must be longer than pingIntervalMs/,
    );
  });

  it('layers file < environment < flags', () => {
    const file = configFile({ port: 9000, host: '127.0.0.2', workers: 3 });
    const config = loadConfig({
      file,
      env: { TICKWIRE_PORT: '9100', TICKWIRE_WORKERS: '2' },
      flags: { port: '9200' },
    });
    assert.equal(config.host, '127.0.0.2');
    assert.equal(config.workers, 2);
    assert.equal(config.port, 9200);
  });

  it('finds the file through TICKWIRE_CONFIG', () => {
    const file = configFile({ feed: 'none' });
    assert.equal(loadConfig({ env: { TICKWIRE_CONFIG: file } }).feed, 'none');
  });

  it('reads symbols as a count or a list from any source', () => {
    assert.equal(loadConfig({ flags: { symbols: '250' } }).symbols, 250);
    assert.deepEqual(loadConfig({ env: { TICKWIRE_SYMBOLS: 'btcusdt, ETHUSDT' } }).symbols, [
      'BTCUSDT',
      'ETHUSDT',
    ]);
    assert.deepEqual(loadConfig({ file: configFile({ symbols: ['SOLUSDT'] }) }).symbols, ['SOLUSDT']);
  });

  it('names the key, the source and the value when a value is invalid', () => {
    assert.match(
      rejection(() => loadConfig({ flags: { port: 'abc' } })),
      /port \(from --port\): got "abc": must be a whole number/,
    );
    assert.match(
      rejection(() => loadConfig({ env: { TICKWIRE_PORT: '70000' } })),
      /port \(from TICKWIRE_PORT\).*at most 65535/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { workers: '-1' } })),
      /workers \(from --workers\).*at least 0/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { feed: 'kraken' } })),
      /feed \(from --feed\).*must be one of: sim, binance, none/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { ringCapacity: '1000' } })),
      /ringCapacity \(from --ring-capacity\).*power of two/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { feedStreams: 'trade,ticker' } })),
      /feedStreams \(from --feed-streams\)/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { bus: 'kafka://127.0.0.1:9092' } })),
      /bus \(from --bus\).*"kafka:\/\/127.0.0.1:9092" is not valid.*redis:\/\/host:port/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { busPrefix: 'a.b-rpc' } })),
      /busPrefix \(from --bus-prefix\).*request namespace/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { symbols: 'BTC-USD' } })),
      /symbols .*A-Z and 0-9/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { symbols: 'BTCUSDT,BTCUSDT' } })),
      /must not repeat/,
    );
    assert.match(
      rejection(() => loadConfig({ flags: { logLevel: 'loud' } })),
      /logLevel \(from --log-level\)/,
    );
  });

  it('rejects unknown keys and broken files with their path', () => {
    const unknown = configFile({ prot: 8001 });
    assert.match(
      rejection(() => loadConfig({ file: unknown })),
      /unknown key\(s\) "prot"/,
    );
    const broken = configFile('{ not json');
    assert.match(
      rejection(() => loadConfig({ file: broken })),
      /is not valid JSON/,
    );
    assert.match(
      rejection(() => loadConfig({ file: configFile([1]) })),
      /must hold a JSON object/,
    );
    assert.match(
      rejection(() => loadConfig({ file: '/nonexistent/tickwire.json' })),
      /cannot read config file/,
    );
  });

  it('spells every schema key for flags and environment, except the file-only ones', () => {
    assert.deepEqual(
      [...Object.keys(CONFIG_KEYS), ...FILE_ONLY_KEYS].sort(),
      Object.keys(configSchema.shape).sort(),
    );
    for (const spelling of Object.values(CONFIG_KEYS)) {
      assert.match(spelling.flag, /^--[a-z-]+$/);
      assert.match(spelling.env, /^TICKWIRE_[A-Z_]+$/);
    }
  });
});

describe('README configuration reference', () => {
  it('documents every key with its flag and environment variable', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [key, spelling] of Object.entries(CONFIG_KEYS)) {
      assert.ok(
        readme.includes(`| \`${key}\` | \`${spelling.flag}\` | \`${spelling.env}\` |`),
        `README row for ${key}`,
      );
    }
    for (const key of FILE_ONLY_KEYS) assert.ok(readme.includes(`| \`${key}\` | config file only |`), key);
  });

  it("shows every key's default as its schema has it, and each engine option with the help its engine writes", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const key of Object.keys(CONFIG_KEYS) as (keyof typeof CONFIG_KEYS)[]) {
      const fallback = configDefault(key);
      if (fallback === undefined) continue;
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
      assert.ok(
        row?.split(' | ')[3]!.startsWith(`\`${fallback}\``),
        `README's default of ${key} is ${fallback}: ${row}`,
      );
    }
    for (const key of Object.keys(ENGINE_CONFIG_SHAPE) as (keyof typeof ENGINE_CONFIG_SHAPE)[])
      assert.ok(readme.includes(` | ${ENGINE_CONFIG_HELP[key]} |`), `README's help of ${key}`);
  });
});
