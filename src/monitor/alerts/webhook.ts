import type { Alert } from '../views.ts';

/** A receiver that does not answer within this is counted as failed; the next alert is sent anyway. */
const TIMEOUT_MS = 5_000;

/**
 * Sends firing and resolved alerts to a webhook, in the body Prometheus Alertmanager's webhook
 * receivers expect (`version` 4, `status`, `alerts[]` with `labels`, `annotations`, `startsAt`,
 * `endsAt`), so that existing receivers (Slack and PagerDuty bridges) accept it unchanged.
 */
export class AlertWebhook {
  sent = 0;
  failed = 0;

  constructor(
    private readonly url: string,
    private readonly onFailure: (error: unknown, alert: Alert) => void,
  ) {}

  send(alert: Readonly<Alert>): void {
    const status = alert.state === 'resolved' ? 'resolved' : 'firing';
    const body = {
      version: '4',
      status,
      receiver: 'tickwire',
      groupLabels: { alertname: alert.rule },
      commonLabels: alert.labels,
      alerts: [
        {
          status,
          labels: alert.labels,
          annotations: {
            summary: alert.summary,
            value: String(alert.value),
            ...(alert.recommendation === undefined ? {} : { recommendation: alert.recommendation }),
          },
          startsAt: new Date(alert.firedAt ?? alert.activeAt).toISOString(),
          endsAt:
            alert.endedAt === undefined ? '0001-01-01T00:00:00Z' : new Date(alert.endedAt).toISOString(),
          fingerprint: alert.id,
        },
      ],
    };
    fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        this.sent++;
      })
      .catch((error: unknown) => {
        this.failed++;
        this.onFailure(error, alert);
      });
  }
}
