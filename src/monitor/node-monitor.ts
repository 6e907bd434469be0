import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { alertsTopic, type Payload, STATUS_TOPICS } from '../bus/index.ts';
import { AlertEngine } from './alerts/alert-engine.ts';
import type { Alert, AlertEvent, PerformanceMessage } from './views.ts';
import { type AlertsConfig, resolveAlertRules } from './alerts/alert-rules.ts';
import { AlertWebhook } from './alerts/webhook.ts';
import type { NodeHealth } from './health.ts';
import { HostSampler } from './host-sampler.ts';
import type { HostSample } from './host/samples.ts';
import { hostMessages } from './host-streams.ts';
import { NodeReadings, type ReadingName, type ReadingSources } from './node-readings.ts';
import { registerHostMetrics } from './host-metrics.ts';

export interface NodeMonitorOptions extends ReadingSources {
  /** Sampling and rule evaluation interval, ms. */
  intervalMs: number;
  alerts: AlertsConfig;
  /** The node's health (`system.health`). */
  health: () => NodeHealth;
  /** Every component's state (`engine.status`). */
  componentStatus: () => Record<string, unknown>;
  metrics: Registry;
  log: Logger;
}

const [ENGINE_STATUS_TOPIC, SYSTEM_HEALTH_TOPIC] = STATUS_TOPICS;

/** The monitor's messages are plain data (numbers, strings, arrays, records): JSON by construction. */
const asPayload = (message: object): Payload => message as Payload;

/**
 * Watches one node: samples the host and the process every interval, takes the readings, runs the
 * alert rules on them, and publishes the monitor streams, `engine.status`, `system.health`,
 * `monitor.performance` and every alert's changes on its `alerts.<category>` topic.
 */
export class NodeMonitor {
  readonly sampler: HostSampler;
  readonly alerts: AlertEngine;
  readonly webhook: AlertWebhook | undefined;
  private readonly readings: NodeReadings;
  /** The readings of the newest sample (GET /api/v1/alerts shows them next to the rules). */
  latestReadings: Partial<Record<ReadingName, number>> = {};

  constructor(private readonly options: NodeMonitorOptions) {
    const { log } = options;
    this.readings = new NodeReadings(options);
    this.webhook =
      options.alerts.webhookUrl === undefined
        ? undefined
        : new AlertWebhook(options.alerts.webhookUrl, (error, alert) =>
            log.warn({ err: error, alert: alert.id }, 'alert webhook failed'),
          );
    this.alerts = new AlertEngine({
      rules: resolveAlertRules(options.alerts.rules),
      historySize: options.alerts.historySize,
      onChange: (alert) => this.alertChanged(alert),
    });
    this.sampler = new HostSampler(options.intervalMs, (sample) => this.sampled(sample));
    registerHostMetrics(options.metrics, () => this.sampler.latest);
    this.registerAlertMetrics(options.metrics);
  }

  start(): void {
    this.sampler.start();
  }

  stop(): void {
    this.sampler.stop();
  }

  private sampled(sample: HostSample): void {
    const { bus } = this.options;
    this.latestReadings = this.readings.read(sample);
    this.alerts.evaluate(this.latestReadings, sample.time);
    for (const [topic, message] of hostMessages(sample)) bus.publish(topic, asPayload(message));
    const active = this.alerts.list(sample.time).active;
    bus.publish(
      'monitor.performance',
      asPayload({
        type: 'performance',
        time: sample.time,
        recommendations: active
          .filter((alert) => alert.recommendation !== undefined)
          .map(({ rule, severity, state, value, recommendation }) => ({
            rule,
            severity,
            state,
            value,
            recommendation,
          })),
      } satisfies PerformanceMessage),
    );
    bus.publish(
      ENGINE_STATUS_TOPIC,
      asPayload({ type: 'engine_status', time: sample.time, ...this.options.componentStatus() }),
    );
    bus.publish(
      SYSTEM_HEALTH_TOPIC,
      asPayload({ type: 'system_health', time: sample.time, ...this.options.health() }),
    );
  }

  private alertChanged(alert: Readonly<Alert>): void {
    this.options.bus.publish(
      alertsTopic(alert.category),
      asPayload({ type: 'alert', ...alert } satisfies AlertEvent),
    );
    const level = alert.state === 'firing' ? 'warn' : 'info';
    this.options.log[level]({ alert: alert.id, state: alert.state, value: alert.value }, alert.summary);
    if (this.webhook === undefined || this.alerts.isSilenced(alert.rule, Date.now())) return;
    if (alert.state === 'firing' || alert.state === 'resolved') this.webhook.send(alert);
  }

  private registerAlertMetrics(registry: Registry): void {
    const engine = this.alerts;
    new Gauge({
      name: 'tickwire_alerts',
      help: 'Active alerts (1 each), as Prometheus ALERTS: by alertname, alertstate and severity',
      labelNames: ['alertname', 'alertstate', 'severity'],
      registers: [registry],
      collect() {
        this.reset();
        for (const alert of engine.list(Date.now()).active)
          this.set({ alertname: alert.rule, alertstate: alert.state, severity: alert.severity }, 1);
      },
    });
    new Counter({
      name: 'tickwire_alert_transitions_total',
      help: 'Alert state changes, by rule and the state entered',
      labelNames: ['alertname', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, count] of engine.transitions) {
          const [alertname, state] = key.split('\u0000') as [string, string];
          this.inc({ alertname, state }, count);
        }
      },
    });
    const webhook = this.webhook;
    new Counter({
      name: 'tickwire_alert_webhook_deliveries_total',
      help: 'Alert notifications POSTed to the webhook, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ outcome: 'sent' }, webhook?.sent ?? 0);
        this.inc({ outcome: 'failed' }, webhook?.failed ?? 0);
      },
    });
  }
}
