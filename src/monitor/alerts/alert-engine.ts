import type { Readings } from './expression.ts';
import type { AlertRule } from './alert-rules.ts';
import type { Alert, AlertState, Comparison } from '../views.ts';

export interface AlertEngineOptions {
  rules: readonly AlertRule[];
  /** Ended alerts kept for listing, newest first. */
  historySize: number;
  /** Called on each state change and acknowledgement, after the engine's own state is updated. */
  onChange: (alert: Readonly<Alert>) => void;
}

const holds = (value: number, op: Comparison, limit: number): boolean =>
  op === '>' ? value > limit : op === '>=' ? value >= limit : op === '<' ? value < limit : value <= limit;

/**
 * Evaluates rules against readings, as Prometheus's rule manager does for one series per rule:
 * `forMs` before firing, hysteresis through `resolveAt` (an active alert ends only once its value
 * is back past it, so a value hovering at the threshold does not flap), and `cooldownMs` after an
 * alert ends before its rule may go pending again. Silences (per rule) mute notifications only:
 * the alert is still evaluated, listed and published.
 */
export class AlertEngine {
  private readonly active = new Map<string, Alert>();
  private readonly cooldownUntil = new Map<string, number>();
  private readonly silencedUntil = new Map<string, number>();
  private readonly history: Alert[] = [];
  private activations = 0;
  /** State changes by rule and state, for Prometheus. */
  readonly transitions = new Map<string, number>();

  constructor(private readonly options: AlertEngineOptions) {}

  get rules(): readonly AlertRule[] {
    return this.options.rules;
  }

  evaluate(readings: Readings, now: number): void {
    for (const rule of this.options.rules) {
      const value = rule.expression.evaluate(readings);
      const alert = this.active.get(rule.name);
      if (alert === undefined) {
        if (value === undefined || !holds(value, rule.op, rule.threshold)) continue;
        if (now < (this.cooldownUntil.get(rule.name) ?? 0)) continue;
        this.start(rule, value, now);
        continue;
      }
      const stillHolds = value !== undefined && holds(value, rule.op, rule.resolveAt ?? rule.threshold);
      if (value !== undefined) alert.value = value;
      if (!stillHolds) this.end(rule, alert, now);
      else if (alert.state === 'pending' && now - alert.activeAt >= rule.forMs)
        this.change(alert, 'firing', now);
    }
  }

  /** Marks an active or recent alert acknowledged; with `silenceMs`, its rule's notifications are muted that long. */
  acknowledge(id: string, by: string, now: number, silenceMs?: number): Alert | undefined {
    const alert = this.active.get(this.ruleOf(id) ?? '') ?? this.history.find((ended) => ended.id === id);
    if (alert === undefined || alert.id !== id) return undefined;
    alert.acknowledgedAt = now;
    alert.acknowledgedBy = by;
    if (silenceMs !== undefined) this.silencedUntil.set(alert.rule, now + silenceMs);
    this.options.onChange({ ...alert });
    return { ...alert };
  }

  /** Whether notifications (the webhook) of a rule are muted now. */
  isSilenced(rule: string, now: number): boolean {
    return now < (this.silencedUntil.get(rule) ?? 0);
  }

  list(now: number): { active: Alert[]; history: Alert[]; silences: { rule: string; until: number }[] } {
    return {
      active: [...this.active.values()],
      history: [...this.history],
      silences: [...this.silencedUntil]
        .filter(([, until]) => until > now)
        .map(([rule, until]) => ({ rule, until })),
    };
  }

  private start(rule: AlertRule, value: number, now: number): void {
    const alert: Alert = {
      id: `${rule.name}-${now.toString(36)}-${++this.activations}`,
      rule: rule.name,
      state: 'pending',
      severity: rule.severity,
      category: rule.category,
      labels: { ...rule.labels, alertname: rule.name, severity: rule.severity },
      summary: rule.summary,
      ...(rule.recommendation === undefined ? {} : { recommendation: rule.recommendation }),
      value,
      op: rule.op,
      threshold: rule.threshold,
      activeAt: now,
    };
    this.active.set(rule.name, alert);
    this.change(alert, 'pending', now);
    if (rule.forMs === 0) this.change(alert, 'firing', now);
  }

  private end(rule: AlertRule, alert: Alert, now: number): void {
    this.active.delete(rule.name);
    alert.endedAt = now;
    this.history.unshift(alert);
    if (this.history.length > this.options.historySize) this.history.pop();
    if (alert.state === 'firing' && rule.cooldownMs > 0)
      this.cooldownUntil.set(rule.name, now + rule.cooldownMs);
    this.change(alert, alert.state === 'firing' ? 'resolved' : 'inactive', now);
  }

  private change(alert: Alert, state: AlertState, now: number): void {
    alert.state = state;
    if (state === 'firing') alert.firedAt = now;
    const key = `${alert.rule}\u0000${state}`;
    this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    this.options.onChange({ ...alert });
  }

  private ruleOf(id: string): string | undefined {
    return id.slice(0, id.indexOf('-'));
  }
}
