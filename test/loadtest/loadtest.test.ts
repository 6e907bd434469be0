import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { analyze, type LoadtestResult, parseThreshold, runLoadtest } from '../../src/loadtest/index.ts';
import { loadtestFlagsSchema } from '../../src/loadtest/loadtest-options.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { startExchangeSimulator } from '../../src/simulator/index.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/broker-servers.ts';

const TICKWIRE = new URL('../../bin/tickwire.js', import.meta.url).pathname;
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tickwire-loadtest-'));

/** `tickwire loadtest …` as a user runs it: its exit code, stdout and stderr. */
async function tickwire(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [TICKWIRE, 'loadtest', ...args], {
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const flags = (values: Record<string, unknown>) => loadtestFlagsSchema.parse(values);

describe('thresholds', () => {
  it('reads k6-style thresholds: latencies in µs from any unit, aliases, counts', () => {
    assert.deepEqual(parseThreshold('fill_p99<1ms'), {
      source: 'fill_p99<1ms',
      figure: 'order_fill_notification_p99',
      operator: '<',
      limit: 1_000,
    });
    assert.equal(parseThreshold('trade_p999 <= 0.5s').limit, 500_000);
    assert.equal(parseThreshold('quote_max<250us').limit, 250);
    assert.equal(parseThreshold('book_p50<3').limit, 3_000, 'ms without a unit');
    assert.deepEqual(parseThreshold('errors==0'), {
      source: 'errors==0',
      figure: 'errors',
      operator: '==',
      limit: 0,
    });
    for (const bad of ['fill_p99', 'fill_p99<fast', 'errors<1ms', 'nonsense>1', 'deliveries_per_s=>1'])
      assert.throws(() => parseThreshold(bad), /BAD_CONFIG/, bad);
  });
});

describe('tickwire loadtest against a node', () => {
  let platform: Platform;
  let result: LoadtestResult;

  before(async () => {
    platform = await startPlatform(
      loadConfig({
        flags: { port: '0', symbols: '10', workers: '1', logLevel: 'silent', db: join(dir, 'node.db') },
      }),
      pino({ level: 'silent' }),
    );
  });

  after(async () => {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('quick, with the trading flow: every event type timed from its own time, the trading targets checked', async () => {
    const apiKey = platform.trading.demoApiKey!;
    // The demo account knows the exchange's symbols once connected.
    await eventually(
      async () => (await fetch(`${platform.url}/api/v1/positions`, { headers: { 'x-api-key': apiKey } })).ok,
    );
    const seconds: number[] = [];
    result = await runLoadtest(
      'quick',
      flags({
        url: platform.url,
        clients: '30',
        subscriptions: '4',
        duration: '6',
        'api-key': apiKey,
        trading: true,
        'orders-per-second': '5',
        threshold: ['deliveries_per_s>0', 'errors==0', 'fill_p99<60s'],
      }),
      { onSecond: (point) => seconds.push(point.atS) },
    );
    assert.equal(result.clients.everConnected, 30);
    assert.equal(result.clients.connectFailures, 0);
    assert.ok(result.deliveries > 0 && result.deliveriesPerSecond > 0);
    for (const type of ['trade', 'quote', 'order_fill_notification', 'order_status_update'])
      assert.ok(result.latency[type]!.count > 0, `${type} timed: ${Object.keys(result.latency).join(', ')}`);
    assert.ok(result.trading!.ordersPlaced > 0, JSON.stringify(result.trading));
    const fillTarget = result.checks.find((check) => check.name === 'order_fill_notification_p99');
    assert.equal(fillTarget?.kind, 'target', 'the fill target is checked without being asked');
    assert.deepEqual(
      result.checks.filter((check) => check.kind === 'threshold').map((check) => [check.limit, check.passed]),
      [
        ['deliveries_per_s>0', true],
        ['errors==0', true],
        ['fill_p99<60s', true],
      ],
    );
    assert.ok(
      result.server.samples.length > 0 && result.server.rssMbMax! > 0,
      'the server read from its /metrics',
    );
    assert.ok(seconds.length >= 5, 'a progress report each second');
    assert.ok(result.generator.cpuPercentMax > 0, 'the client processes report their own load');
    assert.deepEqual(
      result.checks.find((check) => check.name === 'clients_connected'),
      { name: 'clients_connected', kind: 'target', value: 30, limit: '= 30', passed: true },
    );
  });

  it('as a command: the table, --json, an HTML report with plots, and the exit code', async () => {
    const html = join(dir, 'report.html');
    const text = await tickwire([
      'quick',
      '--url',
      platform.url,
      '--clients',
      '5',
      '--duration',
      '3',
      '--html',
      html,
    ]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /latency from the event’s time \(ms\)\s+count\s+p50/);
    assert.match(text.stdout, /^trade\s+[\d,]+\s+[\d.]+/m);
    assert.match(readFileSync(html, 'utf8'), /<svg[^>]*aria-label="p99 latency/);
    // full ramps its clients over its first third when shortened.
    const full = await tickwire(['full', '--url', platform.url, '--clients', '20', '--duration', '3']);
    assert.equal(full.code, 0, full.stdout + full.stderr);
    assert.match(full.stdout, /^tickwire loadtest full → .*20 clients \(20 connected/m);
    const json = await tickwire([
      'quick',
      '--url',
      platform.url,
      '--clients',
      '5',
      '--duration',
      '2',
      '--json',
      '--threshold',
      'deliveries_per_s<1',
    ]);
    assert.equal(json.code, 1, 'a threshold that does not hold fails the run');
    const parsed = JSON.parse(json.stdout) as LoadtestResult;
    assert.equal(parsed.passed, false);
    assert.equal(parsed.checks.find((check) => check.limit === 'deliveries_per_s<1')?.passed, false);
  });

  it('refuses what it must not or cannot test, with exit code 2', async () => {
    const remote = await tickwire(['quick', '--url', 'http://10.1.2.3:8001']);
    assert.equal(remote.code, 2);
    assert.match(
      remote.stderr,
      /LOADTEST_TARGET: 10\.1\.2\.3 is not a loopback address: name it with --allow-host/,
    );
    const silent = await tickwire(['quick', '--url', `http://127.0.0.1:${await freePort()}`]);
    assert.equal(silent.code, 2);
    assert.match(silent.stderr, /LOADTEST_TARGET: no Tickwire node answers at .*start one with npm start/);
    const tooMany = await tickwire(['quick', '--clients', '50001']);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--clients: .*50000/);
    assert.equal((await tickwire(['sideways'])).code, 2);
    assert.equal((await tickwire(['full', '--trading'])).code, 2, 'the trading flow needs a key');
  });

  it('analyze reads the node and says what it finds, with what to do', async () => {
    const analysis = await analyze(platform.url);
    assert.equal(analysis.target, new URL(platform.url).origin);
    for (const finding of analysis.findings)
      assert.ok(finding.area && finding.finding, JSON.stringify(finding));
    const command = await tickwire(['analyze', '--url', platform.url, '--json']);
    assert.ok([0, 1].includes(command.code), command.stderr);
    assert.ok(Array.isArray((JSON.parse(command.stdout) as { findings: unknown[] }).findings));
  });
});

describe('tickwire loadtest against a node slowed on purpose', () => {
  it('a latency threshold fails, and the exit code says so', async () => {
    // The exchange runs here and keeps time; the node, a separate process, is stopped for 400 ms
    // of every 800: the market data it forwards arrives hundreds of milliseconds late.
    const simulator = await startExchangeSimulator({ symbols: 2, eventsPerSecond: 400 });
    const port = await freePort();
    const node: ChildProcess = spawn(
      process.execPath,
      [
        TICKWIRE,
        'start',
        '--port',
        String(port),
        '--feed',
        'binance',
        '--binance-rest-url',
        simulator.url,
        '--binance-ws-url',
        simulator.wsUrl,
        '--symbols',
        'BTCUSDT,ETHUSDT',
        '--feed-streams',
        'trade,bookTicker',
        '--log-level',
        'silent',
        '--db',
        join(mkdtempSync(join(tmpdir(), 'tickwire-slowed-')), 'node.db'),
      ],
      { stdio: 'ignore' },
    );
    let slowing: ReturnType<typeof setInterval> | undefined;
    try {
      const url = `http://127.0.0.1:${port}`;
      await eventually(
        () =>
          fetch(`${url}/api/v1/ticker`)
            .then(
              async (r) =>
                r.ok &&
                ((await r.json()) as { symbols: { price: string | null }[] }).symbols.every((s) => s.price),
            )
            .catch(() => false),
        'the node up',
      );
      slowing = setInterval(() => {
        node.kill('SIGSTOP');
        setTimeout(() => node.kill('SIGCONT'), 400);
      }, 800);
      const slowed = await tickwire([
        'quick',
        '--url',
        url,
        '--clients',
        '5',
        '--duration',
        '5',
        '--threshold',
        'trade_p99<100ms',
      ]);
      assert.equal(slowed.code, 1, slowed.stderr);
      assert.match(slowed.stdout, /trade_p99\s+[\d.]+ ms\s+trade_p99<100ms\s+FAIL/);
    } finally {
      clearInterval(slowing);
      node.kill('SIGCONT');
      node.kill('SIGTERM');
      await simulator.close();
    }
  });
});
