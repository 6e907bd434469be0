import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.ts';
import { type Platform, startPlatform } from '../../src/platform/index.ts';
import { TestClient } from '../gateway/harness.ts';
import { brokersRequired } from '../support/broker-servers.ts';

/**
 * promtool is Prometheus's own parser and linter (`promtool check metrics`): Debian's `prometheus`
 * package. Without it the test skips loudly; under TICKWIRE_REQUIRE_BROKERS=1 (CI) it fails.
 */
const promtool = spawnSync('promtool', ['--version']).error === undefined ? 'promtool' : undefined;
const skip =
  promtool === undefined && !brokersRequired()
    ? 'promtool not found on PATH: install it (apt-get install prometheus) to check the exposition'
    : undefined;
if (skip) process.emitWarning(`skipping the exposition check: ${skip}`);

const check = (text: string) =>
  spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });

describe('GET /metrics in Prometheus exposition format', () => {
  let dir: string;
  let platform: Platform;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tickwire-metrics-'));
    const config = loadConfig({
      flags: {
        port: '0',
        symbols: '5',
        workers: '2',
        logLevel: 'silent',
        monitorIntervalMs: '200',
        db: join(dir, 'tickwire.db'),
      },
    });
    platform = await startPlatform(config, pino({ level: 'silent' }));
  });
  after(async () => {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'passes promtool check metrics with nothing to report, with every family present and an alert active',
    { skip },
    async () => {
      assert.ok(promtool, 'promtool is required here (apt-get install prometheus)');
      // Traffic on every family: a client with a subscription, an alert (the event loop held 200 ms).
      const client = await TestClient.connect(`${platform.url.replace('http', 'ws')}/ws`);
      await client.request({ op: 'subscribe', id: 1, topics: ['md.trade.SIM.*'] });
      const until = performance.now() + 200;
      while (performance.now() < until);
      let text = '';
      for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
        text = await (await fetch(`${platform.url}/metrics`)).text();
        if (
          /^tickwire_alerts\{alertname="EventLoopLag"/m.test(text) &&
          /^tickwire_host_cpu_seconds_total/m.test(text)
        )
          break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      client.close();
      const result = check(text);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.equal(result.stdout + result.stderr, '', 'promtool reports nothing');
      for (const family of [
        'tickwire_gateway_connections',
        'tickwire_gateway_subscriptions',
        'tickwire_gateway_messages_received_total',
        'tickwire_gateway_messages_sent_total',
        'tickwire_gateway_conflated_total',
        'tickwire_pipeline_dropped_total',
        'tickwire_event_delivery_seconds',
        'tickwire_event_delivery_target_seconds',
        'tickwire_feed_books',
        'tickwire_bus_connected',
        'tickwire_host_cpu_seconds_total',
        'tickwire_host_memory_available_bytes',
        'tickwire_process_resident_memory_bytes',
        'tickwire_alerts',
      ])
        assert.match(text, new RegExp(`^# TYPE ${family} `, 'm'), family);
      const documented = readFileSync(new URL('../../docs/MONITORING.md', import.meta.url), 'utf8');
      for (const [, family] of text.matchAll(/^# TYPE (\S+) /gm))
        assert.ok(documented.includes(`\`${family}\``), `${family} is not in docs/MONITORING.md`);
      assert.match(text, /^tickwire_gateway_messages_sent_total\{lane="low",format="json"\} \d+/m);
      assert.match(
        text,
        /^tickwire_event_delivery_target_seconds\{event_type="order_fill_notification"\} 0\.01$/m,
      );
    },
  );

  it(
    'the check fails on what the parser must refuse: a malformed line, a duplicate family, a bad type',
    { skip },
    () => {
      assert.ok(promtool);
      for (const broken of [
        '# TYPE a counter\na_total 1\na_total{x="1" 2\n',
        '# TYPE b gauge\nb 1\n# TYPE b gauge\nb 2\n',
        '# TYPE c speedometer\nc 1\n',
      ])
        assert.notEqual(check(broken).status, 0, broken);
    },
  );

  it('the Grafana dashboard queries only metrics and labels the node exposes', async () => {
    const dashboard = JSON.parse(
      readFileSync(new URL('../../deploy/grafana/tickwire-dashboard.json', import.meta.url), 'utf8'),
    );
    const expressions: string[] = dashboard.panels.flatMap((panel: { targets?: { expr: string }[] }) =>
      (panel.targets ?? []).map((target) => target.expr),
    );
    assert.ok(expressions.length > 20);
    const text = await (await fetch(`${platform.url}/metrics`)).text();
    const types = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name!, type!]),
    );
    /** Label names seen on each family's samples (histogram series under the family's name). */
    const labels = new Map<string, Set<string>>();
    for (const [, series, body] of text.matchAll(/^(\w+)\{([^}]*)\}/gm)) {
      const family = types.has(series!) ? series! : series!.replace(/_(bucket|sum|count)$/, '');
      const names = labels.get(family) ?? new Set<string>();
      for (const [, label] of body!.matchAll(/(\w+)="/g)) names.add(label!);
      labels.set(family, names);
    }
    const familyOf = (name: string) => (types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));
    for (const expr of expressions) {
      const families = [...expr.matchAll(/\b(tickwire_\w+)/g)].map(([, name]) => familyOf(name!));
      for (const family of families) assert.ok(types.has(family), `${family} (in ${expr}) is not exposed`);
      // Labels are checked on families that have labelled samples now (a counter by reason has
      // none until its first event).
      for (const [, name, selector] of expr.matchAll(/\b(tickwire_\w+)\{([^}]*)\}/g))
        for (const [, label] of selector!.matchAll(/(\w+)=~?"/g)) {
          const seen = labels.get(familyOf(name!));
          if (label !== 'instance' && seen)
            assert.ok(seen.has(label!), `${name} has no label ${label} (in ${expr})`);
        }
      for (const [, list] of expr.matchAll(/by \(([^)]*)\)/g))
        for (const label of list!.split(',').map((entry) => entry.trim())) {
          const seen = families.filter((family) => labels.has(family));
          if (label !== 'instance' && label !== 'le' && seen.length > 0)
            assert.ok(
              seen.some((family) => labels.get(family)!.has(label)),
              `no metric of ${expr} has a label ${label}`,
            );
        }
    }
  });
});
