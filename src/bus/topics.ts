import { TickwireError } from '../errors.ts';
import { type Pattern, type Topic, topicProblem } from './topic-grammar.ts';

/**
 * Every topic name Tickwire publishes or subscribes to is built here and nowhere else, so a rename
 * is one edit and a typo cannot create a topic nobody listens to.
 *
 *   md.<kind>.<venue>.<symbol>   market data, kind in MARKET_DATA_KINDS   md.trade.SIM.BTCUSDT
 *   orders.<account>             order events of one account              orders.acc-1
 *   fills.<account>              fills of one account                     fills.acc-1
 *   bots.<account>.<botId>       events of one account's trading bot      bots.acc-1.bot_7
 *   bars.<venue>.<symbol>.<spec> a symbol's bars (the features engine)    bars.SIM.BTCUSDT.1m
 *   features.<venue>.<symbol>.<feature>  an indicator of a symbol        features.SIM.BTCUSDT.rsi-14
 *   analytics.<account>          P&L and statistics of one account        analytics.acc-1
 *   demand.topics                what each node's clients subscribe to, for engines that compute on demand
 *   monitor.* / alerts.*         fixed names in MONITOR_TOPICS / ALERT_TOPICS
 *   engine.status, system.health STATUS_TOPICS
 *   cluster.*                    coordination between nodes sharing a broker (CLUSTER_TOPICS)
 */

export const MARKET_DATA_KINDS = ['trade', 'quote', 'book', 'bar'] as const;
export type MarketDataKind = (typeof MARKET_DATA_KINDS)[number];

export const MONITOR_TOPICS = [
  'monitor.hardware',
  'monitor.cpu',
  'monitor.memory',
  'monitor.gpu',
  'monitor.accelerator',
  'monitor.thermal',
  'monitor.process',
  'monitor.containers',
  'monitor.performance',
] as const;
export type MonitorTopic = (typeof MONITOR_TOPICS)[number];

export const ALERT_TOPICS = [
  'alerts.performance',
  'alerts.thermal',
  'alerts.resource',
  'alerts.hardware',
  'alerts.feed',
  'alerts.risk',
] as const;
export type AlertTopic = (typeof ALERT_TOPICS)[number];

/** The state of every component (`engine.status`) and the node's health (`system.health`). */
export const STATUS_TOPICS = ['engine.status', 'system.health'] as const;
export type StatusTopic = (typeof STATUS_TOPICS)[number];

/** Trading telemetry streams (not an account's orders or fills, which are private topics). */
export const TRADING_TOPICS = ['trading.latency', 'trading.ml-inference', 'trading.risk'] as const;
export type TradingTopic = (typeof TRADING_TOPICS)[number];

/**
 * Coordination between the nodes of one deployment: `cluster.broadcast` carries REST broadcasts to
 * every node, `cluster.nodes.<nodeId>` each node's presence beacon, `cluster.replies.<nodeId>`
 * answers addressed to one node.
 */
export const CLUSTER_TOPICS = { broadcast: 'cluster.broadcast', nodes: 'cluster.nodes.*' } as const;

const MARKET_DATA_ROOT = 'md';
const ORDERS_ROOT = 'orders';
const FILLS_ROOT = 'fills';
const BOTS_ROOT = 'bots';
const BARS_ROOT = 'bars';
const FEATURES_ROOT = 'features';
const ANALYTICS_ROOT = 'analytics';

/**
 * Where nodes announce the patterns their clients subscribe to under the roots engines compute on
 * demand (DEMAND_ROOTS), so that an engine in any process starts what someone reads and stops
 * what nobody does (docs/ENGINES.md, "On demand").
 */
export const DEMAND_TOPIC = 'demand.topics' as Topic;
/** The roots whose topics are computed on demand. */
export const DEMAND_ROOTS = [FEATURES_ROOT] as const;

// kind -> venue -> symbol -> topic. The feed handlers publish millions of ticks per second on a
// few thousand distinct names; after the first call per name this is two Map lookups, with no
// string concatenation and no re-validation. Not bounded: the symbol universe is finite and
// configured (at most 100,000 simulated symbols), unlike the bus's publish cache.
const marketDataCache = new Map<MarketDataKind, Map<string, Map<string, Topic>>>();

/** `md.<kind>.<venue>.<symbol>`, e.g. `md.trade.SIM.BTCUSDT`; cached per (kind, venue, symbol). */
export function marketDataTopic(kind: MarketDataKind, venue: string, symbol: string): Topic {
  let byVenue = marketDataCache.get(kind);
  if (byVenue === undefined) {
    checkKind(kind);
    byVenue = new Map();
    marketDataCache.set(kind, byVenue);
  }
  let bySymbol = byVenue.get(venue);
  if (bySymbol === undefined) {
    checkSegment('venue', venue);
    bySymbol = new Map();
    byVenue.set(venue, bySymbol);
  }
  let topic = bySymbol.get(symbol);
  if (topic === undefined) {
    checkSegment('symbol', symbol);
    topic = `${MARKET_DATA_ROOT}.${kind}.${venue}.${symbol}` as Topic;
    bySymbol.set(symbol, topic);
  }
  return topic;
}

/** `orders.<account>`: order events (accepted, rejected, cancelled…) of one account. */
export function ordersTopic(account: string): Topic {
  checkSegment('account', account);
  return `${ORDERS_ROOT}.${account}` as Topic;
}

/** `fills.<account>`: executions of one account. */
export function fillsTopic(account: string): Topic {
  checkSegment('account', account);
  return `${FILLS_ROOT}.${account}` as Topic;
}

/**
 * `bots.<account>.<botId>`: events of one trading bot. The owning account is part of the name so
 * that permissions are a matter of topic patterns (`bots.<account>.>`), like orders and fills.
 */
export function botsTopic(account: string, botId: string): Topic {
  checkSegment('account', account);
  checkSegment('botId', botId);
  return `${BOTS_ROOT}.${account}.${botId}` as Topic;
}

/** `bars.<venue>.<symbol>.<spec>`, e.g. `bars.SIM.BTCUSDT.1m` (spec: the features engine's bar specs). */
export function barsTopic(venue: string, symbol: string, spec: string): Topic {
  checkSegment('venue', venue);
  checkSegment('symbol', symbol);
  checkSegment('bar spec', spec);
  return `${BARS_ROOT}.${venue}.${symbol}.${spec}` as Topic;
}

/** Every bar: `bars.>`. */
export function allBars(): Pattern {
  return `${BARS_ROOT}.>` as Pattern;
}

/** `features.<venue>.<symbol>.<feature>`, e.g. `features.SIM.BTCUSDT.rsi-14` (the features engine). */
export function featuresTopic(venue: string, symbol: string, feature: string): Topic {
  checkSegment('venue', venue);
  checkSegment('symbol', symbol);
  checkSegment('feature', feature);
  return `${FEATURES_ROOT}.${venue}.${symbol}.${feature}` as Topic;
}

/**
 * `engine.members.<engine>`: the heartbeats by which the instances of a scaled-out engine share
 * its work (docs/ENGINES.md, "Scaling out").
 */
export function engineMembersTopic(engine: string): Topic {
  checkSegment('engine', engine);
  return `engine.members.${engine}` as Topic;
}

/** Every feature: `features.>`. */
export function allFeatures(): Pattern {
  return `${FEATURES_ROOT}.>` as Pattern;
}

/**
 * `analytics.<account>`: one account's P&L snapshots and performance statistics (the analytics
 * engine). Private like its fills: the account is part of the name.
 */
export function analyticsTopic(account: string): Topic {
  checkSegment('account', account);
  return `${ANALYTICS_ROOT}.${account}` as Topic;
}

/** `analytics.*`: the analytics of every account. */
export function allAnalytics(): Pattern {
  return `${ANALYTICS_ROOT}.*` as Pattern;
}

/** Whether a pattern lies under a root computed on demand (`features.SIM.*.rsi-14`). */
export function isDemandPattern(pattern: string): boolean {
  return DEMAND_ROOTS.some((root) => pattern.startsWith(`${root}.`));
}

/** `cluster.nodes.<nodeId>`: the presence beacon of one node. */
export function clusterNodeTopic(nodeId: string): Topic {
  checkSegment('nodeId', nodeId);
  return `cluster.nodes.${nodeId}` as Topic;
}

/** `cluster.replies.<nodeId>`: answers to requests one node sent to all the others. */
export function clusterReplyTopic(nodeId: string): Topic {
  checkSegment('nodeId', nodeId);
  return `cluster.replies.${nodeId}` as Topic;
}

/**
 * Market data of every kind, or of one kind, or of one kind on one venue:
 * `md.>`, `md.trade.>`, `md.trade.SIM.*`; a venue without a kind gives `md.*.SIM.*`.
 */
export function allMarketData(kind?: MarketDataKind, venue?: string): Pattern {
  if (kind !== undefined) checkKind(kind);
  if (venue !== undefined) checkSegment('venue', venue);
  if (kind === undefined && venue === undefined) return `${MARKET_DATA_ROOT}.>` as Pattern;
  if (venue === undefined) return `${MARKET_DATA_ROOT}.${kind}.>` as Pattern;
  return `${MARKET_DATA_ROOT}.${kind ?? '*'}.${venue}.*` as Pattern;
}

/** Every kind of market data for one symbol on one venue: `md.*.SIM.BTCUSDT`. */
export function symbolMarketData(venue: string, symbol: string): Pattern {
  checkSegment('venue', venue);
  checkSegment('symbol', symbol);
  return `${MARKET_DATA_ROOT}.*.${venue}.${symbol}` as Pattern;
}

/** `orders.*`: order events of every account. */
export function allOrders(): Pattern {
  return `${ORDERS_ROOT}.*` as Pattern;
}

/** `fills.*`: fills of every account. */
export function allFills(): Pattern {
  return `${FILLS_ROOT}.*` as Pattern;
}

/** `bots.>`: events of every bot of every account, or `bots.<account>.*` for one account's bots. */
export function allBots(account?: string): Pattern {
  if (account === undefined) return `${BOTS_ROOT}.>` as Pattern;
  checkSegment('account', account);
  return `${BOTS_ROOT}.${account}.*` as Pattern;
}

/** `monitor.*`: every monitor topic in MONITOR_TOPICS. */
export function allMonitor(): Pattern {
  return 'monitor.*' as Pattern;
}

/** `alerts.<category>`, one of ALERT_TOPICS (`alerts.feed` for category `feed`). */
export function alertsTopic(category: string): AlertTopic {
  const topic = `alerts.${category}`;
  if (!(ALERT_TOPICS as readonly string[]).includes(topic))
    throw new TickwireError('BAD_TOPIC', `${topic} is not one of ${ALERT_TOPICS.join(', ')}`);
  return topic as AlertTopic;
}

/** `alerts.*`: every alert topic in ALERT_TOPICS. */
export function allAlerts(): Pattern {
  return 'alerts.*' as Pattern;
}

function checkKind(kind: string): void {
  if (!(MARKET_DATA_KINDS as readonly string[]).includes(kind)) {
    throw new TickwireError(
      'BAD_TOPIC',
      `market-data kind ${JSON.stringify(kind)} is not one of ${MARKET_DATA_KINDS.join(', ')}`,
    );
  }
}

/** A builder argument must be exactly one literal segment: no dots, no wildcards. */
function checkSegment(field: string, value: string): void {
  const problem = topicProblem(value, false);
  if (problem !== undefined || value.includes('.')) {
    throw new TickwireError(
      'BAD_TOPIC',
      `${field} ${JSON.stringify(value)} is not a single topic segment (1+ characters of A-Z a-z 0-9 _ - :)` +
        (problem === undefined ? '; it contains a dot' : `; it ${problem}`),
    );
  }
}

/**
 * Market data (`md.…`) is the bulk of what crosses a broker. Broker buses carry it on connections
 * of their own, so that fills, orders, bot events, alerts and the cluster's control messages never
 * wait behind it in a TCP stream or a broker's queue (docs/BUS.md, "Lanes").
 */
export function isMarketDataTopic(topic: string): boolean {
  return topic.startsWith('md.');
}

/** Whether a pattern can match market data, other topics, or both (a wildcard first segment). */
export function patternReaches(pattern: string): { marketData: boolean; other: boolean } {
  const dot = pattern.indexOf('.');
  const first = dot < 0 ? pattern : pattern.slice(0, dot);
  if (first === '*' || first === '>') return { marketData: true, other: true };
  return first === 'md' ? { marketData: true, other: false } : { marketData: false, other: true };
}
