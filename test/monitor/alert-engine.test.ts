import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AlertEngine } from '../../src/monitor/alerts/alert-engine.ts';
import type { Alert } from '../../src/monitor/views.ts';
import {
  type AlertRuleInput,
  alertRuleSchema,
  alertsConfigSchema,
  DEFAULT_ALERT_RULES,
  resolveAlertRules,
} from '../../src/monitor/alerts/alert-rules.ts';
import { compileExpression } from '../../src/monitor/alerts/expression.ts';
import { READING_NAMES } from '../../src/monitor/node-readings.ts';

const monitoringDoc = readFileSync(new URL('../../docs/MONITORING.md', import.meta.url), 'utf8');

function engineWith(rule: Partial<AlertRuleInput>) {
  const changes: Alert[] = [];
  const parsed = alertRuleSchema.parse({
    name: 'Lag',
    expr: 'process.event_loop_lag_max_ms',
    op: '>',
    threshold: 100,
    summary: 'lag',
    ...rule,
  });
  const [compiled] = resolveAlertRules([parsed]).filter((r) => r.name === parsed.name);
  const engine = new AlertEngine({
    rules: [compiled!],
    historySize: 3,
    onChange: (alert) => changes.push(alert),
  });
  const at = (now: number, value: number | undefined) =>
    engine.evaluate({ 'process.event_loop_lag_max_ms': value }, now);
  return { engine, changes, at, states: () => changes.map((change) => change.state) };
}

describe('alert engine', () => {
  it('goes pending, fires after `for`, and resolves; a blip shorter than `for` only goes inactive', () => {
    const { at, states, changes, engine } = engineWith({ forMs: 1_000 });
    at(0, 50);
    at(100, 150);
    at(600, 160);
    assert.deepEqual(states(), ['pending']);
    at(1_100, 170);
    assert.deepEqual(states(), ['pending', 'firing']);
    assert.equal(changes[1]!.value, 170);
    at(1_200, 20);
    assert.deepEqual(states(), ['pending', 'firing', 'resolved']);
    assert.equal(changes[2]!.endedAt, 1_200);
    at(2_000, 200);
    at(2_500, 10);
    assert.deepEqual(states().slice(3), ['pending', 'inactive']);
    const listed = engine.list(3_000);
    assert.equal(listed.active.length, 0);
    assert.deepEqual(
      listed.history.map((alert) => alert.state),
      ['inactive', 'resolved'],
    );
    assert.notEqual(listed.history[0]!.id, listed.history[1]!.id);
  });

  it('does not flap at the threshold: hysteresis holds it until resolveAt, cooldown keeps it resolved', () => {
    const { at, states } = engineWith({ resolveAt: 50, cooldownMs: 5_000 });
    at(0, 101);
    for (const [time, value] of [
      [1, 99],
      [2, 101],
      [3, 98],
      [4, 60],
    ] as const)
      at(time, value);
    assert.deepEqual(
      states(),
      ['pending', 'firing'],
      'values between resolveAt and the threshold keep it firing',
    );
    at(5, 40);
    assert.deepEqual(states(), ['pending', 'firing', 'resolved']);
    at(1_000, 500);
    assert.equal(states().length, 3, 'within the cooldown the rule does not go pending again');
    at(5_006, 500);
    assert.deepEqual(states().slice(3), ['pending', 'firing']);
  });

  it('treats a reading with no value as the condition not holding', () => {
    const { at, states } = engineWith({});
    at(0, 200);
    at(1, undefined);
    assert.deepEqual(states(), ['pending', 'firing', 'resolved']);
  });

  it('acknowledges an alert and silences its rule for a time', () => {
    const { at, engine, changes } = engineWith({});
    at(0, 200);
    const id = changes.at(-1)!.id;
    assert.equal(engine.acknowledge('nope-1-1', 'admin', 10), undefined);
    const acknowledged = engine.acknowledge(id, 'admin', 10, 1_000)!;
    assert.equal(acknowledged.acknowledgedBy, 'admin');
    assert.equal(changes.at(-1)!.acknowledgedAt, 10);
    assert.equal(engine.isSilenced('Lag', 500), true);
    assert.equal(engine.isSilenced('Lag', 1_010), false);
    assert.deepEqual(engine.list(500).silences, [{ rule: 'Lag', until: 1_010 }]);
  });
});

describe('alert rules and expressions', () => {
  it('evaluates arithmetic over readings, and no value where a reading or a divisor is missing', () => {
    const expression = compileExpression(
      '(gateway.deepest_queue + 2) * 3 / -gateway.connections',
      READING_NAMES,
    );
    assert.equal(expression.evaluate({ 'gateway.deepest_queue': 4, 'gateway.connections': 2 }), -9);
    assert.equal(expression.evaluate({ 'gateway.deepest_queue': 4 }), undefined);
    assert.equal(expression.evaluate({ 'gateway.deepest_queue': 4, 'gateway.connections': 0 }), undefined);
  });

  it('refuses a bad rule with a message naming what is wrong', () => {
    for (const [expr, fragment] of [
      ['cpu.nonsense', 'is not a reading'],
      ['gateway.connections +', 'ends too early'],
      ['(gateway.connections', 'not closed'],
      ['gateway.connections % 2', 'unexpected'],
    ] as const) {
      const result = alertRuleSchema.safeParse({ name: 'X', expr, op: '>', threshold: 1, summary: 's' });
      assert.equal(result.success, false, expr);
      assert.match(result.error!.issues[0]!.message, new RegExp(fragment), expr);
    }
    const wrongSide = alertRuleSchema.safeParse({
      name: 'X',
      expr: 'gateway.connections',
      op: '>',
      threshold: 1,
      resolveAt: 2,
      summary: 's',
    });
    assert.match(wrongSide.error!.issues[0]!.message, /resolved side/);
    const twice = alertsConfigSchema.safeParse({
      rules: [
        { name: 'A', expr: 'bus.connected', op: '<', threshold: 1, summary: 's' },
        { name: 'A', expr: 'bus.connected', op: '<', threshold: 1, summary: 's' },
      ],
    });
    assert.match(twice.error!.issues[0]!.message, /unique/);
  });

  it('parses every default rule; a configured rule replaces the default of its name or turns it off', () => {
    const defaults = resolveAlertRules([]);
    assert.equal(defaults.length, DEFAULT_ALERT_RULES.length);
    const configured = alertsConfigSchema.parse({
      rules: [
        {
          name: 'FeedSilent',
          expr: 'feed.last_message_age_seconds',
          op: '>',
          threshold: 1,
          summary: 'quiet',
          category: 'feed',
        },
        {
          name: 'MemoryGrowth',
          expr: 'process.rss_bytes',
          op: '>',
          threshold: 1,
          summary: 'x',
          enabled: false,
        },
      ],
    });
    const rules = resolveAlertRules(configured.rules);
    assert.equal(rules.length, DEFAULT_ALERT_RULES.length - 1);
    assert.equal(rules.find((rule) => rule.name === 'FeedSilent')!.threshold, 1);
    assert.equal(
      rules.some((rule) => rule.name === 'MemoryGrowth'),
      false,
    );
  });

  it('docs/MONITORING.md lists every reading and every default rule', () => {
    for (const name of READING_NAMES) assert.ok(monitoringDoc.includes(`\`${name}\``), name);
    for (const rule of DEFAULT_ALERT_RULES) assert.ok(monitoringDoc.includes(`\`${rule.name}\``), rule.name);
  });
});
