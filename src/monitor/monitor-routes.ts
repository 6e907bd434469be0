import { z } from 'zod';
import {
  type Authenticator,
  authorized,
  type RouteHandler,
  type RouteKey,
  sendError,
  sendJson,
  validBody,
} from '../gateway/index.ts';
import { cpuForJson } from './host-streams.ts';
import type { NodeMonitor } from './node-monitor.ts';
import type { AlertList, HostSnapshot } from './views.ts';

/** The longest an acknowledgement may silence a rule's notifications: a week. */
const MAX_SILENCE_MS = 7 * 24 * 3_600_000;
const ackBody = z.object({ silenceMs: z.number().int().min(1).max(MAX_SILENCE_MS).optional() }).strict();

/**
 * GET /api/v1/alerts (active alerts, ended ones newest first, silences, the rules and their
 * readings now), GET /api/v1/monitor (the newest host sample), and
 * POST /api/v1/alerts/:id/ack (admin; `{"silenceMs": n}` also mutes the rule's webhook that long).
 */
export function monitorRoutes(
  monitor: NodeMonitor,
  auth: Authenticator,
): Partial<Record<RouteKey, RouteHandler>> {
  return {
    'GET /api/v1/alerts': (_request, response) =>
      sendJson(response, 200, {
        ...monitor.alerts.list(Date.now()),
        rules: monitor.alerts.rules.map(({ expression: _compiled, ...rule }) => rule),
        readings: monitor.latestReadings,
      } satisfies AlertList),
    'GET /api/v1/monitor': (_request, response) => {
      const sample = monitor.sampler.latest;
      if (sample === undefined)
        return sendError(response, 503, 'NOT_READY', 'the first host sample is not taken yet');
      sendJson(response, 200, { ...sample, cpu: cpuForJson(sample.cpu) } satisfies HostSnapshot);
    },
    'POST /api/v1/alerts/:id/ack': async (request, response, { id }) => {
      const principal = await authorized(request, response, auth);
      if (principal === undefined) return;
      const hasBody =
        Number(request.headers['content-length'] ?? 0) > 0 ||
        request.headers['transfer-encoding'] !== undefined;
      const body = hasBody ? await validBody(request, response, ackBody) : {};
      if (body === undefined) return;
      const alert = monitor.alerts.acknowledge(id!, principal.account ?? 'admin', Date.now(), body.silenceMs);
      if (alert === undefined) return sendError(response, 404, 'UNKNOWN_ALERT', `no alert ${id}`);
      sendJson(response, 200, { alert });
    },
  };
}
