import type { Payload } from '../bus/index.ts';

/**
 * Priority lanes, highest first. Each connection drains them in this order, so a critical message
 * is written before any queued lower-lane message.
 *  - critical: order fills and rejects: never dropped, never conflated
 *  - high:     order and bot status, alerts: never dropped, never conflated
 *  - normal:   market data: conflated per topic (latest wins) for a slow connection
 *  - low:      statistics and monitoring snapshots: conflated like normal
 */
export const LANES = ['critical', 'high', 'normal', 'low'] as const;
export type Lane = (typeof LANES)[number];
export const LANE_INDEX = { critical: 0, high: 1, normal: 2, low: 3 } as const satisfies Record<Lane, number>;

/** Lanes whose messages may be replaced by a newer one on the same topic. */
export function isConflatable(lane: number): boolean {
  return lane >= LANE_INDEX.normal;
}

/**
 * The lane a bus message travels in, from its topic family (and, for orders, its status):
 * fills and order rejects are critical; other order events, bot events and alerts are high;
 * monitoring and status (`monitor`, `engine`, `system`) are low; everything else (market data) is normal.
 */
export function laneOf(topic: string, payload: Payload): number {
  switch (topicFamily(topic)) {
    case 'fills':
      return LANE_INDEX.critical;
    case 'orders':
      return isRejection(payload) ? LANE_INDEX.critical : LANE_INDEX.high;
    case 'bots':
    case 'alerts':
      return LANE_INDEX.high;
    case 'monitor':
    case 'engine':
    case 'system':
      return LANE_INDEX.low;
    default:
      return LANE_INDEX.normal;
  }
}

function isRejection(payload: Payload): boolean {
  if (
    payload === null ||
    typeof payload !== 'object' ||
    payload instanceof Uint8Array ||
    Array.isArray(payload)
  ) {
    return false;
  }
  return payload.status === 'rejected' || payload.event === 'rejected';
}

/** The first segment of a topic (`md`, `fills`…): its family, the label counters use. */
export function topicFamily(topic: string): string {
  return topic.slice(0, topic.indexOf('.'));
}
