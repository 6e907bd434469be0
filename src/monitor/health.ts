/**
 * Health of a node (docs/MONITORING.md, "Health"), as load balancers and Kubernetes probes read it:
 * each component `ok`, `degraded` (serving, with a reason) or `down` (not serving), the node as
 * its worst component. `/health/live` answers while the process runs; `/health/ready` and
 * `/health` answer 200 only when every component is ok, 503 otherwise, with the reasons.
 */

export const HEALTH_STATUSES = ['ok', 'degraded', 'down'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export interface ComponentHealth {
  status: HealthStatus;
  /** Why it is not ok. */
  reason?: string;
}

/** What the components report, read when a probe asks. */
export interface HealthReadings {
  bus: { state: string };
  /** Pipeline worker threads: how many run, of how many (0 of 0 inline). */
  workers: { alive: number; total: number };
  /** The market feed, when the node runs one. */
  feed?: { state: string; books: number; inSync: number; connections: { state: string }[] };
  /** Each trading account's exchange connection. */
  trading: { account: string; state: string }[];
}

export interface NodeHealth {
  status: HealthStatus;
  components: Record<string, ComponentHealth>;
}

const RANK: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };
const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.reduce<HealthStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

/** Each component's health, and the node's. */
export function assessHealth(readings: HealthReadings): NodeHealth {
  const components: Record<string, ComponentHealth> = {
    bus:
      readings.bus.state === 'connected'
        ? { status: 'ok' }
        : {
            // It still serves what it makes itself; its clients miss what other nodes publish.
            status: 'degraded',
            reason: `the broker is ${readings.bus.state}: messages of other nodes do not arrive`,
          },
    pipeline: pipelineHealth(readings.workers),
  };
  if (readings.feed !== undefined) components.feed = feedHealth(readings.feed);
  if (readings.trading.length > 0) components.trading = tradingHealth(readings.trading);
  return { status: worst(Object.values(components).map((c) => c.status)), components };
}

function pipelineHealth({ alive, total }: HealthReadings['workers']): ComponentHealth {
  if (alive === total) return { status: 'ok' };
  return {
    status: alive === 0 ? 'down' : 'degraded',
    reason: `${total - alive} of ${total} pipeline workers are not running`,
  };
}

function feedHealth(feed: NonNullable<HealthReadings['feed']>): ComponentHealth {
  if (feed.state !== 'running') return { status: 'down', reason: `the feed is ${feed.state}` };
  const closed = feed.connections.filter((connection) => connection.state !== 'live').length;
  if (closed > 0)
    return {
      status: 'degraded',
      reason: `${closed} of ${feed.connections.length} feed connections are not live`,
    };
  if (feed.inSync < feed.books)
    return {
      status: 'degraded',
      reason: `${feed.books - feed.inSync} of ${feed.books} order books are not in sync (first sync or resync)`,
    };
  return { status: 'ok' };
}

function tradingHealth(accounts: HealthReadings['trading']): ComponentHealth {
  const away = accounts.filter((account) => account.state !== 'live');
  if (away.length === 0) return { status: 'ok' };
  const stopped = away.some((account) => account.state === 'stopped');
  return {
    status: stopped ? 'down' : 'degraded',
    reason: away.map((account) => `${account.account}: ${account.state}`).join(', '),
  };
}
