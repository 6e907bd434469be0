import { loadavg } from 'node:os';
import { type Bench, type BenchContext, round } from './harness.ts';
import type { ClientWire, ServerKind } from './support/fanout-protocol.ts';
import {
  CLIENTS,
  type Clients,
  costsAtMax,
  deliveriesAt,
  describe,
  fanoutPlan,
  latencyAt,
  type LatencyRun,
  type Plan,
  scenarioFields,
  searchMaxRate,
  START_RATE,
  startFanoutClients,
  type ServerResult,
  withServer,
} from './support/fanout-search.ts';

/**
 * Tickwire against the servers its users would otherwise pick, in one run, on the fanout
 * benchmark's scenario (bench/support/fanout-search.ts): 1,000 clients, 10 of 100 symbols each,
 * the same trade ticks as the same JSON, read by the same clients. Each server's highest rate at
 * which every client gets every message (nothing conflated or dropped), its latency p50/p99 at half
 * of that rate (from each message's due time on the feed's clock), its CPU per delivery at its
 * maximum and its resident memory per connection; and Tickwire's latency at each peer's half rate
 * too, the same load, since half of Tickwire's own maximum is many times more traffic. The peers: a bare `ws` server (`send` per
 * client per message), the corked `ws` broadcast (the machine's ceiling for `ws`), Socket.IO 4
 * with its defaults (rooms, one encoding per message) and with its msgpack parser; Tickwire with
 * JSON and with 64-byte binary ticks. docs/PERFORMANCE.md has the results and what they mean.
 */

interface Peer {
  name: string;
  kind: ServerKind;
  wire: ClientWire;
  description: string;
  start: (plan: Plan) => number;
}

const TICKWIRE: Peer = {
  name: 'tickwire',
  kind: 'tickwire',
  wire: 'json',
  description: 'Tickwire, JSON',
  start: (plan) => plan.tickwireStart,
};
const TICKWIRE_BINARY: Peer = {
  name: 'tickwire-binary',
  kind: 'tickwire',
  wire: 'binary',
  description: 'Tickwire, 64-byte binary ticks',
  start: (plan) => plan.tickwireStart,
};
const OTHERS: readonly Peer[] = [
  {
    name: 'bare-ws',
    kind: 'bare-ws',
    wire: 'json',
    description: 'bare ws server (ws.send per client per message)',
    start: () => START_RATE.bareWs,
  },
  {
    name: 'ceiling',
    kind: 'ceiling',
    wire: 'json',
    description: 'corked ws broadcast (the ws ceiling)',
    start: (plan) => plan.tickwireStart,
  },
  {
    name: 'socketio',
    kind: 'socketio',
    wire: 'socketio',
    description: 'Socket.IO 4, default parser (rooms)',
    start: () => START_RATE.bareWs,
  },
  {
    name: 'socketio-msgpack',
    kind: 'socketio-msgpack',
    wire: 'socketio-msgpack',
    description: 'Socket.IO 4, msgpack parser (rooms)',
    start: () => START_RATE.bareWs,
  },
];

interface PeerFigures {
  peer: Peer;
  search: ServerResult;
  deliveriesPerSecond: number;
  /** At half its own maximum rate. */
  latency: LatencyRun | undefined;
  /** At other rates asked for (the peers' half rates, for Tickwire), by rate. */
  latencyAt: Map<number, LatencyRun>;
  /** Server CPU per delivery at its maximum rate, ns. */
  serverNsPerDelivery: number | null;
  rssKbPerConnection: number;
}

/** A server's maximum rate, its latency at half of it and at `alsoAt` rates, its CPU and memory. */
async function measure(
  ctx: BenchContext,
  clients: Clients,
  plan: Plan,
  peer: Peer,
  alsoAt: readonly number[] = [],
): Promise<PeerFigures> {
  return withServer(
    peer.kind,
    clients,
    async (server, before) => {
      const { rssMb } = await server.request('memory', {}, 5_000);
      const search = await searchMaxRate(ctx, peer.kind, server, clients, peer.start(plan), plan);
      const latency =
        search.maxRate > 0 ? await latencyAt(server, clients, search.maxRate / 2, plan.latencyMs) : undefined;
      if (latency) ctx.note(`${peer.name} at half its maximum: ${describe(peer.kind, latency.trial)}`);
      const latencyAtRates = new Map<number, LatencyRun>();
      for (const rate of alsoAt) {
        if (rate <= 0) continue;
        const run = await latencyAt(server, clients, rate, plan.latencyMs);
        ctx.note(`${peer.name} at ${rate} msg/s: ${describe(peer.kind, run.trial)}`);
        latencyAtRates.set(rate, run);
      }
      const { server_cpu_share } = costsAtMax(search);
      const deliveriesPerSecond = deliveriesAt(search.maxRate);
      return {
        peer,
        search,
        deliveriesPerSecond,
        latency,
        latencyAt: latencyAtRates,
        serverNsPerDelivery:
          server_cpu_share === null || deliveriesPerSecond === 0
            ? null
            : round((server_cpu_share * 1e9) / deliveriesPerSecond),
        rssKbPerConnection: round(((rssMb - before.rssMb) * 1000) / CLIENTS),
      };
    },
    peer.wire,
  );
}

/** The half rate latencies are compared at: each peer's own half maximum. */
const halfRate = (figures: PeerFigures) => figures.search.maxRate / 2;

export default {
  name: 'peers',
  description:
    'Tickwire vs bare ws, the corked ws ceiling and Socket.IO 4 (JSON, msgpack): 1,000 clients, 10 of 100 symbols each',
  async run(ctx) {
    const loadAtStart = round(loadavg()[0]!);
    const plan = fanoutPlan(ctx.quick);
    const clients = startFanoutClients();
    const others: PeerFigures[] = [];
    let tickwire: PeerFigures;
    let tickwireBinary: PeerFigures;
    try {
      await clients.ready;
      for (const peer of OTHERS) others.push(await measure(ctx, clients, plan, peer));
      // Tickwire last, so that its latency is also taken at each peer's half rate: the same load.
      const binaryPeers = others.filter((other) => other.peer.name === 'socketio-msgpack');
      const jsonPeers = others.filter((other) => !binaryPeers.includes(other));
      tickwire = await measure(ctx, clients, plan, TICKWIRE, jsonPeers.map(halfRate));
      tickwireBinary = await measure(ctx, clients, plan, TICKWIRE_BINARY, binaryPeers.map(halfRate));
    } finally {
      await clients.stop();
    }
    const common = scenarioFields(plan, loadAtStart);
    const costs = (run: PeerFigures, prefix: string) => ({
      [`${prefix}_server_ns_per_delivery`]: run.serverNsPerDelivery,
      [`${prefix}_rss_kb_per_connection`]: run.rssKbPerConnection,
    });
    ctx.report({
      metric: 'deliveries_per_s_binary_vs_json',
      value: tickwireBinary.deliveriesPerSecond,
      unit: 'msg/s',
      better: 'higher',
      baseline: 'Tickwire, JSON, same run',
      baseline_value: tickwire.deliveriesPerSecond,
      ...costs(tickwireBinary, 'binary'),
      ...costs(tickwire, 'json'),
      ...common,
    });
    for (const other of others) {
      // Binary ticks against the msgpack peer (both binary), JSON against the rest.
      const ours = other.peer.name === 'socketio-msgpack' ? tickwireBinary : tickwire;
      ctx.report({
        metric: `deliveries_per_s_vs_${other.peer.name}`,
        value: ours.deliveriesPerSecond,
        unit: 'msg/s',
        better: 'higher',
        baseline: `${other.peer.description}, same clients, same run`,
        baseline_value: other.deliveriesPerSecond,
        tickwire_format: ours.peer.wire,
        ...costs(ours, 'tickwire'),
        ...costs(other, 'peer'),
        ...common,
      });
      const sameRate = ours.latencyAt.get(halfRate(other));
      if (sameRate && other.latency)
        ctx.report({
          metric: `latency_p99_us_same_rate_vs_${other.peer.name}`,
          value: round(sameRate.p99),
          unit: 'us',
          better: 'lower',
          baseline: `${other.peer.description}, both at half the peer's maximum`,
          baseline_value: round(other.latency.p99),
          rate_deliveries_per_s: deliveriesAt(halfRate(other)),
          tickwire_p50_us: round(sameRate.p50),
          peer_p50_us: round(other.latency.p50),
          tickwire_sustained: sameRate.sustained,
          peer_sustained: other.latency.sustained,
          ...common,
        });
      if (ours.latency && other.latency)
        ctx.report({
          metric: `latency_p99_us_at_half_max_vs_${other.peer.name}`,
          value: round(ours.latency.p99),
          unit: 'us',
          better: 'lower',
          baseline: `${other.peer.description}, each at half its own maximum`,
          baseline_value: round(other.latency.p99),
          tickwire_rate_deliveries_per_s: deliveriesAt(halfRate(ours)),
          peer_rate_deliveries_per_s: deliveriesAt(halfRate(other)),
          tickwire_p50_us: round(ours.latency.p50),
          peer_p50_us: round(other.latency.p50),
          tickwire_sustained: ours.latency.sustained,
          peer_sustained: other.latency.sustained,
          ...common,
        });
    }
  },
} satisfies Bench;
