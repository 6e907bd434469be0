import {
  type AlertTopic,
  fillsTopic,
  type MonitorTopic,
  type StatusTopic,
  ordersTopic,
  type TradingTopic,
} from '../bus/index.ts';
import type { Principal } from './permissions.ts';

/**
 * The seed's WebSocket paths, as presets: connecting to one subscribes the connection to its
 * topics at once (with the same permission checks as a subscribe message). `/ws` itself
 * subscribes to nothing. docs/PROTOCOL.md lists every path and its topics.
 */
export interface Preset {
  /** Topics for this principal and path parameter. */
  topics(principal: Principal, parameter: string | undefined): string[];
  /** Streams an account's own events: an anonymous connection is told to authenticate. */
  needsAccount: boolean;
}

const fixed = (...topics: (MonitorTopic | AlertTopic | StatusTopic | TradingTopic)[]): Preset => ({
  topics: () => topics,
  needsAccount: false,
});

/** The account's own orders and fills. */
const accountTrading: Preset = {
  topics: (principal) =>
    principal.account === null ? [] : [ordersTopic(principal.account), fillsTopic(principal.account)],
  needsAccount: true,
};

/** Exact paths. The hardware-specific seed names are aliases of the hardware-neutral streams. */
const EXACT: Record<string, Preset> = {
  '/ws': { topics: () => [], needsAccount: false },
  '/ws/trades/updates': accountTrading,
  '/ws/engine/status': fixed('engine.status'),
  '/ws/system/health': fixed('system.health'),
  '/ws/monitoring/hardware': fixed('monitor.hardware'),
  '/ws/monitoring/m4max/hardware': fixed('monitor.hardware'),
  '/ws/monitoring/performance': fixed('monitor.performance'),
  '/ws/monitoring/m4max/performance': fixed('monitor.performance'),
  '/ws/monitoring/containers/performance': fixed('monitor.containers'),
  '/ws/monitoring/thermal': fixed('monitor.thermal'),
  '/ws/monitoring/cpu-cores': fixed('monitor.cpu'),
  '/ws/monitoring/memory-bandwidth': fixed('monitor.memory'),
  '/ws/monitoring/gpu-acceleration': fixed('monitor.gpu'),
  '/ws/monitoring/neural-engine': fixed('monitor.accelerator'),
  '/ws/alerts/performance': fixed('alerts.performance'),
  '/ws/alerts/thermal': fixed('alerts.thermal'),
  '/ws/alerts/resource': fixed('alerts.resource'),
  '/ws/alerts/hardware': fixed('alerts.hardware'),
  '/ws/trading/latency': fixed('trading.latency'),
  '/ws/trading/execution': accountTrading,
  '/ws/trading/ml-inference': fixed('trading.ml-inference'),
  '/ws/trading/risk-analysis': fixed('trading.risk'),
};

const MARKET_DATA_PREFIX = '/ws/market-data/';
const SYMBOL = /^[A-Za-z0-9]{1,32}$/;

/** Every market-data kind of one symbol on every venue: `/ws/market-data/BTCUSDT`. */
const marketData: Preset = {
  topics: (_principal, symbol) => [`md.*.*.${symbol!.toUpperCase()}`],
  needsAccount: false,
};

/** The preset for a request path, with its path parameter, or undefined for an unknown path. */
export function presetFor(path: string): { preset: Preset; parameter: string | undefined } | undefined {
  const exact = EXACT[path];
  if (exact) return { preset: exact, parameter: undefined };
  if (path.startsWith(MARKET_DATA_PREFIX)) {
    const symbol = path.slice(MARKET_DATA_PREFIX.length);
    if (SYMBOL.test(symbol)) return { preset: marketData, parameter: symbol };
  }
  return undefined;
}

/** Every preset path, for the docs test. */
export const PRESET_PATHS = [...Object.keys(EXACT), `${MARKET_DATA_PREFIX}{symbol}`] as const;
