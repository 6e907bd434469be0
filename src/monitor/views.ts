/**
 * What monitoring answers and publishes (docs/MONITORING.md): alerts, delivery latency, the host
 * sample and its `monitor.hardware` summary. No Node imports: the client SDK's browser build
 * compiles this file and re-exports its types, so server and SDK cannot drift.
 */
import type { HostSample } from './host/samples.ts';

export type { HostSample };

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Each category publishes on `alerts.<category>`. */
export const ALERT_CATEGORIES = ['performance', 'thermal', 'resource', 'hardware', 'feed'] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];
export const COMPARISONS = ['>', '>=', '<', '<='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * pending: the condition holds, not yet for `forMs`; firing: it has held for `forMs`; resolved: it
 * no longer holds (past `resolveAt`) after firing; inactive: it stopped holding while pending.
 */
export const ALERT_STATES = ['pending', 'firing', 'resolved', 'inactive'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** One activation of a rule, from pending to its end: what is published, listed and sent. */
export interface Alert {
  /** `<rule>-<activation time in base 36>-<n>`: unique per activation. */
  id: string;
  rule: string;
  state: AlertState;
  severity: Severity;
  category: AlertCategory;
  labels: Record<string, string>;
  summary: string;
  recommendation?: string;
  /** The expression's value at the last evaluation while active. */
  value: number;
  op: Comparison;
  threshold: number;
  /** ms since the epoch. */
  activeAt: number;
  firedAt?: number;
  endedAt?: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
}

/** An alert's change on `alerts.<category>`. */
export interface AlertEvent extends Alert {
  type: 'alert';
}

/** `GET /api/v1/alerts`. */
export interface AlertList {
  active: Alert[];
  /** Ended alerts, newest last. */
  history: Alert[];
  silences: { rule: string; until: number }[];
  /** The rules as configured (docs/MONITORING.md, "Alerts"). */
  rules: { name: string; expr: string; op: Comparison; threshold: number; [setting: string]: unknown }[];
  /** The readings the rules were last evaluated on, by name. */
  readings: Record<string, number | undefined>;
}

/** Delivery latency of one event type, from the event's own time, in µs (a type, not an interface: a bus payload). */
export type LatencySummary = {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  targetUs: number;
  /** Share of deliveries within the target. */
  withinTarget: number;
};

/** `GET /api/v1/latency`: each trading event type's latency since start, against its target. */
export interface LatencyReport {
  targetsMs: Record<string, number>;
  events: Record<string, LatencySummary>;
}

/** The same summary, published on `trading.latency` every second. */
export interface LatencyMessage {
  type: 'latency_summary';
  time: number;
  events: Record<string, LatencySummary>;
}

/** `GET /api/v1/monitor`: the newest host sample, its CPU without the raw tick counters. */
export type HostSnapshot = Omit<HostSample, 'cpu'> & {
  cpu: Omit<HostSample['cpu'], 'ticks' | 'ticksPerSecond'>;
};

/** `monitor.hardware`: one host sample at a glance (the per-part topics carry the details). */
export interface HardwareMessage {
  type: 'hardware';
  time: number;
  host: HostSample['host'];
  cpu: { utilization: number; load: HostSample['cpu']['load']; cores: number };
  memory: Pick<HostSample['memory'], 'totalBytes' | 'usedBytes' | 'usedPercent' | 'swapUsedBytes'>;
  network: HostSample['network'];
  disks: HostSample['disks'];
  thermal: { available: true; maxCelsius: number | null } | { available: false; reason: string };
  gpu: { available: true; count: number } | { available: false; reason: string };
  sampleMs: number;
}

/** `monitor.performance`: what the active alerts recommend, with every host sample. */
export interface PerformanceMessage {
  type: 'performance';
  time: number;
  recommendations: Pick<Alert, 'rule' | 'severity' | 'state' | 'value' | 'recommendation'>[];
}
